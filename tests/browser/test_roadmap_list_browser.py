import re

import pytest
from django.db import OperationalError
from playwright.sync_api import expect

from roadmap.models import RoadmapItem
from tests.factories import make_item, make_product, triage
from tests.test_errors import answer_while_handling

pytestmark = pytest.mark.browser


def test_pm_logs_in_through_the_form_and_sees_the_roadmap(page, pm):
    make_item(title="Receipt capture")
    page.goto("/")
    page.get_by_label("Username").fill("pm")
    page.get_by_label("Password").fill("a-long-test-password")
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("heading", name="Roadmap")).to_be_visible()
    expect(page.get_by_role("link", name="Receipt capture")).to_be_visible()


def test_filtering_updates_the_list_in_place_and_the_url(log_in, pm, customer_persona):
    page = log_in(pm)
    triage(make_item(title="Audit log", product=make_product(name="Platform")),
           [customer_persona], by=pm)
    make_item(title="Dark mode", product=make_product(name="Expenses"))
    page.goto("/roadmap/")
    page.evaluate("window.notReloaded = true")
    page.get_by_label("Who benefits").select_option(label="Untriaged")
    expect(page.get_by_role("link", name="Audit log")).to_have_count(0)
    expect(page.get_by_role("link", name="Dark mode")).to_be_visible()
    expect(page).to_have_url(re.compile(r"beneficiary_class=untriaged"))
    assert page.evaluate("window.notReloaded") is True
    assert page.get_by_role("button", name="Apply filters").is_hidden()


def test_an_update_while_the_database_is_away_keeps_the_page_and_says_so(log_in, pm,
                                                                         browser_problems):
    browser_problems.expect(r"status of 503|Error Code 503")  # the outage this test makes
    make_item(title="Dark mode", product=make_product(name="Expenses"))
    page = log_in(pm)
    page.goto("/roadmap/")
    # The server's answer while PostgreSQL is away (as tests/test_database_faults.py gets it).
    unavailable = answer_while_handling(OperationalError("connection refused"), "/roadmap/")
    page.route("**/roadmap/?*", lambda route: route.fulfill(
        status=503, body=unavailable.content, headers=dict(unavailable.items())))
    page.get_by_label("Who benefits").select_option(label="Untriaged")
    notice = page.get_by_role("alert").filter(has_text="can't reach its database")
    expect(notice).to_be_visible()
    expect(notice).to_be_focused()
    expect(page.get_by_role("link", name="Dark mode")).to_be_visible()


def test_pm_ticks_items_by_keyboard_and_sets_their_horizon_in_one_go(log_in, pm):
    for title in ["A one", "B two", "C three"]:
        make_item(title=title)
    page = log_in(pm)
    page.goto("/roadmap/?horizon=later")
    page.keyboard.press("j")  # the first item's tick box
    page.keyboard.press("x")
    page.keyboard.press("j")
    page.keyboard.press("j")
    page.keyboard.press("x")
    expect(page.get_by_text("2 ticked.")).to_be_visible()
    page.get_by_label("Plan for").select_option(label="Now")
    page.get_by_role("button", name="Apply to the ticked items").click()
    expect(page.get_by_text("Set horizon to Now on 2 items.")).to_be_visible()
    expect(page).to_have_url(re.compile(r"\?horizon=later$"))
    horizons = {item.title: item.horizon for item in RoadmapItem.objects.all()}
    assert horizons == {"A one": "now", "B two": "later", "C three": "now"}


def test_tick_all_ticks_every_item_on_the_page(log_in, pm):
    make_item(title="A one")
    make_item(title="B two")
    page = log_in(pm)
    page.goto("/roadmap/")
    page.get_by_label("Tick every item on this page").check()
    expect(page.get_by_text("2 ticked.")).to_be_visible()
    expect(page.get_by_role("checkbox", name="A one")).to_be_checked()
