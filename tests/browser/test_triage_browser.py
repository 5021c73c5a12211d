"""A PM triages by keyboard in the queue, and a concurrent save is refused, in Chromium."""

import re

import pytest
from playwright.sync_api import expect

from roadmap.models import BeneficiaryClass, Triage
from tests.factories import (
    make_item,
    make_metric,
    make_person,
    make_persona,
    make_product,
    triage,
)

pytestmark = pytest.mark.browser


class Keyboard:
    """Presses keys like a person and counts them: a chord such as Control+Enter is one."""

    def __init__(self, page):
        self.page, self.count = page, 0

    def press(self, key):
        self.page.keyboard.press(key)
        self.count += 1

    def type(self, text):
        self.page.keyboard.type(text)
        self.count += len(text)


@pytest.fixture
def personas(db):
    return {
        "buyer": make_persona(side="customer", name="Economic buyer", order=0),
        "admin": make_persona(side="customer", name="IT administrator", order=1),
        "employee": make_persona(side="user", name="Field employee", order=0),
        "accountant": make_persona(side="user", name="Accountant", order=1),
    }


def test_pm_triages_the_queue_by_keyboard(log_in, pm, personas):
    product = make_product(name="Expenses")
    requested = make_item(title="Receipt capture", product=product,
                          requesting_persona=personas["employee"])
    unrequested = make_item(title="Mileage log", product=product)
    user_problem = make_item(title="Travel policy", product=product)
    one_sided = make_item(title="Audit log export", product=product,
                          requesting_persona=personas["admin"])
    page = log_in(pm)
    page.goto("/roadmap/triage/")
    page.evaluate("window.notReloaded = true")
    expect(page.get_by_role("heading", name="Receipt capture")).to_be_visible()
    expect(page.get_by_text("4 untriaged items left.")).to_be_visible()
    keystrokes = {}

    # Both sides, two personas: Economic buyer is key 1, Field employee key 3. "Whose
    # problem" comes from the requesting persona.
    keys = Keyboard(page)
    keys.press("1")
    keys.press("3")
    expect(page.locator(".class-preview")).to_have_text("Both")
    expect(page.get_by_label("Value for users")).to_have_count(0)
    keys.press("Control+Enter")
    expect(page.get_by_role("heading", name="Mileage log")).to_be_visible()
    keystrokes["both, requested"] = keys.count

    # No requesting persona: "whose problem" follows the first pick's side, and stays when
    # the second pick makes it both.
    keys = Keyboard(page)
    keys.press("1")
    expect(page.get_by_label("Customer problem")).to_be_checked()
    keys.press("3")
    expect(page.locator(".class-preview")).to_have_text("Both")
    keys.press("Control+Enter")
    expect(page.get_by_role("heading", name="Travel policy")).to_be_visible()
    keystrokes["both, not requested"] = keys.count

    # ...and one key more when it is the other side's problem.
    keys = Keyboard(page)
    keys.press("1")
    keys.press("3")
    keys.press("u")
    keys.press("Control+Enter")
    expect(page.get_by_role("heading", name="Audit log export")).to_be_visible()
    keystrokes["both, not requested, other side's problem"] = keys.count

    # One side with a one-line answer: IT administrator (key 2), then "a" to answer.
    keys = Keyboard(page)
    keys.press("2")
    expect(page.locator(".class-preview")).to_have_text("Customers only")
    answer = page.get_by_label("Value for users")
    expect(answer).to_be_visible()
    keys.press("a")
    expect(answer).to_be_focused()
    keys.type("Passing the audit keeps the renewal.")
    keys.press("Control+Enter")
    expect(page.get_by_text("Nothing left to triage here")).to_be_visible()
    keystrokes["one-sided"] = keys.count

    assert page.evaluate("window.notReloaded") is True
    answers = {t.item: t for t in Triage.objects.all()}
    assert answers[requested].beneficiary_class == BeneficiaryClass.BOTH
    assert answers[requested].whose_problem == "user"
    assert answers[unrequested].beneficiary_class == BeneficiaryClass.BOTH
    assert answers[unrequested].whose_problem == "customer"
    assert answers[user_problem].whose_problem == "user"
    assert answers[one_sided].beneficiary_class == BeneficiaryClass.CUSTOMERS
    assert answers[one_sided].value_for_other_side == "Passing the audit keeps the renewal."
    # The numbers README.md gives under "Triage by keyboard".
    assert keystrokes == {
        "both, requested": 3,
        "both, not requested": 3,
        "both, not requested, other side's problem": 4,
        "one-sided": 3 + len("Passing the audit keeps the renewal."),
    }


def test_metrics_and_indirect_beneficiaries_have_keys(log_in, pm, personas):
    renewal = make_metric(side="customer", name="Renewal rate")
    adoption = make_metric(side="user", name="Daily active users")
    item = make_item(title="Audit log export", requesting_persona=personas["admin"])
    page = log_in(pm)
    page.goto(f"/roadmap/items/{item.pk}/triage/")

    # Pressed at once, before the metrics and question 2 have arrived: the keys wait for
    # them. Renewal rate is m then 1, Daily active users m then 2, Field employee i then 3.
    keys = Keyboard(page)
    for key in ["2", "m", "1", "i", "3", "m", "2", "a"]:
        keys.press(key)
    keys.type("Fewer exports by hand.")
    expect(page.get_by_label("Value for users")).to_have_value("Fewer exports by hand.")
    expect(page.get_by_label("Renewal rate")).to_be_checked()
    expect(page.get_by_label("Daily active users")).to_be_checked()
    field_employee = page.locator(".question-2").get_by_label("Field employee")
    expect(field_employee).to_be_checked()
    expect(field_employee.locator("xpath=..").locator("kbd.key-sequence")).to_have_text("i3")
    expect(page.get_by_label("Economic buyer")).not_to_be_checked()
    keys.press("Control+Enter")
    expect(page).to_have_url(re.compile(rf"/roadmap/items/{item.pk}/$"))

    answer = Triage.objects.get(item=item)
    assert set(answer.metrics.all()) == {renewal, adoption}
    assert list(answer.indirect_beneficiaries.all()) == [personas["employee"]]
    # Each metric or indirect beneficiary is two keystrokes.
    assert keys.count == 1 + 2 + 2 + 2 + 1 + len("Fewer exports by hand.") + 1


def test_escape_forgets_a_pressed_m(log_in, pm, personas):
    make_metric(side="customer", name="Renewal rate")
    item = make_item(title="Audit log export")
    page = log_in(pm)
    page.goto(f"/roadmap/items/{item.pk}/triage/")
    page.keyboard.press("2")
    expect(page.get_by_label("Renewal rate")).to_be_visible()
    page.keyboard.press("m")
    expect(page.locator("[data-key-prefix]")).to_contain_text("the key of a success metric")
    page.keyboard.press("Escape")
    expect(page.locator("[data-key-prefix]")).to_have_text("")
    page.keyboard.press("1")  # a persona again: Economic buyer
    expect(page.get_by_label("Economic buyer")).to_be_checked()
    expect(page.get_by_label("Renewal rate")).not_to_be_checked()


def test_skip_moves_on_by_keyboard(log_in, pm, personas):
    first = make_item(title="Dark mode")
    make_item(title="Bulk edit")
    page = log_in(pm)
    page.goto("/roadmap/triage/")
    expect(page.get_by_role("heading", name="Dark mode")).to_be_visible()
    page.keyboard.press("s")
    expect(page.get_by_role("heading", name="Bulk edit")).to_be_visible()
    expect(page).to_have_url(re.compile(rf"after={first.pk}"))
    assert not Triage.objects.exists()


def test_the_chosen_order_updates_the_queue_in_place_and_stays_while_walking(log_in, pm,
                                                                             personas):
    make_item(title="Dark mode")
    make_item(title="Bulk edit")
    newest = make_item(title="Queue order")
    page = log_in(pm)
    page.goto("/roadmap/triage/")
    page.evaluate("window.notReloaded = true")
    page.get_by_label("Order").select_option(label="Newest first")
    expect(page.get_by_role("heading", name="Queue order")).to_be_visible()
    expect(page).to_have_url(re.compile(r"order=newest"))
    page.locator("[data-triage-form]").focus()
    page.keyboard.press("s")
    expect(page.get_by_role("heading", name="Bulk edit")).to_be_visible()
    expect(page).to_have_url(re.compile(rf"order=newest&after={newest.pk}"))
    assert page.evaluate("window.notReloaded") is True


def test_keys_do_not_fire_while_typing(log_in, pm, personas):
    item = make_item(title="Audit log export")
    page = log_in(pm)
    page.goto(f"/roadmap/items/{item.pk}/triage/")
    page.keyboard.press("1")
    page.keyboard.press("a")
    page.keyboard.type("12 more renewals")
    expect(page.get_by_label("Value for users")).to_have_value("12 more renewals")
    expect(page.get_by_label("Economic buyer")).to_be_checked()
    expect(page.get_by_label("IT administrator")).not_to_be_checked()


def test_second_save_of_a_concurrent_edit_is_refused_and_input_kept(log_in, pm, personas):
    item = make_item(title="Single sign-on", product=make_product(name="Platform"))
    page = log_in(pm)
    page.goto(f"/roadmap/items/{item.pk}/triage/")
    page.get_by_label("IT administrator").check()
    page.get_by_label("Value for users").fill("Renewal keeps everyone's access.")

    # Meanwhile another PM saves the same item.
    marco = make_person("Product manager", first_name="Marco", last_name="Rossi")
    triage(item, [personas["buyer"], personas["employee"]], by=marco, whose_problem="customer")

    page.get_by_role("button", name="Save triage").click()
    alert = page.get_by_role("alert")
    expect(alert).to_contain_text("Someone else saved this since you opened it")
    expect(alert).to_contain_text("Saved by Marco Rossi")
    expect(alert.get_by_role("row", name=re.compile("Who benefits"))).to_contain_text(
        "Both")
    expect(page.get_by_label("Value for users")).to_have_value(
        "Renewal keeps everyone's access.")
    expect(page.get_by_label("IT administrator")).to_be_checked()
    assert Triage.objects.get(item=item).beneficiary_class == BeneficiaryClass.BOTH

    # Having seen theirs, the PM saves again on purpose.
    page.get_by_role("button", name="Save triage").click()
    expect(page).to_have_url(re.compile(rf"/roadmap/items/{item.pk}/$"))
    expect(page.get_by_text("Triage saved")).to_be_visible()
    assert Triage.objects.get(item=item).beneficiary_class == BeneficiaryClass.CUSTOMERS


def test_triage_from_the_list_returns_to_the_row_with_its_new_badge(log_in, pm, personas):
    item = make_item(title="Offline mode")
    page = log_in(pm)
    page.goto("/roadmap/?horizon=later")
    row = page.locator(f"#item-{item.pk}")
    row.get_by_role("link", name="Triage", exact=True).click()
    page.get_by_label("Field employee").check()
    page.get_by_role("button", name="Save triage").click()
    expect(page).to_have_url(re.compile(rf"/roadmap/\?horizon=later#item-{item.pk}$"))
    expect(page.locator(f"#item-{item.pk}")).to_contain_text("Users only")


def test_triage_works_with_javascript_off(browser, live_server, pm, personas):
    from django.conf import settings
    from django.test import Client

    item = make_item(title="Audit log export")
    client = Client()
    client.force_login(pm, backend="django.contrib.auth.backends.ModelBackend")
    context = browser.new_context(base_url=live_server.url, java_script_enabled=False)
    context.add_cookies([{"name": settings.SESSION_COOKIE_NAME, "url": live_server.url,
                          "value": client.cookies[settings.SESSION_COOKIE_NAME].value}])
    page = context.new_page()
    page.goto(f"/roadmap/items/{item.pk}/triage/")
    page.get_by_label("IT administrator").check()
    page.get_by_role("button", name="Show who benefits and question 2").click()
    expect(page.locator(".class-preview")).to_have_text("Customers only")
    page.get_by_label("Value for users").fill("Keeps the renewal.")
    page.get_by_role("button", name="Save triage").click()
    expect(page).to_have_url(re.compile(rf"/roadmap/items/{item.pk}/$"))
    expect(page.get_by_text("Keeps the renewal.").first).to_be_visible()
    context.close()
    assert Triage.objects.get(item=item).value_for_other_side == "Keeps the renewal."


def test_enter_on_a_picked_persona_saves(log_in, pm, personas):
    item = make_item(title="Dark mode")
    page = log_in(pm)
    page.goto(f"/roadmap/items/{item.pk}/triage/")
    page.get_by_label("Accountant").click()
    expect(page.locator(".class-preview")).to_have_text("Users only")
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(rf"/roadmap/items/{item.pk}/$"))
    assert Triage.objects.get(item=item).beneficiary_class == BeneficiaryClass.USERS
