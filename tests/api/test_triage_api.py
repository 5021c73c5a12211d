import pytest

from roadmap.models import RoadmapItem, Triage
from tests.factories import make_item, make_metric, make_persona, review_item, triage


@pytest.fixture
def sides(db):
    return {"buyer": make_persona(side="customer", name="Economic buyer"),
            "admin": make_persona(side="customer", name="IT administrator"),
            "employee": make_persona(side="user", name="Field employee"),
            "revenue": make_metric(side="customer", name="Renewal rate"),
            "adoption": make_metric(side="user", name="Daily active users")}


def put(client, item, body):
    return client.put(f"/api/items/{item.pk}/triage", body, content_type="application/json")


def test_a_pm_triages_an_item_and_the_class_is_derived(pm_api, pm, sides):
    item = make_item(owner=pm)
    response = put(pm_api, item, {
        "primary_beneficiaries": [sides["buyer"].pk], "version": item.version,
        "value_for_other_side": "Passing the audit keeps the renewal.",
        "indirect_beneficiaries": [sides["employee"].pk],
        "metrics": [sides["revenue"].pk, sides["adoption"].pk], "customer_value": 3})
    assert response.status_code == 200
    body = response.json()
    assert body["beneficiary_class"] == "customers"
    assert body["whose_problem"] == "customer"
    assert body["version"] == item.version + 1
    saved = Triage.objects.get(item=item)
    assert saved.triaged_by == pm and saved.customer_value == 3
    assert set(saved.metrics.all()) == {sides["revenue"], sides["adoption"]}
    assert list(saved.indirect_beneficiaries.all()) == [sides["employee"]]


def test_the_class_cannot_be_sent(pm_api, pm, sides):
    item = make_item(owner=pm)
    put(pm_api, item, {"primary_beneficiaries": [sides["buyer"].pk, sides["employee"].pk],
                       "whose_problem": "user", "beneficiary_class": "customers",
                       "version": item.version})
    assert Triage.objects.get(item=item).beneficiary_class == "both"


def test_both_sides_need_whose_problem(pm_api, pm, sides):
    item = make_item(owner=pm)
    response = put(pm_api, item, {"primary_beneficiaries": [sides["buyer"].pk,
                                                            sides["employee"].pk],
                                  "version": item.version})
    assert response.status_code == 422
    assert response.json()["errors"]["whose_problem"] == [
        "Say whose problem it is: the picks are on both sides."]


def test_an_archived_persona_is_refused_by_name(pm_api, pm, sides):
    gone = make_persona(side="customer", name="Procurement", archived=True)
    item = make_item(owner=pm)
    response = put(pm_api, item, {"primary_beneficiaries": [gone.pk], "version": item.version})
    assert response.status_code == 422
    assert response.json()["errors"]["primary_beneficiaries"] == [
        "Procurement is archived and cannot be picked any more."]
    assert not Triage.objects.exists()


def test_indirect_beneficiaries_on_the_same_side_are_refused(pm_api, pm, sides):
    item = make_item(owner=pm)
    response = put(pm_api, item, {"primary_beneficiaries": [sides["buyer"].pk],
                                  "indirect_beneficiaries": [sides["admin"].pk],
                                  "version": item.version})
    assert response.status_code == 422
    assert "indirect_beneficiaries" in response.json()["errors"]


@pytest.mark.parametrize("body", [{}, {"primary_beneficiaries": "x"}, None])
def test_a_team_lead_gets_403_on_a_triage_whatever_the_body(lead_api, pm, sides, body):
    item = make_item(owner=pm)
    response = lead_api.put(f"/api/items/{item.pk}/triage", body,
                            content_type="application/json")
    assert response.status_code == 403
    assert response.json() == {"detail": "Team leads review items; product managers triage "
                                         "them.", "errors": {}}
    assert lead_api.delete(f"/api/items/{item.pk}/triage").status_code == 403


def test_a_stale_triage_is_a_409_with_the_saved_answer(pm_api, pm, sides):
    item = make_item(owner=pm)
    read_at = item.version
    triage(item, [sides["employee"]], by=pm)
    response = put(pm_api, item, {"primary_beneficiaries": [sides["buyer"].pk],
                                  "version": read_at})
    assert response.status_code == 409
    body = response.json()
    assert body["current"]["primary_beneficiaries"] == [sides["employee"].pk]
    assert body["current"]["version"] == read_at + 1
    assert {"field": "Primary beneficiaries", "saved": "Field employee",
            "yours": "Economic buyer"} in body["differences"]
    assert list(Triage.objects.get(item=item).primary_beneficiaries.all()) == [
        sides["employee"]]


def test_the_triage_reads_like_the_form(pm_api, pm, sides):
    item = make_item(owner=pm)
    assert pm_api.get(f"/api/items/{item.pk}/triage").json()["beneficiary_class"] == \
        "untriaged"
    triage(item, [sides["employee"]], by=pm, value="Adoption shows at renewal.")
    body = pm_api.get(f"/api/items/{item.pk}/triage").json()
    assert (body["beneficiary_class"], body["value_for_other_side"]) == (
        "users", "Adoption shows at renewal.")
    assert body["triaged_by"]["username"] == "pm"


def test_delete_makes_the_item_untriaged(pm_api, pm, sides):
    item = make_item(owner=pm)
    triage(item, [sides["buyer"]], by=pm)
    item.refresh_from_db()
    response = pm_api.delete(f"/api/items/{item.pk}/triage?version={item.version}")
    assert response.status_code == 200
    assert response.json()["beneficiary_class"] == "untriaged"
    assert not Triage.objects.exists()
    stale = pm_api.delete(f"/api/items/{item.pk}/triage?version={item.version}")
    assert stale.status_code == 409


def review(client, item, body):
    return client.put(f"/api/items/{item.pk}/review", body, content_type="application/json")


def test_a_team_lead_challenges_with_a_reason(lead_api, lead, pm, sides):
    item = make_item(owner=pm)
    triage(item, [sides["buyer"]], by=pm)
    item.refresh_from_db()
    response = review(lead_api, item, {"verdict": "challenged", "comment": "Who uses it?",
                                       "version": item.version, "review_version": 0})
    assert response.status_code == 200
    assert response.json()["verdict"] == "challenged"
    assert RoadmapItem.objects.get(pk=item.pk).review.reviewed_by == lead


def test_a_challenge_without_a_reason_is_refused(lead_api, pm, sides):
    item = make_item(owner=pm)
    triage(item, [sides["buyer"]], by=pm)
    item.refresh_from_db()
    response = review(lead_api, item, {"verdict": "challenged", "version": item.version,
                                       "review_version": 0})
    assert response.status_code == 422
    assert response.json()["errors"]["comment"] == ["Say why you challenge this item."]


def test_an_untriaged_item_cannot_be_reviewed(lead_api, pm):
    item = make_item(owner=pm)
    response = review(lead_api, item, {"verdict": "accepted", "version": item.version,
                                       "review_version": 0})
    assert response.status_code == 422
    assert "triage it first" in response.json()["detail"]


def test_a_stale_review_is_a_409(lead_api, lead, pm, sides):
    item = make_item(owner=pm)
    triage(item, [sides["buyer"]], by=pm)
    review_item(item, "accepted", "", lead)
    response = review(lead_api, item, {"verdict": "challenged", "comment": "Why?",
                                       "version": item.version, "review_version": 0})
    assert response.status_code == 409
    assert response.json()["current"]["verdict"] == "accepted"


def test_a_pm_gets_403_on_a_review_whatever_the_body(pm_api, pm):
    item = make_item(owner=pm)
    assert review(pm_api, item, {}).status_code == 403


def test_a_persona_who_pays_and_uses_makes_both_with_any_sides_metrics(pm_api, pm, sides):
    owner = make_persona(side="both", name="Freelancer")
    item = make_item(owner=pm)
    response = put(pm_api, item, {"primary_beneficiaries": [owner.pk], "whose_problem": "user",
                                  "metrics": [sides["revenue"].pk, sides["adoption"].pk],
                                  "version": item.version})
    assert response.status_code == 200, response.json()
    assert response.json()["beneficiary_class"] == "both"
    assert set(Triage.objects.get(item=item).metrics.all()) == {sides["revenue"],
                                                                 sides["adoption"]}
