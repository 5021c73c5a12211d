import pytest
from django.urls import reverse
from pytest_django.asserts import assertContains, assertNotContains

from outcomes.models import MetricReading, months_back, this_month
from roadmap import roles
from roadmap.models import ReviewThresholds, Status
from roadmap.quarters import Quarter
from tests.factories import (
    make_item,
    make_metric,
    make_person,
    make_persona,
    make_product,
    make_reading,
    triage,
)

DASHBOARD = reverse("roadmap:dashboard")
NOW = Quarter.current()


def record_series(metric, product, values, by):
    """One reading a month, the last one this month."""
    for back, value in enumerate(reversed(values)):
        make_reading(metric, product, months_back(this_month(), back), value, by=by)


@pytest.fixture
def expenses(db, pm, admin_person):
    """Revenue rising, daily active users falling, and this quarter's plan 60% customers
    only."""
    product = make_product(name="Expenses")
    revenue = make_metric(side="customer", name="Revenue")
    active = make_metric(side="user", name="Daily active users")
    record_series(revenue, product, [100, 104, 110, 120], admin_person)
    record_series(active, product, [1000, 990, 950, 836], admin_person)
    buyer, employee = make_persona(side="customer"), make_persona(side="user")
    for n in range(5):
        item = make_item(product=product, owner=pm, horizon="now", target_quarter=str(NOW))
        triage(item, [buyer] if n < 3 else [employee, buyer] if n == 3 else [employee], by=pm)
    return product


def test_a_lead_reads_high_revenue_with_poor_engagement_beside_the_balance(lead_client,
                                                                            expenses):
    response = lead_client.get(DASHBOARD)
    assertContains(response, "High revenue with poor engagement")
    assertContains(response, "Customer metrics are rising (revenue rose 15%) while user metrics "
                             "fall (daily active users fell 16%) over the last three months. "
                             f"60% of the triaged items planned for {NOW.label()} are customers "
                             "only.")
    assertContains(response, f'>110</span> → </span><span class="reading" '
                             f'title="{this_month():%Y-%m}">120</span>')
    assertNotContains(response, "High engagement with weak monetisation")


def test_the_quarters_balance_follows_the_product_and_owner_filters(lead_client, pm,
                                                                   expenses):
    """As the targets panel counts the quarter: the product and owner filters apply; the
    horizon's does not (the quarter's plan has every horizon in it)."""
    employee = make_persona(side="user")
    other = make_person(roles.PRODUCT_MANAGER)
    for _ in range(5):
        triage(make_item(product=expenses, owner=other, horizon="later",
                         target_quarter=str(NOW)), [employee], by=pm)
    planned = f"of the triaged items planned for {NOW.label()} are"
    assertContains(lead_client.get(DASHBOARD), f"60% {planned} users only.")  # 6 of 10
    assertContains(lead_client.get(DASHBOARD, {"owner": pm.username}),
                   f"60% {planned} customers only.")  # 3 of 5
    assertContains(lead_client.get(DASHBOARD, {"horizon": "now"}), f"60% {planned} users only.")


def test_each_product_reads_its_quarters_balance_and_numbers_in_one_line(lead_client,
                                                                        expenses):
    response = lead_client.get(DASHBOARD)
    assertContains(response, f'<p class="health-headline"><strong>{NOW.label()}:</strong> '
                             "60% customers only while daily active users fell 16%.</p>",
                   html=True)
    assertContains(response, f"<caption>Planned for {NOW.label()} (5 triaged)</caption>",
                   html=True)
    assertContains(response, f"?product={expenses.slug}&amp;target_quarter={NOW}")


def test_the_balance_counts_only_the_quarters_plan(lead_client, expenses, pm, buyer,
                                                   employee):
    # Not this quarter's plan: no quarter, next quarter, dropped. Shipped still counts.
    for quarter, status in [("", Status.IDEA), (str(NOW.next()), Status.IDEA),
                            (str(NOW), Status.DROPPED)]:
        triage(make_item(product=expenses, horizon="now", target_quarter=quarter,
                         status=status), [buyer], by=pm)
    triage(make_item(product=expenses, target_quarter=str(NOW), status=Status.SHIPPED),
           [employee], by=pm)
    response = lead_client.get(DASHBOARD)
    assertContains(response, f"<caption>Planned for {NOW.label()} (6 triaged)</caption>",
                   html=True)
    assertContains(response, "50% customers only while daily active users fell 16%.")


def test_a_quarter_without_a_triaged_plan_says_so(lead_client, admin_person, db):
    product = make_product(name="Travel")
    record_series(make_metric(side="user", name="Retention"), product, [40, 44],
                  admin_person)
    make_item(product=product, target_quarter=str(NOW))  # untriaged
    response = lead_client.get(DASHBOARD)
    assertContains(response, f"<strong>{NOW.label()}:</strong> no triaged items are planned "
                             "for it yet.")


def test_the_other_side_without_a_trend_is_named(lead_client, pm, admin_person, buyer, db):
    product = make_product(name="Travel")
    record_series(make_metric(side="customer", name="Revenue"), product, [10, 12],
                  admin_person)
    triage(make_item(product=product, target_quarter=str(NOW)), [buyer], by=pm)
    response = lead_client.get(DASHBOARD)
    assertContains(response, "100% customers only while users\u2019 metrics have not enough "
                             "recent readings for a trend.")


def test_the_other_sides_flat_metrics_read_flat_not_fell_0(lead_client, pm, admin_person,
                                                          buyer, db):
    product = make_product(name="Travel")
    record_series(make_metric(side="user", name="Retention"), product, [80, 80, 80.2],
                  admin_person)
    triage(make_item(product=product, target_quarter=str(NOW)), [buyer], by=pm)
    response = lead_client.get(DASHBOARD)
    assertContains(response, "100% customers only while users\u2019 metrics are flat.")


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


def record_months(metric, product, values_by_months_back, by):
    for back, value in values_by_months_back.items():
        make_reading(metric, product, months_back(this_month(), back), value, by=by)


@pytest.fixture
def notes(db, admin_person):
    """Renewal flat for the last three months; retention to be recorded by each test."""
    product = make_product(name="Notes")
    record_series(make_metric(side="customer", name="Renewal rate"), product, [90, 90, 89],
                  admin_person)
    return product


@pytest.mark.parametrize("months", [
    {4: 40, 3: 44, 0: 48},  # January, February, May: a gap before the last one
    {2: 40, 0: 48},  # two months apart
    {5: 40, 4: 44, 3: 48},  # three in a row, but none since
    {1: 44, 0: 48},  # only two
], ids=["gap", "two-apart", "paused", "two-readings"])
def test_a_trend_needs_the_last_three_months_in_a_row(lead_client, admin_person, notes,
                                                       months):
    record_months(make_metric(side="user", name="Retention"), notes, months, admin_person)
    response = lead_client.get(DASHBOARD)
    assertContains(response, "Not enough recent readings")
    assertNotContains(response, "High engagement with weak monetisation")
    assertNotContains(response, "retention rose")


def test_three_months_in_a_row_to_last_month_are_a_trend(lead_client, admin_person, notes):
    # This month's reading may not be in yet; an older one before a gap is not compared.
    record_months(make_metric(side="user", name="Retention"), notes,
                  {6: 10, 3: 40, 2: 44, 1: 48}, admin_person)
    response = lead_client.get(DASHBOARD)
    assertContains(response, "User metrics are rising (retention rose 20%)")
    assertContains(response, f'title="{months_back(this_month(), 3):%Y-%m}">40</span>')


def test_the_sparkline_places_readings_by_month_so_a_gap_shows(lead_client, admin_person,
                                                              notes):
    record_months(make_metric(side="user", name="Retention"), notes, {4: 40, 3: 44, 0: 48},
                  admin_person)
    response = lead_client.get(DASHBOARD)
    assertContains(response, '<polyline points="0.0,26.0 30.0,14.0 120.0,2.0"/>')


def test_a_gap_shows_only_the_latest_reading(lead_client, admin_person, notes):
    record_months(make_metric(side="user", name="Retention"), notes, {4: 40, 3: 44, 0: 48},
                  admin_person)
    response = lead_client.get(DASHBOARD)
    assertContains(response, f'<td class="num readings"><span class="reading" '
                             f'title="{this_month():%Y-%m}">48</span></td>', html=True)


def test_the_panel_reuses_the_plan_the_targets_panel_counted(lead_client, expenses):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    lead_client.get(DASHBOARD)  # begun quarters' plans are counted once, then kept
    with CaptureQueriesContext(connection) as with_readings:
        response = lead_client.get(DASHBOARD)
    assertContains(response, f"60% of the triaged items planned for {NOW.label()} are customers")
    MetricReading.objects.all().delete()
    with CaptureQueriesContext(connection) as without_readings:
        lead_client.get(DASHBOARD)
    # With readings to judge, the panel reads them and no class mix of its own.
    assert len(with_readings.captured_queries) == len(without_readings.captured_queries)
