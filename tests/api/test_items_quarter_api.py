from roadmap.models import RoadmapItem
from tests.factories import make_item, make_product


def test_the_api_reads_writes_and_filters_the_quarter_and_shipped_date(pm_api):
    product = make_product()
    response = pm_api.post("/api/items", {"title": "SSO", "product": product.pk,
                                          "target_quarter": "Q1 2027", "status": "shipped",
                                          "shipped_on": "2026-10-05"},
                           content_type="application/json")
    assert response.status_code == 201
    assert (response.json()["target_quarter"], response.json()["shipped_on"]) == (
        "2027-Q1", "2026-10-05")
    make_item(title="Other", product=product)
    body = pm_api.get("/api/items?target_quarter=2027-Q1").json()
    assert [i["title"] for i in body["items"]] == ["SSO"]
    other = pm_api.get("/api/items?target_quarter=2027-Q2").json()
    assert other["count"] == 0
    item = RoadmapItem.objects.get(title="SSO")
    response = pm_api.patch(f"/api/items/{item.pk}", {"target_quarter": "2027-Q9",
                                                      "version": item.version},
                            content_type="application/json")
    assert response.status_code == 422
    assert set(response.json()["errors"]) == {"target_quarter"}
    response = pm_api.patch(f"/api/items/{item.pk}", {"status": "planned",
                                                      "version": item.version},
                            content_type="application/json")
    assert (response.json()["status"], response.json()["shipped_on"]) == ("planned", None)
