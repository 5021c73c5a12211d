"""Archetypes in the admin: the built-in ones stay, admins add their own, each on a side."""

import pytest
from django.urls import reverse
from pytest_django.asserts import assertContains

from personas.models import Archetype, Persona
from tests.factories import make_persona

CHANGELIST = reverse("admin:personas_archetype_changelist")


def test_the_built_in_archetypes_are_there_on_their_sides(db):
    assert [(a.key, a.side) for a in Archetype.objects.all()] == [
        ("buyer", "customer"), ("decision_maker", "customer"), ("administrator", "customer"),
        ("champion", "customer"), ("end_user", "user"), ("power_user", "user"),
        ("occasional_user", "user"),
    ]


def test_an_admin_adds_an_archetype_on_a_side_on_the_audit_trail(admin_client, admin_person):
    response = admin_client.post(reverse("admin:personas_archetype_add"), {
        "name": "Security officer", "key": "security-officer", "side": "customer",
        "description": "Signs off the security review.", "order": 0})
    assert response.status_code == 302
    officer = Archetype.objects.get(name="Security officer")
    assert (officer.key, officer.side, officer.built_in) == ("security-officer", "customer",
                                                             False)
    assert officer.history.get().history_user == admin_person
    # After the built-in ones, in the admin and wherever archetypes are listed.
    assert list(Archetype.objects.values_list("name", flat=True))[-1] == "Security officer"


def test_the_persona_form_offers_the_archetypes_admins_added(admin_client):
    Archetype.objects.create(name="Booking guest", key="booking-guest", side="user")
    response = admin_client.get(reverse("admin:personas_persona_add"))
    assertContains(response, '<option value="booking-guest">Booking guest</option>', html=True)
    admin_client.post(reverse("admin:personas_persona_add"), {
        "name": "Patient booking online", "slug": "patient", "side": "user",
        "archetype": "booking-guest", "description": "", "concerns": "", "order": 0})
    assert Persona.objects.get(slug="patient").archetype.name == "Booking guest"


def test_a_built_in_archetype_keeps_its_key_and_side_and_cannot_be_deleted(admin_client):
    buyer = Archetype.objects.get(key="buyer")
    admin_client.post(reverse("admin:personas_archetype_change", args=[buyer.pk]), {
        "name": "Economic buyer", "key": "x", "side": "user", "description": "", "order": 0})
    buyer.refresh_from_db()
    assert (buyer.name, buyer.key, buyer.side) == ("Economic buyer", "buyer", "customer")
    assert admin_client.get(
        reverse("admin:personas_archetype_delete", args=[buyer.pk])).status_code == 403


def test_a_bulk_delete_that_selects_a_built_in_archetype_is_refused(admin_client):
    Archetype.objects.create(name="Procurement", side="customer")
    response = admin_client.post(CHANGELIST, {
        "action": "delete_selected", "post": "yes",
        "_selected_action": list(Archetype.objects.values_list("pk", flat=True))})
    assert response.status_code == 403
    assert Archetype.objects.count() == 8


def test_an_archetype_personas_name_cannot_be_deleted(admin_client):
    operator = Archetype.objects.create(name="Self-hosting operator", side="customer")
    make_persona(name="Ops lead", archetype_id=operator.key)
    response = admin_client.post(
        reverse("admin:personas_archetype_delete", args=[operator.pk]), {"post": "yes"})
    assertContains(response, "Ops lead")
    assert Archetype.objects.filter(pk=operator.pk).exists()


@pytest.mark.parametrize("side", ["customer", "user", "both"])
def test_an_archetype_is_on_a_side(db, side):
    assert Archetype.objects.create(name=f"Archetype {side}", side=side).get_side_display()


def test_the_changelist_counts_each_archetypes_personas(admin_client):
    make_persona(name="Economic buyer")
    response = admin_client.get(CHANGELIST)
    assertContains(response, '<td class="field-persona_count">1</td>', html=True)
