"""The verdict at the top of the review dashboard: a line per product (this quarter against
its targets, the traps, the warning signs of its metrics), each part a link to its panel, and
the panels' table of contents."""

import re

import pytest
from django.urls import reverse
from pytest_django.asserts import assertContains, assertNotContains

from outcomes.models import months_back, this_month
from roadmap.quarters import Quarter
from tests.factories import (
    make_item,
    make_metric,
    make_persona,
    make_product,
    make_reading,
    review_item,
    triage,
)

DASHBOARD = reverse("roadmap:dashboard")
NOW = Quarter.current()


def verdict_line(response, product_name):
    """The text of one product's line in the verdict, tags and all."""
    html = response.content.decode()
    lines = html.split('<ul class="verdict-lines">')[1].split("</ul>")[0]
    return next(line for line in lines.split("<li") if f"<strong>{product_name}</strong>" in line)


@pytest.fixture
def two_products(pm):
    """Platform: this quarter all customers only, in the now horizon (a trap, off target).
    Expenses: this quarter served both ways (on target, no trap)."""
    buyer, employee = make_persona(side="customer"), make_persona(side="user")
    platform, expenses = make_product(name="Platform"), make_product(name="Expenses")
    for n in range(3):
        triage(make_item(title=f"Admin {n}", product=platform, horizon="now",
                         target_quarter=str(NOW), effort=3), [buyer], by=pm)
    for n in range(2):
        triage(make_item(title=f"Both {n}", product=expenses, horizon="now",
                         target_quarter=str(NOW), effort=3), [buyer, employee], by=pm)
    triage(make_item(title="Receipts", product=expenses, horizon="now",
                     target_quarter=str(NOW), effort=3), [employee], by=pm,
           value="Fewer mistakes mean a cleaner audit for the buyer.")
    return platform, expenses


def test_each_product_gets_one_line_with_this_quarter_against_its_targets(lead_client,
                                                                          two_products):
    response = lead_client.get(DASHBOARD)
    assertContains(response, f"<h2 id=\"verdict-heading\">{NOW.label()} at a glance</h2>",
                   html=True)
    platform = verdict_line(response, "Platform")
    assert ('<a href="#quarter-targets-heading">⚠ off target: items for both 0% (at least 30%); '
            "customers only 100% (at most 40%); effort serving users 0% (at least 50%)</a>"
            in platform)
    assert '<a href="#quarter-targets-heading">on target</a>' in verdict_line(response,
                                                                               "Expenses")


def test_the_line_counts_the_products_traps_and_links_to_them(lead_client, two_products):
    response = lead_client.get(DASHBOARD)
    assert ('<a href="#traps-heading">⚠ 1 trap: building only for buyers (100% customers only)'
            "</a>" in verdict_line(response, "Platform"))
    assert '<a href="#traps-heading">no trap</a>' in verdict_line(response, "Expenses")
    assertContains(response, 'id="traps-heading"')
    assertContains(response, 'id="quarter-targets-heading"')


def test_a_product_with_nothing_planned_this_quarter_says_so(lead_client, pm, buyer):
    triage(make_item(product=make_product(name="Invoicing"), horizon="now"), [buyer], by=pm)
    line = verdict_line(lead_client.get(DASHBOARD), "Invoicing")
    assert '<a href="#quarter-targets-heading">nothing planned</a>' in line


def test_the_line_names_the_warning_sign_of_the_products_metrics(lead_client, two_products,
                                                                 admin_person):
    platform, expenses = two_products
    revenue = make_metric(side="customer", name="Revenue")
    active = make_metric(side="user", name="Daily active users")
    for back, (money, people) in enumerate([(120, 836), (110, 950), (104, 990), (100, 1000)]):
        period = months_back(this_month(), back)
        make_reading(revenue, platform, period, money, by=admin_person)
        make_reading(active, platform, period, people, by=admin_person)
        make_reading(revenue, expenses, period, 100, by=admin_person)
        make_reading(active, expenses, period, 1000, by=admin_person)
    response = lead_client.get(DASHBOARD)
    assert (f'<a href="#health-{platform.pk}">⚠ High revenue with poor engagement</a>'
            in verdict_line(response, "Platform"))
    assert (f'<a href="#health-{expenses.pk}">its metrics show no warning sign</a>'
            in verdict_line(response, "Expenses"))
    assertContains(response, f'id="health-{platform.pk}"')


def test_the_verdict_follows_the_product_filter(lead_client, two_products):
    response = lead_client.get(DASHBOARD, {"product": "expenses"})
    assertContains(response, "<strong>Expenses</strong>")
    assertNotContains(response, "<strong>Platform</strong>")


def test_no_items_says_so_instead_of_an_empty_verdict(lead_client):
    response = lead_client.get(DASHBOARD)
    assertContains(response, '<p class="empty">No items in these filters.</p>', html=True)


def test_every_entry_of_the_contents_leads_to_a_heading_on_the_page(lead_client, two_products):
    html = lead_client.get(DASHBOARD).content.decode()
    contents = html.split('aria-label="On this page"')[1].split("</nav>")[0]
    anchors = re.findall(r'href="#([\w-]+)"', contents)
    assert len(anchors) >= 14  # every panel, the apps' included
    for anchor in anchors:
        assert f'id="{anchor}"' in html, anchor
    for words in ("Plan against reality", "Product health", "Renewals at risk",
                  "Calibration", "Persona coverage"):
        assert f">{words}</a>" in contents


def test_a_short_review_list_is_open_and_a_long_one_folded(lead_client, pm, lead, buyer):
    for n in range(6):
        triage(make_item(title=f"One-sided {n}", horizon="now"), [buyer], by=pm)
    challenged = make_item(title="Challenged", horizon="now")
    triage(challenged, [buyer], by=pm, value="Audits keep the renewal.")
    review_item(challenged, "challenged", "Why?", lead)
    html = lead_client.get(DASHBOARD).content.decode()
    assert re.search(r'<details class="review-list">\s*<summary>The 6 items</summary>', html)
    assert re.search(r'<details class="review-list" open>\s*<summary>The 1 item</summary>', html)
    assert "One-sided 5" in html  # folded, still on the page


def test_the_value_maps_table_is_folded_under_the_map(lead_client, pm, buyer, employee):
    item = make_item(title="Receipts", horizon="now")
    triage(item, [buyer, employee], by=pm)
    item.triage.customer_value = item.triage.user_value = 2
    item.triage.save()
    response = lead_client.get(DASHBOARD)
    assertContains(response, "<summary>The value map as a table</summary>", html=False)


@pytest.mark.django_db(transaction=True)
def test_the_verdict_is_fresh_after_a_triage_although_the_dashboard_is_cached(
        lead_client, pm_client, pm, buyer, employee):
    """The verdict is inside the cached #dashboard-results: a write renders it afresh."""
    product = make_product(name="Platform")
    for n in range(2):
        triage(make_item(title=f"Admin {n}", product=product, horizon="now",
                         target_quarter=str(NOW)), [buyer], by=pm)
    item = make_item(title="Receipts", product=product, horizon="now", target_quarter=str(NOW))
    first = lead_client.get(DASHBOARD)
    assert "⚠ 1 trap: building only for buyers (100% customers only)" in verdict_line(
        first, "Platform")
    assert lead_client.get(DASHBOARD).content.count(b"1 trap") == 1  # read from the cache
    pm_client.post(reverse("roadmap:triage", args=[item.pk]),
                   {"version": item.version, "primary_beneficiaries": [employee.pk]})
    line = verdict_line(lead_client.get(DASHBOARD), "Platform")
    assert "⚠ 1 trap: building only for buyers (67% customers only)" in line
