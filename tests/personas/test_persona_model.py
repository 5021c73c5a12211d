import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.db.models import ProtectedError

from personas.models import Persona
from tests.factories import make_item, make_persona, triage


def test_persona_gets_a_slug_from_its_name(db):
    assert make_persona(name="IT Administrator").slug == "it-administrator"


def test_active_excludes_archived_personas(db):
    kept = make_persona(name="Kept")
    make_persona(name="Gone", archived=True)
    assert list(Persona.objects.active()) == [kept]


def test_persona_named_by_a_triage_cannot_be_deleted(pm, item, customer_persona):
    triage(item, [customer_persona], by=pm)
    with pytest.raises(ProtectedError):
        customer_persona.delete()
    assert Persona.objects.filter(pk=customer_persona.pk).exists()


def test_persona_named_as_indirect_beneficiary_cannot_be_deleted(
    pm, item, customer_persona, user_persona
):
    triage(item, [customer_persona], by=pm, indirect=[user_persona])
    with pytest.raises(ProtectedError):
        user_persona.delete()


def test_persona_that_requested_an_item_cannot_be_deleted(db, customer_persona):
    make_item(requesting_persona=customer_persona)
    with pytest.raises(ProtectedError):
        customer_persona.delete()


def test_unused_persona_can_be_deleted(db):
    persona = make_persona()
    persona.delete()
    assert not Persona.objects.exists()


def test_side_of_a_persona_in_use_cannot_change(pm, item, customer_persona):
    triage(item, [customer_persona], by=pm)
    customer_persona.side = "user"
    with pytest.raises(ValidationError) as error:
        customer_persona.full_clean()
    assert "side" in error.value.message_dict


def test_side_of_an_unused_persona_can_change(db, customer_persona):
    customer_persona.side = "user"
    customer_persona.full_clean()


def test_database_refuses_an_unknown_side(db):
    with pytest.raises(IntegrityError), transaction.atomic():
        make_persona(side="partner")


def test_database_refuses_an_unknown_archetype(db):
    # Foreign keys are checked at the commit; check them now.
    with pytest.raises(IntegrityError), transaction.atomic():
        make_persona(archetype_id="wizard")
        connection.check_constraints()


def test_persona_names_are_unique(db):
    make_persona(name="Buyer")
    with pytest.raises(IntegrityError), transaction.atomic():
        make_persona(name="Buyer")


def test_a_persona_who_pays_and_uses_is_on_both_sides(db):
    owner = make_persona(side="both", name="Small-business owner")
    owner.refresh_from_db()
    assert owner.get_side_display() == "Pays and uses"
    assert (owner.sides, owner.only_side) == (["customer", "user"], None)
    assert list(Persona.objects.on_side(Persona.Side.USER)) == [owner]
