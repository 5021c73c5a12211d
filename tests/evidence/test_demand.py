"""Demand per item and side, and the tag that disagrees with the evidence: counted in SQL."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from evidence.demand import Mismatch, demand_for, mismatched
from evidence.extension import describe_mismatch
from evidence.value import suggestions
from roadmap.extensions import Suggestion
from roadmap.models import ReviewThresholds, RoadmapItem
from tests.factories import make_company, make_item, make_note, make_persona, triage


def demand(item):
    return demand_for([item.pk])[item.pk]


def test_notes_and_scores_are_counted_per_side(pm, item, buyer, employee):
    make_note(buyer, by=pm, items=[item], importance=3)  # blocker: weight 4
    make_note(buyer, by=pm, items=[item], importance=0)  # nice to have: weight 1
    make_note(employee, by=pm, items=[item], importance=1)
    make_note(employee, by=pm, items=[make_item()], importance=3)  # another item's
    counted = demand(item)
    assert (counted.customer_notes, counted.customer_score) == (2, 5)
    assert (counted.user_notes, counted.user_score) == (1, 2)
    assert counted.end_user_mentions == 1
    assert (counted.customer_share, counted.user_share) == (71, 29)


def test_each_company_counts_once_and_archived_ones_not_at_all(pm, item, buyer, employee):
    today = timezone.localdate()
    acme = make_company("Acme", arr=Decimal("420000"), renewal_date=today + timedelta(days=60))
    globex = make_company("Globex", arr=Decimal("100000"),
                          renewal_date=today + timedelta(days=200))
    gone = make_company("Gone", arr=Decimal("999999"), archived=True)
    for persona in (buyer, employee, buyer):
        make_note(persona, by=pm, items=[item], company=acme)
    make_note(buyer, by=pm, items=[item], company=globex)
    make_note(buyer, by=pm, items=[item], company=gone)
    counted = demand(item)
    assert counted.companies == 2
    assert counted.arr == Decimal("520000")
    assert (counted.renewing, counted.renewing_arr) == (1, Decimal("420000"))
    assert counted.next_renewal_days == 60


def test_an_overdue_renewal_is_at_stake_too(pm, item, buyer):
    make_note(buyer, by=pm, items=[item], company=make_company(
        arr=Decimal(5000), renewal_date=timezone.localdate() - timedelta(days=3)))
    assert demand(item).renewing_arr == Decimal(5000)
    assert demand(item).overdue_days == 3


def test_an_item_without_notes_has_empty_demand(item):
    counted = demand(item)
    assert (counted.notes, counted.companies, counted.arr, counted.mismatch) == (0, 0, 0, "")


# Beside these customer notes, one user note of weight 1 (two for the three-note case).
@pytest.mark.parametrize("importances, flagged", [
    ([1, 1], True),  # 4 of 5 weight from customers: 80%
    ([1], False),  # 2 of 3: 67%, under 70%
    ([0, 0, 0], False),  # 3 of 5: 60%
    ([3, 1], True),  # 6 of 7: 86%
])
def test_users_only_item_with_mostly_customer_evidence_is_flagged(
        pm, item, buyer, employee, importances, flagged):
    triage(item, [employee], by=pm)
    if len(importances) == 3:
        make_note(employee, by=pm, items=[item], importance=0)
        make_note(employee, by=pm, items=[item], importance=0)
    else:
        make_note(employee, by=pm, items=[item], importance=0)
    for importance in importances:
        make_note(buyer, by=pm, items=[item], importance=importance)
    counted = demand(item)
    assert (counted.mismatch == Mismatch.CUSTOMER_EVIDENCE) is flagged
    assert mismatched(RoadmapItem.objects.all()).exists() is flagged


def test_customers_only_item_with_mostly_user_evidence_is_flagged_with_its_numbers(
        pm, item, buyer, employee):
    triage(item, [buyer], by=pm)
    make_note(employee, by=pm, items=[item], importance=3)
    make_note(employee, by=pm, items=[item], importance=2)
    make_note(buyer, by=pm, items=[item], importance=0)
    item = RoadmapItem.objects.for_triage().get(pk=item.pk)
    counted = demand(item)
    assert counted.mismatch == Mismatch.USER_EVIDENCE
    assert describe_mismatch(item, counted) == (
        "Tagged customers only, but 88% of the evidence weight (7 of 8, 3 notes) comes from "
        "users.")


def test_whose_problem_against_the_requester_and_the_evidence_is_flagged(pm, buyer, employee):
    item = make_item(requesting_persona=employee)
    triage(item, [buyer, employee], by=pm, whose_problem="customer")
    make_note(employee, by=pm, items=[item])
    make_note(employee, by=pm, items=[item])
    assert demand(item).mismatch == Mismatch.WHOSE_PROBLEM
    # The same answer with a customer requester does not contradict both.
    other = make_item(requesting_persona=buyer)
    triage(other, [buyer, employee], by=pm, whose_problem="customer")
    make_note(employee, by=pm, items=[other])
    make_note(employee, by=pm, items=[other])
    assert demand(other).mismatch == Mismatch.NONE


def test_retriaging_or_adding_evidence_clears_the_flag(pm, item, buyer, employee):
    triage(item, [employee], by=pm)
    make_note(buyer, by=pm, items=[item])
    make_note(buyer, by=pm, items=[item])
    assert demand(item).mismatch == Mismatch.CUSTOMER_EVIDENCE
    item.refresh_from_db()
    triage(item, [buyer, employee], by=pm)
    assert demand(item).mismatch == Mismatch.NONE
    other = make_item()
    triage(other, [employee], by=pm)
    make_note(buyer, by=pm, items=[other])
    make_note(buyer, by=pm, items=[other])
    for _ in range(3):
        make_note(employee, by=pm, items=[other], importance=3)
    assert demand(other).mismatch == Mismatch.NONE


def test_admins_thresholds_decide_the_flag(pm, item, buyer, employee):
    triage(item, [employee], by=pm)
    make_note(buyer, by=pm, items=[item])
    make_note(buyer, by=pm, items=[item])
    thresholds = ReviewThresholds.current()
    thresholds.evidence_min_notes = 3
    thresholds.save()
    assert demand(item).mismatch == Mismatch.NONE


def test_each_thresholds_count_with_their_own_numbers_one_after_another(
        pm, item, buyer, employee):
    # The statement is kept per thresholds: going back to one kept before reads it again.
    triage(item, [employee], by=pm)
    for _ in range(3):
        make_note(buyer, by=pm, items=[item])
    make_note(employee, by=pm, items=[item])  # 3 of 4 weight from customers: 75%
    lenient, strict = ReviewThresholds(evidence_share=70), ReviewThresholds(evidence_share=80)
    flags = [demand_for([item.pk], thresholds=thresholds)[item.pk].mismatch
             for thresholds in (lenient, strict, lenient, strict)]
    assert flags == [Mismatch.CUSTOMER_EVIDENCE, Mismatch.NONE] * 2


def test_untriaged_items_are_never_flagged(pm, item, buyer):
    make_note(buyer, by=pm, items=[item])
    make_note(buyer, by=pm, items=[item])
    assert demand(item).mismatch == Mismatch.NONE


def test_suggestions_show_their_arithmetic(pm, item, buyer, employee):
    acme = make_company("Acme", arr=Decimal(420000),
                        renewal_date=timezone.localdate() + timedelta(days=60))
    make_company("Rest", arr=Decimal(580000))
    for _ in range(3):
        make_note(buyer, by=pm, items=[item], company=acme, importance=1)
    make_note(employee, by=pm, items=[item], importance=3)
    suggested = suggestions(demand(item))
    customer, user = suggested["customer_value"], suggested["user_value"]
    assert customer.reasons == (
        "3 customer-side notes, score 6 (4 to 9: medium)",
        "1 company asking, $420K revenue, 42.0% of all (15% or more: high)",
        "1 renewing within 90 days, the next in 60 days (one level up)",
    )
    assert (customer.value, customer.label) == (3, "High")
    assert user == Suggestion(2, "Medium", ("1 end-user mention, score 4 (4 to 9: medium)",))


def test_no_evidence_no_suggestion(item):
    assert suggestions(demand(item)) == {}


def test_demand_for_many_items_takes_a_fixed_number_of_queries(
        pm, buyer, employee, django_assert_num_queries):
    items = [make_item() for _ in range(5)]
    company = make_company(arr=Decimal(10))
    for item in items:
        make_note(buyer, by=pm, items=[item], company=company)
        make_note(employee, by=pm, items=[item])
    with django_assert_num_queries(3):  # thresholds, sums per side, companies
        counted = demand_for([item.pk for item in items])
    assert {d.companies for d in counted.values()} == {1}


def test_a_note_from_someone_who_pays_and_uses_counts_for_both_sides(pm, item, buyer):
    owner = make_persona(side="both", name="Small-business owner")
    triage(item, [buyer], by=pm)
    make_note(owner, by=pm, items=[item], importance=3)
    make_note(owner, by=pm, items=[item], importance=3)
    counted = demand(item)
    assert (counted.customer_notes, counted.customer_score) == (2, 8)
    assert (counted.user_notes, counted.user_score) == (2, 8)
    assert (counted.customer_share, counted.user_share) == (50, 50)
    assert counted.mismatch == Mismatch.NONE
