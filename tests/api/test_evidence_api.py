"""The evidence API: companies, notes (list, create, link, unlink), and each item's demand
and mismatch in the roadmap's item representation."""

from django.db import connection
from django.test.utils import CaptureQueriesContext

from evidence.models import Evidence
from tests.factories import make_company, make_item, make_note, triage

from .conftest import token_client


def test_companies_are_listed_with_their_revenue_and_filters(pm_api):
    make_company("Acme", arr=420000, segment="enterprise")
    make_company("Globex", arr=90000, archived=True)
    body = pm_api.get("/api/companies").json()
    assert body["count"] == 1
    assert body["items"][0]["name"] == "Acme" and body["items"][0]["arr"] == "420000.00"
    assert pm_api.get("/api/companies", {"archived": "true"}).json()["count"] == 2
    assert pm_api.get("/api/companies", {"sort": "nonsense"}).status_code == 422


def test_a_note_is_recorded_with_its_items_and_on_the_audit_trail(pm, pm_api, item, buyer):
    make_company("Acme")
    response = pm_api.post("/api/evidence", {
        "text": "Auditors ask for SSO.", "persona": buyer.pk, "company": "acme",
        "importance": 3, "items": [item.pk]}, content_type="application/json")
    assert response.status_code == 201, response.json()
    body = response.json()
    assert (body["side"], body["company"]["name"], body["items"]) == ("customer", "Acme",
                                                                      [item.pk])
    note = Evidence.objects.get()
    assert note.history.get().history_user == pm
    listed = pm_api.get("/api/evidence", {"item": item.pk}).json()
    assert [n["id"] for n in listed["items"]] == [note.pk]


def test_bad_input_is_refused_by_field_and_nothing_is_written(pm_api, buyer):
    make_company("Gone", archived=True)
    response = pm_api.post("/api/evidence", {
        "text": "x" * 5001, "persona": buyer.pk, "company": "Gone", "link": "ftp://x",
        "items": [999999]}, content_type="application/json")
    assert response.status_code == 422
    assert set(response.json()["errors"]) == {"items"}
    response = pm_api.post("/api/evidence", {
        "text": "x" * 5001, "persona": buyer.pk, "company": "Gone", "link": "ftp://x"},
        content_type="application/json")
    assert response.status_code == 422
    assert set(response.json()["errors"]) == {"text", "company", "link"}
    assert "Gone is archived" in response.json()["errors"]["company"][0]
    assert not Evidence.objects.exists()


def test_a_note_is_linked_and_unlinked(pm, pm_api, item, employee):
    note = make_note(employee, by=pm)
    assert pm_api.get("/api/evidence", {"unlinked": "true"}).json()["count"] == 1
    linked = pm_api.post(f"/api/evidence/{note.pk}/items", {"item": item.pk},
                         content_type="application/json")
    assert linked.status_code == 200 and linked.json()["items"] == [item.pk]
    assert pm_api.get("/api/evidence", {"unlinked": "true"}).json()["count"] == 0
    unlinked = pm_api.delete(f"/api/evidence/{note.pk}/items/{item.pk}")
    assert unlinked.status_code == 200 and unlinked.json()["items"] == []


def test_no_role_may_not_read_and_a_no_role_token_may_not_write(no_role_person, pm, buyer):
    api = token_client(no_role_person)
    assert api.get("/api/evidence").status_code == 403
    assert api.post("/api/evidence", {"text": "x", "persona": buyer.pk},
                    content_type="application/json").status_code == 403
    note = make_note(buyer, by=pm)
    assert api.post(f"/api/evidence/{note.pk}/items", {"item": 1},
                    content_type="application/json").status_code == 403


def test_an_item_carries_its_demand_and_mismatch(pm, pm_api, item, buyer, employee):
    triage(item, [employee], by=pm)
    make_note(buyer, by=pm, items=[item], importance=3, company=make_company("Acme",
                                                                             arr=420000))
    make_note(buyer, by=pm, items=[item])
    body = pm_api.get(f"/api/items/{item.pk}").json()
    assert body["demand"]["customer"] == {"notes": 2, "score": 6, "share": 100}
    assert body["demand"]["companies"] == 1
    assert body["evidence_mismatch"]["kind"] == "customer_evidence"
    assert body["evidence_mismatch"]["share"] == 100
    other = pm_api.get("/api/items").json()["items"]
    assert other[0]["evidence_mismatch"]["side"] == "customer"


def test_the_item_list_with_demand_keeps_a_fixed_number_of_queries(
        pm, pm_api, buyer, django_assert_num_queries):
    def add(n):
        for _ in range(n):
            make_note(buyer, by=pm, items=[make_item()], company=make_company())

    add(2)
    pm_api.get("/api/items")  # the token's first use is recorded once
    with CaptureQueriesContext(connection) as few:
        pm_api.get("/api/items")
    add(15)
    with django_assert_num_queries(len(few.captured_queries)):
        pm_api.get("/api/items")
