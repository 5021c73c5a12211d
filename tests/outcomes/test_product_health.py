import pytest
from django.urls import reverse
from pytest_django.asserts import assertContains, assertNotContains

from outcomes.models import months_back, this_month
from roadmap.models import ReviewThresholds
from tests.factories import (
    make_item,
    make_metric,
    make_persona,
    make_product,
    make_reading,
    triage,
)

DASHBOARD = reverse("roadmap:dashboard")


def record_series(metric, product, values, by):
    """One reading a month, the last one this month."""
    for back, value in enumerate(reversed(values)):
        make_reading(metric, product, months_back(this_month(), back), value, by=by)


@pytest.fixture
def expenses(db, pm, admin_person):
    """Revenue rising, daily active users falling, and a roadmap 60% customers only."""
    product = make_product(name="Expenses")
    revenue = make_metric(side="customer", name="Revenue")
    active = make_metric(side="user", name="Daily active users")
    record_series(revenue, product, [100, 104, 110, 120], admin_person)
    record_series(active, product, [1000, 990, 950, 836], admin_person)
    buyer, employee = make_persona(side="customer"), make_persona(side="user")
    for n in range(5):
        item = make_item(product=product, owner=pm, horizon="now")
        triage(item, [buyer] if n < 3 else [employee, buyer] if n == 3 else [employee], by=pm)
    return product


def test_a_lead_reads_high_revenue_with_poor_engagement_beside_the_balance(lead_client,
                                                                            expenses):
    response = lead_client.get(DASHBOARD)
    assertContains(response, "High revenue with poor engagement")
    assertContains(response, "Customer metrics are rising (revenue rose 15%) while user metrics "
                             "fall (daily active users fell 16%) over the last three months. "
                             "60% of the triaged open items are customers only.")
    assertContains(response, f'>110</span> → </span><span class="reading" '
                             f'title="{this_month():%Y-%m}">120</span>')
    assertNotContains(response, "High engagement with weak monetisation")


def test_the_balance_beside_the_warning_follows_the_dashboards_filters(lead_client, pm,
                                                                       expenses):
    """The balance counts the items the dashboard shows (read from its class mix)."""
    employee = make_persona(side="user")
    for _ in range(5):
        triage(make_item(product=expenses, owner=pm, horizon="later"), [employee], by=pm)
    assertContains(lead_client.get(DASHBOARD),
                   "60% of the triaged open items are users only.")  # 6 of 10
    assertContains(lead_client.get(DASHBOARD, {"horizon": "now"}),
                   "60% of the triaged open items are customers only.")  # 3 of 5
    assertContains(lead_client.get(DASHBOARD, {"horizon": "later"}),
                   "100% of the triaged open items are users only.")


def test_each_metric_has_a_sparkline_and_its_numbers_in_a_table(lead_client, expenses):
    response = lead_client.get(DASHBOARD)
    assertContains(response, '<svg class="sparkline"', count=2)
    assertContains(response, "<caption>Customers\u2019 metrics: up on average (15.4%)</caption>",
                   html=False)
    assertContains(response, "↓ Down")


def test_engagement_without_monetisation_is_the_other_sign(lead_client, pm, admin_person, db):
    product = make_product(name="Notes")
    record_series(make_metric(side="customer", name="Renewal rate"), product, [90, 90, 89],
                  admin_person)
    record_series(make_metric(side="user", name="Retention"), product, [40, 44, 48],
                  admin_person)
    response = lead_client.get(DASHBOARD)
    assertContains(response, "High engagement with weak monetisation")
    assertContains(response, "User metrics are rising (retention rose 20%) while customer "
                             "metrics are flat over the last three months.")


def test_the_admins_thresholds_decide_what_rises(lead_client, expenses):
    thresholds = ReviewThresholds.current()
    thresholds.metrics_rising_at = 20
    thresholds.save()
    response = lead_client.get(DASHBOARD)
    assertNotContains(response, "High revenue with poor engagement")
    assertContains(response, "20% or more up")


def test_the_product_filter_applies(lead_client, expenses, admin_person):
    other = make_product(name="Travel")
    record_series(make_metric(side="customer", name="Bookings"), other, [1, 2], admin_person)
    response = lead_client.get(DASHBOARD, {"product": other.slug})
    assertContains(response, f'<h3 id="health-{other.pk}">Travel</h3>')
    assertNotContains(response, f'id="health-{expenses.pk}"')


def test_no_readings_says_so(lead_client, db):
    assertContains(lead_client.get(DASHBOARD), "No metric readings in the last twelve months")


def test_the_panel_query_count_is_fixed(lead_client, expenses, admin_person,
                                        django_assert_num_queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    lead_client.get(DASHBOARD)  # begun quarters' plans are counted once, then kept
    with CaptureQueriesContext(connection) as few:
        lead_client.get(DASHBOARD)
    for n in range(4):
        product = make_product()
        record_series(make_metric(side="user" if n % 2 else "customer"), product,
                      list(range(1, 25)), admin_person)
    # More products and metrics with two years of readings: no more queries.
    with django_assert_num_queries(len(few.captured_queries)):
        lead_client.get(DASHBOARD)
