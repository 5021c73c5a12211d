import csv
import io
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client
from playwright.sync_api import expect

from roadmap.models import Review, RoadmapItem
from tests.factories import make_item, make_persona, make_product, review_item, triage

pytestmark = pytest.mark.browser


def test_team_lead_filters_challenges_and_exports(log_in, lead, pm):
    buyer = make_persona(side="customer", name="Economic buyer")
    employee = make_persona(side="user", name="Field employee")
    platform, expenses = make_product(name="Platform"), make_product(name="Expenses")
    audit = make_item(title="Audit log export", product=platform, horizon="now", owner=pm)
    triage(audit, [buyer], by=pm)
    triage(make_item(title="SSO", product=platform, horizon="next", owner=pm), [buyer], by=pm,
           value="Renewals keep access.")
    triage(make_item(title="Offline mode", product=expenses, horizon="now"), [employee], by=pm)
    make_item(title="Dark mode", product=expenses, horizon="later")

    page = log_in(lead)
    page.goto("/roadmap/review/")
    page.evaluate("window.notReloaded = true")
    page.get_by_label("Product", exact=True).select_option(label="Platform")
    expect(page).to_have_url(re.compile(r"product=platform"))
    expect(page.locator(".toolbar")).to_contain_text("Product: Platform")

    # The numbers on the page are the database's.
    platform_items = RoadmapItem.objects.open().for_product(platform)
    total_row = page.locator("table.mix tbody tr").first
    expect(total_row.locator("td[data-label='Total'] strong")).to_have_text(
        str(platform_items.count()))
    expect(total_row.locator("td[data-label='Customers only']")).to_have_text(
        str(platform_items.of_class("customers").count()))
    expect(page.get_by_role("heading", name="⚠ Building only for buyers")).to_be_visible()
    expect(page.get_by_text("2 of 2", exact=True)).to_be_visible()

    # Challenge the one-sided item that states no value for users, in place.
    row = page.locator(f"#one-sided-{audit.pk}")
    row.get_by_text("Review this item").click()
    row.get_by_label("Challenge").check()
    row.get_by_role("button", name="Save review").click()
    expect(row.get_by_text("Say why you challenge this item.")).to_be_visible()
    row.get_by_label("Comment").fill("Who among the users benefits?")
    row.get_by_role("button", name="Save review").click()
    expect(row.locator(".review-verdict")).to_contain_text("Challenged")
    assert page.evaluate("window.notReloaded") is True
    review = Review.objects.get(item=audit)
    assert (review.verdict, review.comment, review.reviewed_by) == (
        "challenged", "Who among the users benefits?", lead)

    # The CSV follows the filters.
    with page.expect_download() as download_info:
        page.get_by_role("link", name="Export CSV").click()
    text = Path(download_info.value.path()).read_text(encoding="utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(text)))
    assert [r["Title"] for r in rows] == ["Audit log export", "SSO"]
    assert rows[0]["Review"] == "Challenged: Who among the users benefits?"

    # Both products, in place; the URL repeats the filter and so does the CSV link.
    page.get_by_label("Product", exact=True).select_option(label=["Expenses", "Platform"])
    expect(page).to_have_url(re.compile(r"product=expenses&product=platform"))
    expect(page.locator(".toolbar")).to_contain_text("Product: Expenses, Platform")
    expect(total_row.locator("td[data-label='Total'] strong")).to_have_text("4")
    with page.expect_download() as download_info:
        page.get_by_role("link", name="Export CSV").click()
    text = Path(download_info.value.path()).read_text(encoding="utf-8-sig")
    assert len(list(csv.DictReader(io.StringIO(text)))) == 4
    assert page.evaluate("window.notReloaded") is True


def test_filters_work_without_javascript(browser, live_server, lead):
    make_item(title="Only item", product=make_product(name="Platform"), horizon="now")
    context = browser.new_context(base_url=live_server.url, java_script_enabled=False)
    client = Client()
    client.force_login(lead, backend="django.contrib.auth.backends.ModelBackend")
    context.add_cookies([{"name": settings.SESSION_COOKIE_NAME, "url": live_server.url,
                          "value": client.cookies[settings.SESSION_COOKIE_NAME].value}])
    page = context.new_page()
    page.goto("/roadmap/review/")
    page.get_by_label("Horizon").select_option(label="Later")
    page.get_by_role("button", name="Apply filters").click()
    expect(page).to_have_url(re.compile(r"horizon=later"))
    expect(page.locator(".toolbar")).to_contain_text("Horizon: Later")
    context.close()


def test_review_from_the_keyboard_opens_in_the_list_it_was_asked_from(log_in, lead, pm):
    buyer = make_persona(side="customer", name="Economic buyer")
    audit = make_item(title="Audit log export", horizon="now", owner=pm)
    triage(audit, [buyer], by=pm)  # one-sided, no value stated: in the first list
    review_item(audit, "challenged", "Who uses it?", lead)  # and in the challenges list

    page = log_in(lead)
    page.goto("/roadmap/review/")
    challenged = page.locator(f"#challenges-{audit.pk}")
    challenged.get_by_role("link", name="Review this item").focus()
    page.keyboard.press("Enter")
    expect(challenged.get_by_label("Accept")).to_be_visible()
    expect(page.locator(f"#one-sided-{audit.pk}").get_by_label("Accept")).to_have_count(0)
    # Focus moved to the new form's panel: the next Tab reaches its first choice.
    expect(challenged.locator(".review-panel")).to_be_focused()
    page.keyboard.press("Tab")
    expect(challenged.get_by_label("Accept")).to_be_focused()


def test_an_ended_session_keeps_the_page_and_says_how_to_log_in(log_in, lead,
                                                                browser_problems):
    browser_problems.expect(r"status of 401|Error Code 401")  # the refusal this test makes
    make_item(title="Only item", product=make_product(name="Platform"))
    page = log_in(lead)
    page.goto("/roadmap/review/")
    page.context.clear_cookies()
    page.get_by_label("Product", exact=True).select_option(label="Platform")
    notice = page.get_by_role("alert").filter(has_text="Your session has ended")
    expect(notice).to_be_visible()
    expect(notice).to_be_focused()
    expect(page.locator("header.site-header")).to_have_count(1)  # no login page nested in
    notice.get_by_role("link", name="log in again").click()
    expect(page).to_have_url(re.compile(r"/login/\?next=/roadmap/review/"))
