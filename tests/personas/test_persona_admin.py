"""Curating personas in the admin: usage counts, archive instead of delete, merging."""

from django.urls import reverse
from pytest_django.asserts import assertContains

from personas.models import Persona
from roadmap.models import RoadmapItem, Triage
from tests.factories import make_item, make_metric, make_persona, triage

CHANGELIST = reverse("admin:personas_persona_changelist")


def test_changelist_counts_the_items_that_name_each_persona(admin_client, pm):
    buyer = make_persona(name="Buyer")
    employee = make_persona(side="user", name="Employee")
    triage(make_item(), [buyer], by=pm, indirect=[employee])
    triage(make_item(requesting_persona=buyer), [buyer], by=pm)
    listed = admin_client.get(CHANGELIST).context["cl"].result_list
    counts = {p.name: (p.primary_count, p.indirect_count, p.requested_count) for p in listed}
    assert counts == {"Buyer": (2, 0, 1), "Employee": (0, 1, 0)}


def test_changelist_filters_by_side_and_archetype_and_searches(admin_client):
    make_persona(name="Buyer")
    make_persona(side="user", name="Accountant", archetype_id="power_user")
    response = admin_client.get(CHANGELIST, {"side__exact": "user", "q": "Account"})
    assert [p.name for p in response.context["cl"].result_list] == ["Accountant"]
    response = admin_client.get(CHANGELIST, {"archetype__exact": "buyer"})
    assert [p.name for p in response.context["cl"].result_list] == ["Buyer"]


def test_deleting_a_persona_in_use_explains_to_archive_it(admin_client, pm, customer_persona):
    triage(make_item(), [customer_persona], by=pm)
    url = reverse("admin:personas_persona_delete", args=[customer_persona.pk])
    page = admin_client.get(url)
    assertContains(page, "archive it instead")
    response = admin_client.post(url, {"post": "yes"})
    assert response.status_code == 200
    assertContains(response, "archive it instead")
    assert Persona.objects.filter(pk=customer_persona.pk).exists()


def test_bulk_delete_of_personas_in_use_explains_to_archive_them(admin_client, customer_persona):
    make_item(requesting_persona=customer_persona)
    response = admin_client.post(CHANGELIST, {
        "action": "delete_selected", "_selected_action": [customer_persona.pk], "post": "yes",
    })
    assertContains(response, "archive them instead")
    assert Persona.objects.filter(pk=customer_persona.pk).exists()


def test_an_unused_persona_can_be_deleted(admin_client):
    persona = make_persona(name="Mistake")
    admin_client.post(reverse("admin:personas_persona_delete", args=[persona.pk]), {"post": "yes"})
    assert not Persona.objects.filter(pk=persona.pk).exists()
    assert Persona.history.filter(id=persona.pk, history_type="-").exists()


def merge(admin_client, personas, kept):
    return admin_client.post(CHANGELIST, {
        "action": "merge_personas", "_selected_action": [p.pk for p in personas],
        "kept": kept.pk, "merge": "Merge",
    })


def test_merge_asks_which_persona_to_keep(admin_client):
    a, b = make_persona(name="Buyer"), make_persona(name="Economic buyer")
    response = admin_client.post(CHANGELIST, {
        "action": "merge_personas", "_selected_action": [a.pk, b.pk],
    })
    assertContains(response, "Keep this persona")
    assertContains(response, "Economic buyer")


def test_merge_moves_every_tag_request_and_mention(admin_client, admin_person, pm):
    kept, merged = make_persona(name="Economic buyer"), make_persona(name="Buyer")
    other = make_persona(name="Admin")
    employee = make_persona(side="user", name="Employee")
    merged.metrics.add(make_metric(name="Revenue"))
    tagged = make_item(requesting_persona=merged)
    triage(tagged, [merged, other], by=pm)
    both = make_item()
    triage(both, [merged, kept], by=pm)
    employee_item = make_item()
    triage(employee_item, [employee], by=pm, indirect=[merged], value="Keeps the renewal.")

    response = merge(admin_client, [kept, merged], kept)

    assert response.status_code == 302
    merged.refresh_from_db()
    assert merged.archived
    assert not merged.is_in_use()
    tagged.refresh_from_db()
    assert tagged.requesting_persona == kept
    assert set(tagged.triage.primary_beneficiaries.all()) == {kept, other}
    assert list(Triage.objects.get(item=both).primary_beneficiaries.all()) == [kept]
    assert list(Triage.objects.get(item=employee_item).indirect_beneficiaries.all()) == [kept]
    assert [m.name for m in kept.metrics.all()] == ["Revenue"]


def test_merge_is_on_the_audit_trail(admin_client, admin_person, pm):
    kept, merged = make_persona(name="Economic buyer"), make_persona(name="Buyer")
    item = make_item(requesting_persona=merged)
    triage(item, [merged], by=pm)
    merge(admin_client, [kept, merged], kept)
    reason = "Merged persona “Buyer” into “Economic buyer”"
    for history in [Persona.history.filter(id=merged.pk), Persona.history.filter(id=kept.pk),
                    Triage.history.filter(item_id=item.pk),
                    RoadmapItem.history.filter(id=item.pk)]:
        record = history.latest("history_date", "history_id")
        assert (record.history_user, record.history_change_reason) == (admin_person, reason)
    record = Triage.history.filter(item_id=item.pk).latest("history_date", "history_id")
    assert [row.persona_id for row in record.primary_beneficiaries.all()] == [kept.pk]


def test_merge_bumps_the_item_version_so_an_open_triage_form_is_refused(admin_client, pm):
    kept, merged = make_persona(name="Economic buyer"), make_persona(name="Buyer")
    item = make_item()
    triage(item, [merged], by=pm)
    item.refresh_from_db()
    version = item.version
    merge(admin_client, [kept, merged], kept)
    item.refresh_from_db()
    assert item.version == version + 1


def test_merge_refuses_personas_on_different_sides(admin_client):
    buyer, employee = make_persona(name="Buyer"), make_persona(side="user", name="Employee")
    response = merge(admin_client, [buyer, employee], buyer)
    assertContains(response, "Only personas on the same side can be merged")
    employee.refresh_from_db()
    assert not employee.archived


def test_merge_needs_exactly_two_personas(admin_client):
    personas = [make_persona() for _ in range(3)]
    response = admin_client.post(CHANGELIST, {
        "action": "merge_personas", "_selected_action": [p.pk for p in personas],
    }, follow=True)
    assertContains(response, "Select exactly two personas to merge.")


def test_changing_the_side_of_a_persona_in_use_is_refused(admin_client, pm, customer_persona):
    triage(make_item(), [customer_persona], by=pm)
    response = admin_client.post(
        reverse("admin:personas_persona_change", args=[customer_persona.pk]), {
            "name": customer_persona.name, "slug": customer_persona.slug, "side": "user",
            "archetype": "end_user", "description": "", "concerns": "", "order": 0,
        })
    assertContains(response, "its side is fixed")
    customer_persona.refresh_from_db()
    assert customer_persona.side == "customer"
