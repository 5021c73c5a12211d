import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from roadmap.models import BeneficiaryClass, EditConflict, RoadmapItem, Triage
from tests.factories import make_item, make_metric, make_persona, triage


@pytest.mark.parametrize("sides, expected", [
    (["customer"], BeneficiaryClass.CUSTOMERS),
    (["customer", "customer"], BeneficiaryClass.CUSTOMERS),
    (["user"], BeneficiaryClass.USERS),
    (["customer", "user"], BeneficiaryClass.BOTH),
])
def test_class_is_derived_from_the_sides_of_primary_beneficiaries(pm, item, sides, expected):
    personas = [make_persona(side=side) for side in sides]
    triage(item, personas, by=pm)
    assert Triage.objects.get(item=item).beneficiary_class == expected


def test_retriage_rederives_the_class(pm, item, customer_persona, user_persona):
    triage(item, [customer_persona], by=pm)
    item.refresh_from_db()
    triage(item, [customer_persona, user_persona], by=pm)
    assert Triage.objects.get(item=item).beneficiary_class == BeneficiaryClass.BOTH


def test_clearing_all_personas_returns_the_item_to_untriaged(pm, item, customer_persona):
    triage(item, [customer_persona], by=pm)
    item.refresh_from_db()
    assert triage(item, [], by=pm) is None
    assert RoadmapItem.objects.untriaged().filter(pk=item.pk).exists()
    assert item.current_triage() is None


def test_triage_saves_picks_and_who_triaged(pm, item, customer_persona, user_persona):
    metric = make_metric(side="customer", name="Renewal rate")
    triage(item, [customer_persona], by=pm, value="Renewal keeps access.",
           indirect=[user_persona], metrics=[metric])
    answer = Triage.objects.get(item=item)
    assert list(answer.primary_beneficiaries.all()) == [customer_persona]
    assert list(answer.indirect_beneficiaries.all()) == [user_persona]
    assert list(answer.metrics.all()) == [metric]
    assert answer.value_for_other_side == "Renewal keeps access."
    assert answer.triaged_by == pm


def test_indirect_beneficiary_on_the_benefiting_side_is_refused(pm, item, customer_persona):
    other_customer = make_persona(side="customer")
    with pytest.raises(ValidationError) as error:
        triage(item, [customer_persona], by=pm, indirect=[other_customer])
    assert "indirect_beneficiaries" in error.value.message_dict
    assert not Triage.objects.exists()
    item.refresh_from_db()
    assert item.version == 1


def test_both_sided_answer_drops_the_other_side_question(pm, item, customer_persona, user_persona):
    triage(item, [customer_persona, user_persona], by=pm, value="Ignored", indirect=[user_persona])
    answer = Triage.objects.get(item=item)
    assert answer.value_for_other_side == ""
    assert not answer.indirect_beneficiaries.exists()


def test_one_sided_item_without_value_is_flagged(pm, item, customer_persona):
    triage(item, [customer_persona], by=pm, value="   ")
    assert Triage.objects.get(item=item).lacks_other_side_value
    assert list(RoadmapItem.objects.one_sided_without_value()) == [item]


def test_one_sided_item_with_value_is_not_flagged(pm, item, customer_persona):
    triage(item, [customer_persona], by=pm, value="Keeps the renewal.")
    assert not RoadmapItem.objects.one_sided_without_value().exists()


def test_each_triage_bumps_the_item_version(pm, item, customer_persona):
    triage(item, [customer_persona], by=pm)
    item.refresh_from_db()
    assert item.version == 2


def test_save_from_an_older_version_is_refused(pm, item, customer_persona, user_persona):
    stale_version = item.version
    triage(item, [customer_persona], by=pm)
    with pytest.raises(EditConflict) as conflict:
        item.record_triage(
            primary_beneficiaries=[user_persona], whose_problem="user", triaged_by=pm,
            expected_version=stale_version,
        )
    assert conflict.value.current.version == 2
    assert Triage.objects.get(item=item).beneficiary_class == BeneficiaryClass.CUSTOMERS


def test_each_triage_save_is_one_history_record_with_who_and_picks(
    pm, item, customer_persona, user_persona
):
    triage(item, [customer_persona], by=pm)
    item.refresh_from_db()
    triage(item, [customer_persona, user_persona], by=pm)
    records = list(Triage.history.filter(item_id=item.pk).order_by("history_date"))
    assert len(records) == 2
    assert [r.history_type for r in records] == ["+", "~"]  # created, then changed
    assert [r.history_user for r in records] == [pm, pm]
    assert [r.beneficiary_class for r in records] == ["customers", "both"]
    assert {p.persona for p in records[1].primary_beneficiaries.all()} == {
        customer_persona, user_persona
    }


def test_clearing_a_triage_is_recorded_in_history(pm, item, customer_persona):
    triage(item, [customer_persona], by=pm)
    item.refresh_from_db()
    triage(item, [], by=pm)
    last = Triage.history.filter(item_id=item.pk).latest("history_date")
    assert last.history_type == "-"
    assert last.history_user == pm


def test_database_refuses_a_both_sided_answer_with_other_side_value(pm, item, customer_persona):
    answer = triage(item, [customer_persona], by=pm, value="Keeps the renewal.")
    with pytest.raises(IntegrityError), transaction.atomic():
        Triage.objects.filter(pk=answer.pk).update(beneficiary_class="both")


def test_database_refuses_an_unknown_class(pm, item, customer_persona):
    answer = triage(item, [customer_persona], by=pm)
    with pytest.raises(IntegrityError), transaction.atomic():
        Triage.objects.filter(pk=answer.pk).update(beneficiary_class="everyone")


def test_item_status_and_horizon_are_checked_by_the_database(db):
    with pytest.raises(IntegrityError), transaction.atomic():
        make_item(status="someday")
    with pytest.raises(IntegrityError), transaction.atomic():
        make_item(horizon="never")


def test_a_persona_who_pays_and_uses_makes_the_item_benefit_both_sides(pm, item):
    owner = make_persona(side="both", name="Small-business owner")
    answer = triage(item, [owner], by=pm, whose_problem="user", value="Dropped: both sides.")
    assert answer.beneficiary_class == BeneficiaryClass.BOTH
    assert answer.value_for_other_side == ""


def test_a_persona_who_pays_and_uses_is_never_an_indirect_beneficiary(pm, item,
                                                                      customer_persona):
    owner = make_persona(side="both")
    with pytest.raises(ValidationError):
        triage(item, [customer_persona], by=pm, indirect=[owner])
