"""Each item's counted demand (ItemDemand) is never stale: every write that adds, links,
unlinks or corrects a note counts its items again in the same transaction. Each test
writes the way a person does, then reads what the roadmap list shows."""

from django.urls import reverse
from pytest_django.asserts import assertContains

from evidence.demand import Mismatch, demand_for
from evidence.models import Evidence, ItemDemand
from tests.factories import import_file, make_item, make_note, triage


def counts(item):
    """(customer notes, customer score, user notes, user score) as the list reads them."""
    row = ItemDemand.objects.filter(item=item).first()
    return (row.customer_notes, row.customer_score, row.user_notes, row.user_score) if row \
        else None


def test_a_note_added_on_the_item_page_counts_at_once(pm_client, item, buyer):
    pm_client.post(reverse("evidence:item-notes", args=[item.pk]), {
        "text": "Auditors ask for it.", "persona": buyer.pk, "source": "interview",
        "importance": 3, "observed_on": "2026-11-01"})
    assert counts(item) == (1, 4, 0, 0)
    page = pm_client.get(reverse("roadmap:item-list") + "?sort=-customer_score")
    assert page.context["page"].object_list[0].pk == item.pk


def test_linking_and_unlinking_from_the_inbox_counts_again(pm_client, pm, item, employee):
    note = make_note(employee, by=pm, importance=0)
    assert counts(item) is None
    pm_client.post(reverse("evidence:link", args=[note.pk]), {"item": item.pk})
    assert counts(item) == (0, 0, 1, 1)
    pm_client.post(reverse("evidence:unlink", args=[note.pk]), {"item": item.pk})
    assert counts(item) is None
    assertContains(pm_client.get(reverse("roadmap:item-list") + "?evidence=none"), item.title)


def test_an_edited_note_moves_its_weight_to_the_new_side_and_items(pm_client, pm, item, buyer,
                                                                   employee):
    other = make_item(title="Receipt capture")
    note = make_note(buyer, by=pm, items=[item], importance=1)
    pm_client.post(reverse("evidence:evidence-edit", args=[note.pk]), {
        "text": note.text, "persona": employee.pk, "source": "interview", "importance": 2,
        "observed_on": note.observed_on.isoformat(), "version": note.version})
    assert counts(item) == (0, 0, 1, 3)
    note.refresh_from_db()
    note.save_edit(expected_version=note.version, edited_by=pm, items=[other])
    assert counts(item) is None
    assert counts(other) == (0, 0, 1, 3)


def test_an_admin_correction_counts_again(admin_client, pm, item, buyer, employee):
    note = make_note(buyer, by=pm, items=[item])
    other = make_item(title="Receipt capture")
    response = admin_client.post(reverse("admin:evidence_evidence_change", args=[note.pk]), {
        "text": note.text, "persona": employee.pk, "company": "", "contact_name": "",
        "source": "interview", "link": "", "importance": 3,
        "observed_on": note.observed_on.isoformat(), "items": str(other.pk)})
    assert response.status_code == 302
    assert counts(item) is None
    assert counts(other) == (0, 0, 1, 4)


def test_a_notes_import_counts_its_items(pm, item, buyer):
    data = (f"Text,Persona,Item key\nAuditors ask.,Economic buyer,#{item.pk}\n"
            f"Again,Economic buyer,#{item.pk}\n").encode()
    import_file(data, None, by=pm, kind="notes")
    assert counts(item) == (2, 4, 0, 0)


def test_the_mismatch_follows_a_new_note_and_a_retriage(pm, item, buyer, employee):
    triage(item, [employee], by=pm)
    make_note(buyer, by=pm, items=[item])
    assert demand_for([item.pk])[item.pk].mismatch == Mismatch.NONE  # one note is too few
    make_note(buyer, by=pm, items=[item])
    assert demand_for([item.pk])[item.pk].mismatch == Mismatch.CUSTOMER_EVIDENCE
    triage(item, [buyer, employee], by=pm)
    assert demand_for([item.pk])[item.pk].mismatch == Mismatch.NONE


def test_removing_the_demo_evidence_counts_its_items_again(pm, item, buyer):
    from evidence.seed import NOTES, remove_demo_evidence

    note = make_note(buyer, by=pm, items=[item], text=NOTES[0][-1])

    class Demo:
        scope, logins, kept = None, [pm], []

    remove_demo_evidence(Demo(), by=pm)
    assert not Evidence.objects.filter(pk=note.pk).exists()
    assert counts(item) is None
