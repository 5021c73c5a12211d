"""A PM goes through a calibration round by keyboard, blind, in Chromium."""

import pytest
from playwright.sync_api import expect

from calibration.models import RoundAnswer
from roadmap import roles
from roadmap.models import Triage
from tests.factories import make_item, make_person, make_persona, make_product, make_round

pytestmark = pytest.mark.browser


def test_pm_goes_through_a_round_by_keyboard(log_in, pm, lead):
    make_persona(side="customer", name="Economic buyer", order=0)  # key 1
    make_persona(side="user", name="Field employee", order=0)  # key 2
    product = make_product(name="Expenses")
    items = [make_item(title=title, product=product, request_quote=quote) for title, quote in [
        ("Receipt capture", "Let me snap it and be done."),
        ("Audit log export", "Our auditors need every change."),
        ("Offline drafts", "No signal on the train."),
    ]]
    started = make_round([pm, make_person(roles.PRODUCT_MANAGER)], items, by=lead)
    page = log_in(pm)
    page.goto(f"/calibration/{started.pk}/queue/")
    page.evaluate("window.notReloaded = true")
    expect(page.get_by_role("heading", name="Receipt capture")).to_be_visible()
    expect(page.get_by_text("Let me snap it and be done.")).to_be_visible()
    expect(page.get_by_text("0 of 3 answered, 3 left.")).to_be_visible()

    # Both sides: Economic buyer is key 1, Field employee key 2; "c" says whose problem.
    page.keyboard.press("1")
    page.keyboard.press("2")
    expect(page.locator(".class-preview")).to_have_text("Both")
    page.keyboard.press("c")
    page.keyboard.press("Control+Enter")
    expect(page.get_by_role("heading", name="Audit log export")).to_be_visible()
    expect(page.get_by_text("1 of 3 answered, 2 left.")).to_be_visible()

    # Skip one, answer the next one-sided with question 2, then come back to the skipped.
    page.keyboard.press("s")
    expect(page.get_by_role("heading", name="Offline drafts")).to_be_visible()
    page.keyboard.press("2")
    expect(page.get_by_label("Value for customers")).to_be_visible()
    page.keyboard.press("a")
    page.keyboard.type("Fewer lost drafts, fewer support tickets.")
    page.keyboard.press("Control+Enter")
    expect(page.get_by_text("1 skipped item is still unanswered.")).to_be_visible()
    expect(page.get_by_role("link", name="Start again from the first")).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="Audit log export")).to_be_visible()
    page.keyboard.press("1")
    page.keyboard.press("Control+Enter")
    expect(page.get_by_text("You answered every item of this round.")).to_be_visible()
    assert page.evaluate("window.notReloaded") is True  # htmx all the way, no reload

    answers = {a.item.title: a for a in RoundAnswer.objects.select_related("item")}
    assert {title: a.beneficiary_class for title, a in answers.items()} == {
        "Receipt capture": "both", "Audit log export": "customers", "Offline drafts": "users"}
    assert answers["Offline drafts"].value_for_other_side == \
        "Fewer lost drafts, fewer support tickets."
    assert not Triage.objects.exists()
