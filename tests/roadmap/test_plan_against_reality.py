"""Plan against reality: each quarter's plan as the history had it when the quarter began,
against what shipped in it with the class it had then; not today's state."""

from datetime import datetime, time, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from pytest_django.asserts import assertContains

from roadmap.models import QuarterPlan, RoadmapItem, Status, Triage
from roadmap.quarters import Quarter
from roadmap.reality import PlanAgainstReality
from tests.factories import make_item, make_persona, make_product, triage

DASHBOARD = reverse("roadmap:dashboard")
LAST = Quarter.current().previous()


def at(day, hour=12):
    return timezone.make_aware(datetime.combine(day, time(hour)))


def date_history(item, moment):
    """Move every history record of `item` and its triage so far to `moment`."""
    RoadmapItem.history.filter(id=item.pk).update(history_date=moment)
    Triage.history.filter(item_id=item.pk).update(history_date=moment)


def row(reality, quarter):
    return next(r for r in reality.rows if r.quarter == quarter)


def test_the_plan_is_the_history_on_the_quarters_first_day_not_today(pm):
    buyer, employee = make_persona(side="customer"), make_persona(side="user")
    moved = make_item(title="SSO", target_quarter=str(LAST))
    triage(moved, [buyer], by=pm)
    date_history(moved, at(LAST.first_day - timedelta(days=20)))
    # After the quarter began it was re-planned and re-triaged: the plan it began with stays.
    moved.refresh_from_db()
    moved.target_quarter = str(LAST.next())
    moved.save()
    triage(moved, [buyer, employee], by=pm)
    late = make_item(title="Added during the quarter", target_quarter=str(LAST))
    triage(late, [employee], by=pm)
    dropped = make_item(title="Dropped before", target_quarter=str(LAST), status=Status.DROPPED)
    date_history(dropped, at(LAST.first_day - timedelta(days=3)))
    reality = PlanAgainstReality()
    assert row(reality, LAST).planned.counts == {"customers": 1, "users": 0, "both": 0,
                                                 "untriaged": 0}


def test_what_shipped_counts_with_the_class_it_had_on_the_day_it_shipped(pm):
    employee, buyer = make_persona(side="user"), make_persona(side="customer")
    shipped = make_item(title="Offline drafts", status=Status.SHIPPED,
                        shipped_on=LAST.first_day + timedelta(days=10))
    triage(shipped, [employee], by=pm)
    date_history(shipped, at(LAST.first_day + timedelta(days=10)))
    triage(shipped, [employee, buyer], by=pm)  # today: both
    reopened = make_item(title="Reopened", status=Status.SHIPPED,
                         shipped_on=LAST.first_day + timedelta(days=5))
    date_history(reopened, at(LAST.first_day + timedelta(days=5)))
    reopened.refresh_from_db()
    reopened.status = Status.IN_PROGRESS
    reopened.save()
    make_item(title="Shipped today", status=Status.SHIPPED)
    reality = PlanAgainstReality()
    assert row(reality, LAST).shipped.counts == {"customers": 0, "users": 1, "both": 0,
                                                 "untriaged": 1}
    assert row(reality, Quarter.current()).shipped.total == 1


def test_the_product_filter_applies(pm):
    expenses, travel = make_product(name="Expenses"), make_product(name="Travel")
    make_item(product=expenses, status=Status.SHIPPED)
    make_item(product=travel, status=Status.SHIPPED)
    reality = PlanAgainstReality(products=type(expenses).objects.filter(pk=expenses.pk))
    assert row(reality, Quarter.current()).shipped.total == 1


def test_the_dashboard_shows_eight_quarters_as_a_chart_and_a_table(lead_client, pm):
    make_item(title="Shipped", status=Status.SHIPPED)
    response = lead_client.get(DASHBOARD)
    assertContains(response, "Plan against reality")
    for quarter in Quarter.current().last(8):
        assertContains(response, f"<th scope=\"rowgroup\" rowspan=\"2\">{quarter.label()}</th>",
                       html=True)
    assertContains(response, f'aria-label="Shipped in {Quarter.current().label()}: '
                             'Customers only 0, Users only 0, Both 0, Untriaged 1"')


def test_the_chart_costs_the_same_queries_for_more_items_and_history(
        lead_client, pm, django_assert_num_queries):
    buyer = make_persona(side="customer")
    for n in range(3):
        item = make_item(status=Status.SHIPPED, target_quarter=str(LAST))
        triage(item, [buyer], by=pm)
        date_history(item, at(LAST.first_day - timedelta(days=n + 1)))
    with django_assert_num_queries(2):
        PlanAgainstReality()
    for _ in range(10):
        item = make_item(target_quarter=str(LAST.previous()))
        triage(item, [buyer], by=pm)
    with django_assert_num_queries(2):
        PlanAgainstReality()


# Kept plans (roadmap.QuarterPlan): these commit, as production does, so that the history
# stamp a rewrite renews is the one the next view reads.

def planned_last(products=None):
    return row(PlanAgainstReality(products=products), LAST).planned.counts


@pytest.mark.django_db(transaction=True)
def test_a_begun_quarters_plan_is_counted_once_then_read(pm, django_assert_num_queries):
    buyer = make_persona(side="customer")
    sso = make_item(title="SSO", target_quarter=str(LAST))
    triage(sso, [buyer], by=pm)
    date_history(sso, at(LAST.first_day - timedelta(days=20)))
    assert planned_last()["customers"] == 1
    assert QuarterPlan.objects.filter(quarter=str(LAST), benefits="customers").exists()
    with django_assert_num_queries(2):  # the kept plans, what shipped
        assert planned_last()["customers"] == 1


@pytest.mark.django_db(transaction=True)
def test_todays_writes_leave_the_kept_plans_as_they_are(pm, django_assert_num_queries):
    buyer, employee = make_persona(side="customer"), make_persona(side="user")
    sso = make_item(title="SSO", target_quarter=str(LAST))
    triage(sso, [buyer], by=pm)
    date_history(sso, at(LAST.first_day - timedelta(days=20)))
    planned_last()
    # Re-planned, re-triaged, a new item for the quarter, an update() that sends no signal:
    # all dated today, after the quarter began, so its plan is what it was.
    sso.refresh_from_db()
    sso.target_quarter = str(LAST.next())
    sso.save()
    triage(sso, [buyer, employee], by=pm)
    triage(make_item(title="Late", target_quarter=str(LAST)), [employee], by=pm)
    RoadmapItem.objects.filter(pk=sso.pk).update(status=Status.DROPPED)
    with django_assert_num_queries(2):
        assert planned_last() == {"customers": 1, "users": 0, "both": 0, "untriaged": 0}


@pytest.mark.django_db(transaction=True)
def test_rewritten_history_is_counted_again(pm):
    buyer, employee = make_persona(side="customer"), make_persona(side="user")
    sso = make_item(title="SSO", target_quarter=str(LAST))
    triage(sso, [buyer], by=pm)
    date_history(sso, at(LAST.first_day - timedelta(days=20)))
    assert planned_last()["users"] == 0
    offline = make_item(title="Offline drafts", target_quarter=str(LAST))
    triage(offline, [employee], by=pm)
    date_history(offline, at(LAST.first_day - timedelta(days=2)))  # as seed_demo dates them
    assert planned_last() == {"customers": 1, "users": 1, "both": 0, "untriaged": 0}
    RoadmapItem.history.filter(id=offline.pk).delete()
    assert planned_last()["users"] == 0


@pytest.mark.django_db(transaction=True)
def test_kept_plans_answer_the_product_filter(pm):
    expenses, travel = make_product(name="Expenses"), make_product(name="Travel")
    buyer = make_persona(side="customer")
    for product, title in [(expenses, "SSO"), (travel, "Audit log"), (travel, "Roles")]:
        item = make_item(title=title, product=product, target_quarter=str(LAST))
        triage(item, [buyer], by=pm)
        date_history(item, at(LAST.first_day - timedelta(days=5)))
    assert planned_last()["customers"] == 3
    only = type(travel).objects.filter(pk=travel.pk)
    assert planned_last(products=only)["customers"] == 2
    assert planned_last(products=type(travel).objects.none())["customers"] == 0


def test_counting_the_plans_costs_the_same_queries_for_more_history(
        pm, django_assert_num_queries):
    buyer = make_persona(side="customer")

    def add(n):
        for _ in range(n):
            triage(make_item(target_quarter=str(Quarter.current())), [buyer], by=pm)

    add(2)
    # the kept plans (none yet), the history stamp, the count, older rows out, the new rows
    # in, the kept plans again, what shipped
    with django_assert_num_queries(7):
        PlanAgainstReality()
    with django_assert_num_queries(2):
        PlanAgainstReality()
    add(12)
    QuarterPlan.objects.all().delete()
    with django_assert_num_queries(7):
        PlanAgainstReality()
