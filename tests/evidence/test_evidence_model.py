"""Companies and notes: their rules, merges, and evidence never lost."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from evidence.models import Company, Evidence
from personas.models import Persona
from tests.factories import make_company, make_item, make_note, make_persona, triage


def test_a_note_is_recorded_with_its_items_as_one_history_record(pm, item, buyer):
    note = make_note(buyer, by=pm, items=[item], text="SSO or no renewal.")
    assert list(note.items.all()) == [item]
    records = list(note.history.all())
    assert [(r.history_type, r.history_user) for r in records] == [("+", pm)]


def test_linking_twice_changes_nothing_and_unlinking_keeps_the_note(pm, item, buyer):
    note = make_note(buyer, by=pm)
    assert note.link_to(item, linked_by=pm) is True
    assert note.link_to(item, linked_by=pm) is False
    assert Evidence.objects.unlinked().count() == 0
    assert note.unlink_from(item, unlinked_by=pm) is True
    assert list(Evidence.objects.unlinked()) == [note]
    assert note.history.count() == 3


@pytest.mark.parametrize("link", ["ftp://files.example/a", "javascript:alert(1)", "notalink"])
def test_a_link_must_be_http_or_https(pm, buyer, link):
    with pytest.raises(ValidationError) as refused:
        make_note(buyer, by=pm, link=link)
    assert "link" in refused.value.message_dict


def test_the_text_is_at_most_5000_characters_and_the_date_not_in_the_future(pm, buyer):
    with pytest.raises(ValidationError) as refused:
        make_note(buyer, by=pm, text="x" * 5001,
                  observed_on=timezone.localdate() + timedelta(days=1))
    assert set(refused.value.message_dict) == {"text", "observed_on"}


def test_the_database_refuses_a_negative_revenue_or_importance(db, pm, buyer):
    with pytest.raises(IntegrityError), transaction.atomic():
        Company.objects.create(name="Broke", arr=Decimal(-1))
    note = make_note(buyer, by=pm)
    with pytest.raises(IntegrityError), transaction.atomic():
        Evidence.objects.filter(pk=note.pk).update(importance=4)


def test_company_names_are_unique_whatever_their_case(db):
    make_company("Acme")
    with pytest.raises(IntegrityError), transaction.atomic():
        make_company("ACME")


def test_merging_companies_moves_the_notes_and_archives_the_other(pm, admin_person, buyer):
    kept, merged = make_company("Acme"), make_company("Acme Inc")
    note = make_note(buyer, by=pm, company=merged)
    merged.merge_into(kept, merged_by=admin_person)
    note.refresh_from_db()
    merged.refresh_from_db()
    assert note.company == kept and note.version == 2
    assert merged.archived
    record = note.history.latest("history_date", "history_id")
    assert record.history_user == admin_person
    assert record.history_change_reason == "Merged company “Acme Inc” into “Acme”"


def test_merging_personas_moves_their_evidence(pm, admin_person, item):
    kept, merged = make_persona(name="Buyer"), make_persona(name="Purchaser")
    note = make_note(merged, by=pm, items=[item])
    merged.merge_into(kept, merged_by=admin_person)
    note.refresh_from_db()
    assert note.persona == kept
    assert list(note.items.all()) == [item]


def test_a_persona_named_by_evidence_keeps_its_side(pm, buyer):
    make_note(buyer, by=pm)
    buyer.side = Persona.Side.USER
    with pytest.raises(ValidationError) as refused:
        buyer.full_clean()
    assert "side" in refused.value.message_dict


def test_dropping_an_item_keeps_its_evidence(pm, item, buyer):
    note = make_note(buyer, by=pm, items=[item])
    item.status = "dropped"
    item.save_edit(expected_version=item.version, edited_by=pm)
    assert list(note.items.all()) == [item]


def test_renewals_at_risk_wait_only_on_later_untriaged_or_dropped_items(pm, buyer):
    today = timezone.localdate()
    soon = today + timedelta(days=30)
    risky = make_company("Risky", renewal_date=soon)
    make_note(buyer, by=pm, company=risky, items=[make_item(horizon="now")])  # untriaged
    make_note(buyer, by=pm, company=risky, items=[make_item(horizon="later")])
    fine = make_company("Fine", renewal_date=soon)
    planned = make_item(horizon="now")
    triage(planned, [buyer], by=pm)
    make_note(buyer, by=pm, company=fine, items=[planned, make_item(horizon="later")])
    far = make_company("Far", renewal_date=today + timedelta(days=200))
    make_note(buyer, by=pm, company=far, items=[make_item(horizon="later")])
    make_company("Silent", renewal_date=soon)  # asked for nothing
    overdue = make_company("Overdue", renewal_date=today - timedelta(days=5))
    make_note(buyer, by=pm, company=overdue, items=[make_item(status="dropped")])
    assert {c.name for c in Company.objects.at_risk()} == {"Risky", "Overdue"}
