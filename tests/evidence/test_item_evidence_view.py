"""The item page's evidence: demand per side, the mismatch, the notes and the quick-add."""

from decimal import Decimal

from django.urls import reverse
from pytest_django.asserts import assertContains, assertNotContains

from evidence.models import Evidence
from tests.factories import make_company, make_note, make_persona, triage


def add_url(item):
    return reverse("evidence:item-notes", args=[item.pk])


def note_data(persona, **fields):
    return {"text": "Approvals sit for a week.", "persona": persona.pk, "company": "",
            "contact_name": "", "source": "sales_call", "link": "", "importance": 2,
            "observed_on": "2026-11-20", **fields}


def test_item_page_shows_demand_per_side_and_the_mismatch_with_its_numbers(
        pm_client, pm, item, buyer, employee):
    triage(item, [employee], by=pm)
    acme = make_company("Acme", arr=Decimal(420000))
    make_note(buyer, by=pm, items=[item], company=acme, importance=3, text="Fix it or we go.")
    make_note(buyer, by=pm, items=[item], company=acme, importance=2)
    make_note(employee, by=pm, items=[item], importance=0)
    response = pm_client.get(item.get_absolute_url())
    assertContains(response, "The tag disagrees with the evidence.")
    assertContains(response, "Tagged users only, but 88% of the evidence weight (7 of 8, 3 notes)"
                             " comes from customers.")
    assertContains(response, "<strong>1 company</strong> asking, <strong>$420,000</strong>",
                   html=False)
    assertContains(response, "Fix it or we go.")


def test_quick_add_by_htmx_keeps_the_conversation_for_the_next_note(
        pm_client, item, buyer):
    make_company("Acme")
    response = pm_client.post(add_url(item), note_data(buyer, company="acme"),
                              headers={"HX-Request": "true"})
    assert response.status_code == 200
    assert b"<html" not in response.content
    note = Evidence.objects.get()
    assert (note.company.name, list(note.items.all())) == ("Acme", [item])
    assertContains(response, "Next note?")
    assertContains(response, f'<option value="{buyer.pk}" selected>', html=False)
    assertContains(response, 'value="Acme"', html=False)
    assertContains(response, "data-autofocus")
    assertContains(response, "Approvals sit for a week.")  # in the notes list, not the box


def test_quick_add_without_javascript_redirects_to_the_item_keeping_the_persona(
        pm_client, item, buyer):
    response = pm_client.post(add_url(item), note_data(buyer))
    assert response.status_code == 302
    assert response["Location"].startswith(item.get_absolute_url())
    assert f"persona={buyer.pk}" in response["Location"]
    page = pm_client.get(response["Location"])
    assertContains(page, f'<option value="{buyer.pk}" selected>', html=False)


def test_bad_input_is_refused_beside_the_field_and_kept(pm_client, item, buyer):
    archived = make_persona(name="Old buyer", archived=True)
    make_company("Gone Ltd", archived=True)
    response = pm_client.post(add_url(item), note_data(
        archived, text="<script>alert(1)</script>", company="Gone Ltd", link="ftp://x.example",
        importance=7), headers={"HX-Request": "true"})
    assert response.status_code == 200
    assertContains(response, "Old buyer is archived and cannot be picked for new evidence.")
    assertContains(response, "Gone Ltd is archived and cannot be picked for new evidence.")
    assertContains(response, "Enter a web link starting with http:// or https://.")
    assertContains(response, "&lt;script&gt;alert(1)&lt;/script&gt;")
    assertNotContains(response, "<script>alert(1)")
    assert not Evidence.objects.exists()


def test_an_unknown_company_is_named_in_the_error(pm_client, item, buyer):
    response = pm_client.post(add_url(item), note_data(buyer, company="Nobody Inc"))
    assertContains(response, "No company is named “Nobody Inc”.")
    assert not Evidence.objects.exists()


def test_team_leads_add_evidence_too(lead_client, item, buyer):
    assert lead_client.post(add_url(item), note_data(buyer)).status_code == 302
    assert Evidence.objects.get().recorded_by.username == "lead"


def test_a_person_without_a_role_gets_403(no_role_client, item, buyer):
    assert no_role_client.post(add_url(item), note_data(buyer),
                               headers={"HX-Request": "true"}).status_code == 403
    assert not Evidence.objects.exists()


def test_unlinking_from_the_item_sends_the_note_to_the_inbox(pm_client, pm, item, buyer):
    note = make_note(buyer, by=pm, items=[item])
    response = pm_client.post(reverse("evidence:unlink", args=[note.pk]), {"item": item.pk})
    assert response.status_code == 302
    assert list(Evidence.objects.unlinked()) == [note]


def test_item_page_query_count_does_not_grow_with_the_notes(
        pm_client, pm, item, buyer, employee, django_assert_num_queries):
    company = make_company(arr=Decimal(1))
    make_note(buyer, by=pm, items=[item], company=company)
    # tests/roadmap/test_item_detail_view.py says what each query is for
    with django_assert_num_queries(11) as few:
        pm_client.get(item.get_absolute_url())
    for n in range(15):
        make_note(employee if n % 2 else buyer, by=pm, items=[item],
                  company=make_company(arr=Decimal(n)))
    with django_assert_num_queries(len(few.captured_queries)):
        pm_client.get(item.get_absolute_url())
