import pytest
from django.test import Client
from django.urls import reverse
from pytest_django.asserts import assertContains

from tests.factories import make_item


def test_an_unknown_api_path_is_a_json_404(pm_api):
    response = pm_api.get("/api/no-such-thing")
    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
    assert response.json()["errors"] == {}


def test_a_missing_item_is_a_json_404(pm_api):
    response = pm_api.get("/api/items/999999")
    assert response.status_code == 404
    assert "Not found" in response.json()["detail"]


def test_a_method_not_allowed_is_a_json_405(pm_api, pm):
    item = make_item(owner=pm)
    response = pm_api.delete(f"/api/items/{item.pk}")
    assert response.status_code == 405
    assert response["Allow"] == "GET, PATCH"
    assert response.json()["detail"] == "DELETE is not allowed here; use GET, PATCH."


def test_a_body_that_is_not_json_is_a_400(pm_api):
    response = pm_api.post("/api/items", "{not json", content_type="application/json")
    assert response.status_code == 400
    assert response.json()["detail"]


def test_a_too_large_body_is_a_413(pm_api, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    response = pm_api.post("/api/items", {"title": "x" * 2000, "product": 1},
                           content_type="application/json")
    assert response.status_code == 413
    assert response.json()["detail"] == "The request body is too large."


@pytest.mark.parametrize("body", [{"title": 3, "product": "one"}, {"product": [1]}, []])
def test_a_wrong_type_names_each_field(pm_api, body):
    response = pm_api.post("/api/items", body, content_type="application/json")
    assert response.status_code == 422
    assert response.json()["errors"]


def test_the_schema_needs_a_sign_in(db):
    assert Client().get("/api/openapi.json").status_code == 401


def test_the_schema_documents_the_list_filters_and_the_token(pm_api):
    schema = pm_api.get("/api/openapi.json").json()
    listing = schema["paths"]["/api/items"]["get"]
    names = {p["name"] for p in listing["parameters"]}
    assert {"product", "status", "horizon", "beneficiary_class", "page", "page_size"} <= names
    assert {"type": "http", "scheme": "bearer"}.items() <= \
        schema["components"]["securitySchemes"]["BearerToken"].items()


def test_the_docs_page_loads_its_assets_from_this_site(pm_client):
    response = pm_client.get("/api/docs")
    assert response.status_code == 200
    html = response.content.decode()
    assert "/static/ninja/swagger-ui-bundle.js" in html
    assert "https://" not in html  # no CDN


def test_the_docs_page_links_back_to_the_roadmap(pm_client):
    response = pm_client.get("/api/docs")
    assertContains(response, '<nav aria-label="Main">')
    assertContains(response, f'<a href="{reverse("roadmap:item-list")}">Back to the roadmap</a>',
                   html=True)
    assertContains(response, '<main id="main">')


def test_the_docs_page_sends_people_to_sign_in(client, db):
    response = client.get("/api/docs")
    assert response.status_code == 302
    assert "/login/" in response["Location"]
