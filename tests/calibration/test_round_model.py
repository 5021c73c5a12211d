from datetime import datetime

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from calibration.models import Round, RoundAnswer, RoundItem, RoundRefused
from calibration.results import RoundResults
from roadmap import roles
from roadmap.models import EditConflict, RoadmapItem, Triage
from tests.factories import (
    answer_round,
    make_item,
    make_person,
    make_persona,
    make_round,
    triage,
)


@pytest.fixture
def pm2(db):
    return make_person(roles.PRODUCT_MANAGER, first_name="Marco", last_name="Rossi")


@pytest.fixture
def items(db):
    return [make_item(title=f"Item {n}") for n in range(3)]


def test_a_round_needs_two_pms_and_an_item(pm, lead, items):
    with pytest.raises(ValidationError) as refused:
        make_round([pm], items, by=lead)
    assert "at least two product managers" in str(refused.value)
    with pytest.raises(ValidationError) as refused:
        make_round([pm, make_person(roles.PRODUCT_MANAGER)], [], by=lead)
    assert "at least one item" in str(refused.value)
    assert not Round.objects.exists()


def test_a_team_lead_rates_only_when_also_a_pm(pm, lead, items):
    with pytest.raises(ValidationError) as refused:
        make_round([pm, lead], items, by=lead)
    assert "Lena Schmidt is not one" in str(refused.value)
    lead.groups.add(pm.groups.get())
    assert make_round([pm, lead], items, by=lead).raters.count() == 2


def test_starting_a_round_is_on_the_audit_trail(pm, pm2, lead, items):
    started = make_round([pm, pm2], items, by=lead)
    record = started.history.get()
    assert (record.history_type, record.history_user) == ("+", lead)
    assert {r.user_id for r in record.raters.all()} == {pm.pk, pm2.pk}
    assert RoundItem.history.filter(round_id=started.pk, history_user=lead).count() == 3


def test_a_round_answer_never_touches_the_items_triage(pm, pm2, lead, items, buyer, employee):
    triage(items[0], [employee], by=pm)
    started = make_round([pm, pm2], items, by=lead)
    answer_round(started, pm, items[0], [buyer])
    items[0].refresh_from_db()
    assert items[0].triage.beneficiary_class == "users"
    assert not Triage.objects.filter(item__in=items[1:]).exists()
    answer = RoundAnswer.objects.get()
    assert (answer.beneficiary_class, answer.history.get().history_user) == ("customers", pm)


def test_answering_again_changes_the_pms_answer(pm, pm2, lead, items, buyer, employee):
    started = make_round([pm, pm2], items, by=lead)
    answer_round(started, pm, items[0], [buyer])
    answer_round(started, pm, items[0], [employee])
    assert list(RoundAnswer.objects.values_list("beneficiary_class", flat=True)) == ["users"]


def test_the_round_closes_by_itself_when_every_pm_is_done(pm, pm2, lead, buyer, employee):
    item = make_item()
    started = make_round([pm, pm2], [item], by=lead)
    answer_round(started, pm, item, [buyer])
    started.refresh_from_db()
    assert not started.is_closed
    answer_round(started, pm2, item, [employee])
    started.refresh_from_db()
    assert started.is_closed and started.closed_by is None
    assert (started.agreed_items, started.compared_items) == (0, 1)


def test_closing_twice_says_it_was_closed(pm, pm2, lead, items):
    started = make_round([pm, pm2], items, by=lead)
    started.close(by=lead)
    with pytest.raises(RoundRefused, match=r"already closed on .* by Lena Schmidt"):
        Round.objects.get(pk=started.pk).close(by=lead)


def test_the_refusal_writes_the_day_as_the_pages_do(pm, pm2, lead, items):
    started = make_round([pm, pm2], items, by=lead)
    started.close(by=lead)
    closed_at = timezone.make_aware(datetime(2026, 12, 1, 15, 58))
    Round.objects.filter(pk=started.pk).update(closed_at=closed_at)
    with pytest.raises(RoundRefused, match=r"already closed on 1 Dec 2026, 15:58 by"):
        Round.objects.get(pk=started.pk).close(by=lead)


def test_answering_a_closed_round_is_refused(pm, pm2, lead, items, buyer):
    started = make_round([pm, pm2], items, by=lead)
    started.close(by=lead)
    with pytest.raises(RoundRefused, match="round closed on"):
        answer_round(started, pm, items[0], [buyer])
    assert not RoundAnswer.objects.exists()


def test_answering_a_deleted_item_is_refused(pm, pm2, lead, items, buyer):
    started = make_round([pm, pm2], items, by=lead)
    gone = items[0]
    RoadmapItem.objects.filter(pk=gone.pk).delete()  # while the PM's page still shows it
    with pytest.raises(RoundRefused, match="deleted from the roadmap"):
        answer_round(started, pm, gone, [buyer])
    assert not RoundAnswer.objects.exists()


def test_the_queue_walks_unanswered_items_in_order_and_skips(pm, pm2, lead, items, buyer):
    started = make_round([pm, pm2], items, by=lead)
    assert started.next_for(pm) == items[0]
    assert started.next_for(pm, after=items[0].pk) == items[1]
    answer_round(started, pm, items[1], [buyer])
    assert started.next_for(pm, after=items[0].pk) == items[2]
    assert started.next_for(pm2) == items[0]  # each PM's progress is their own


def closed_round(pm, pm2, lead, buyer, employee):
    items = [make_item(title=f"Item {n}") for n in range(4)]
    started = make_round([pm, pm2], items, by=lead)
    for item in items:
        answer_round(started, pm, item, [buyer])
    answer_round(started, pm2, items[0], [buyer])
    answer_round(started, pm2, items[1], [buyer])
    answer_round(started, pm2, items[2], [employee], value="They see it first.")
    answer_round(started, pm2, items[3], [buyer, employee], whose_problem="user")
    started.refresh_from_db()
    return started, items


def test_results_measure_agreement_pairs_and_disagreements(pm, pm2, lead, buyer, employee):
    started, items = closed_round(pm, pm2, lead, buyer, employee)
    results = RoundResults(started)
    # pm2 first (Marco before Priya). Classes: C/C, C/C, U/C, B/C.
    # Observed 2/4. Marco: C 2, U 1, B 1; Priya: C 4. Chance 2/4 * 4/4 = 0.5: kappa 0.
    agreement = results.class_agreement
    assert (agreement.agreed, agreement.items, agreement.share) == (2, 4, 50)
    assert agreement.kappa == 0
    assert "Priya Menon gave “Customers only” to every item" in agreement.kappa_note
    [pair] = results.pairs()
    assert (pair.agreed, pair.items) == (2, 4)
    rows = {klass.value: counts for klass, counts, _ in pair.confusion}
    assert rows == {"customers": [2, 0, 0], "users": [1, 0, 0], "both": [1, 0, 0]}
    assert [d.entry.item for d in results.disagreements()] == items[2:]
    assert started.agreement_share == 50


def test_results_leave_out_items_not_every_pm_answered(pm, pm2, lead, items, buyer):
    started = make_round([pm, pm2], items, by=lead)
    answer_round(started, pm, items[0], [buyer])
    answer_round(started, pm2, items[0], [buyer])
    answer_round(started, pm, items[1], [buyer])
    started.close(by=lead)
    results = RoundResults(started)
    assert results.left_out == 2
    assert results.class_agreement.kappa is None
    assert "Not defined" in results.class_agreement.kappa_note


def test_adopting_an_answer_triages_the_item_naming_the_round(pm, pm2, lead, buyer,
                                                            employee):
    started, items = closed_round(pm, pm2, lead, buyer, employee)
    entry = RoundItem.objects.get(round=started, item=items[2])
    item = entry.item
    entry.resolve(adopt_from=pm2, by=lead, expected_version=item.version)
    item.refresh_from_db()
    assert item.triage.beneficiary_class == "users"
    assert item.triage.value_for_other_side == "They see it first."
    record = Triage.history.filter(item_id=item.pk).latest("history_id")
    assert record.history_user == lead
    assert record.history_change_reason == "Marco Rossi's answer in calibration round " \
                                           "“Q3 calibration”"
    entry.refresh_from_db()
    assert (entry.resolution, entry.adopted_from, entry.resolved_by) == ("adopted", pm2, lead)
    assert entry.history.latest("history_id").history_user == lead


def test_adopting_over_a_triage_saved_since_is_refused(pm, pm2, lead, buyer, employee):
    started, items = closed_round(pm, pm2, lead, buyer, employee)
    entry = RoundItem.objects.get(round=started, item=items[2])
    seen = entry.item.version
    triage(items[2], [buyer], by=pm)
    with pytest.raises(EditConflict):
        entry.resolve(adopt_from=pm2, by=lead, expected_version=seen)
    entry.refresh_from_db()
    assert entry.resolution == ""
    assert Triage.objects.get(item=items[2]).beneficiary_class == "customers"


def test_keeping_the_current_triage_changes_nothing_but_the_resolution(pm, pm2, lead, buyer,
                                                                     employee):
    started, items = closed_round(pm, pm2, lead, buyer, employee)
    entry = RoundItem.objects.get(round=started, item=items[3])
    entry.resolve(adopt_from=None, by=lead, expected_version=entry.item.version)
    assert not Triage.objects.filter(item=items[3]).exists()
    assert RoundItem.objects.get(pk=entry.pk).resolution == "kept"
    # The round's answers stay readable afterwards.
    assert RoundResults(started).class_agreement.items == 4


def test_a_disagreement_is_settled_only_after_the_round_closes(pm, pm2, lead, items):
    started = make_round([pm, pm2], items, by=lead)
    entry = RoundItem.objects.get(round=started, item=items[0])
    with pytest.raises(RoundRefused, match="once the round is closed"):
        entry.resolve(adopt_from=pm, by=lead, expected_version=items[0].version)


def test_a_persona_on_the_wrong_side_as_indirect_is_refused(pm, pm2, lead, items, buyer):
    started = make_round([pm, pm2], items, by=lead)
    with pytest.raises(ValidationError):
        started.record_answer(rater=pm, item=items[0], primary_beneficiaries=[buyer],
                              whose_problem="customer",
                              indirect_beneficiaries=[make_persona(side="customer")])
    assert not RoundAnswer.objects.exists()
