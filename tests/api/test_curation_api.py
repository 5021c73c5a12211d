from personas.models import Archetype, Persona
from tests.factories import make_item, make_metric, make_persona, make_product, triage


def test_an_admin_creates_a_persona_on_the_audit_trail(admin_api, admin_person):
    metric = make_metric(side="customer", name="Renewal rate")
    response = admin_api.post("/api/personas", {
        "name": "Procurement lead", "side": "customer", "archetype": "buyer",
        "metrics": [metric.pk]}, content_type="application/json")
    assert response.status_code == 201, response.json()
    persona = Persona.objects.get(name="Procurement lead")
    assert (persona.slug, list(persona.metrics.all())) == ("procurement-lead", [metric])
    assert persona.history.first().history_user == admin_person


def test_a_persona_of_an_archetype_an_admin_added_goes_through_the_api(admin_api, pm_api):
    guest = Archetype.objects.create(name="Booking guest", key="booking-guest", side="user")
    response = admin_api.post("/api/personas", {
        "name": "Patient", "side": "user", "archetype": guest.key},
        content_type="application/json")
    assert response.status_code == 201, response.json()
    [listed] = pm_api.get("/api/personas").json()
    assert listed["archetype"] == "booking-guest"
    response = admin_api.post("/api/personas", {
        "name": "Wizard", "side": "user", "archetype": "wizard"},
        content_type="application/json")
    assert response.status_code == 422
    assert "archetype" in response.json()["errors"]


def test_a_used_personas_side_cannot_change(admin_api, pm):
    buyer = make_persona(side="customer", name="Buyer")
    triage(make_item(), [buyer], by=pm)
    response = admin_api.patch(f"/api/personas/{buyer.pk}", {"side": "user"},
                               content_type="application/json")
    assert response.status_code == 422
    assert "side is fixed" in response.json()["errors"]["side"][0]
    assert admin_api.patch(f"/api/personas/{buyer.pk}", {"archived": True},
                           content_type="application/json").json()["archived"] is True


def test_a_name_whose_slug_is_taken_is_refused_beside_the_name(admin_api):
    make_product(name="Expenses")
    response = admin_api.post("/api/products", {"name": "expenses"},
                              content_type="application/json")
    assert response.status_code == 422
    assert "name" in response.json()["errors"]


def test_an_admin_edits_a_product_and_a_metric(admin_api):
    product = make_product(name="Expenses")
    metric = make_metric(name="Renewal rate")
    assert admin_api.patch(f"/api/products/{product.pk}", {"description": "Claims"},
                           content_type="application/json").json()["description"] == "Claims"
    assert admin_api.patch(f"/api/metrics/{metric.pk}", {"archived": True},
                           content_type="application/json").json()["archived"] is True


def test_only_admins_curate_whatever_they_send(pm_api, lead_api):
    for client in (pm_api, lead_api):
        for url in ("/api/personas", "/api/metrics", "/api/products"):
            assert client.post(url, {}, content_type="application/json").status_code == 403
