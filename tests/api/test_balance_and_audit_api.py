from roadmap.models import ReviewThresholds
from tests.factories import make_item, make_persona, make_product, triage


def test_the_balance_is_the_dashboards(lead_api, pm):
    buyer, employee = make_persona(side="customer"), make_persona(side="user", name="Clerk")
    product = make_product(name="Expenses")
    for n in range(3):
        triage(make_item(title=f"Admin {n}", product=product, horizon="now", effort=2),
               [buyer], by=pm)
    triage(make_item(title="Faster", product=product, horizon="later"), [employee], by=pm,
           value="Adoption shows at renewal.")
    make_item(title="Untriaged", product=product, horizon="next")
    body = lead_api.get("/api/balance").json()
    assert body["overall"]["items"] == {"customers": 3, "users": 1, "both": 0, "untriaged": 1}
    assert body["overall"]["effort"]["customers"] == 6
    assert body["overall"]["lacking"] == 3
    assert [h["label"] for h in body["per_horizon"]] == ["Now", "Next", "Later"]
    assert [p["label"] for p in body["per_product"]] == ["Expenses"]
    threshold = ReviewThresholds.current().customers_only_share
    assert body["traps"] == [{"title": "Building only for buyers", "side_label": "customers only",
                              "count": 3, "triaged": 3, "share": 100.0,
                              "threshold": threshold, "scope_label": "the now and next horizons"}]
    users = next(side for side in body["coverage"] if side["side"] == "user")
    assert users["personas"][0]["left_out_near"] is True


def test_the_balance_takes_the_dashboards_filters(lead_api, pm):
    buyer = make_persona(side="customer")
    triage(make_item(horizon="now"), [buyer], by=pm)
    assert lead_api.get("/api/balance?horizon=later").json()["overall"]["total"] == 0
    response = lead_api.get("/api/balance?product=nope")
    assert response.status_code == 422
    assert "product" in response.json()["errors"]


def test_admins_page_through_the_audit_trail_with_a_cursor(admin_api, pm):
    for n in range(5):
        make_product(name=f"Product {n}")
    first = admin_api.get("/api/audit?object_type=product&page_size=2").json()
    assert [e["object_label"] for e in first["entries"]] == ["Product 4", "Product 3"]
    second = admin_api.get(f"/api/audit?object_type=product&page_size=2&cursor={first['next']}")
    assert [e["object_label"] for e in second.json()["entries"]] == ["Product 2", "Product 1"]
    last = admin_api.get(
        f"/api/audit?object_type=product&page_size=2&cursor={second.json()['next']}").json()
    assert [e["object_label"] for e in last["entries"]] == ["Product 0"]
    assert last["next"] is None
    assert first["entries"][0]["action"] == "Created"


def test_the_audit_trail_is_for_admins_whatever_the_query(pm_api, lead_api):
    for client in (pm_api, lead_api):
        response = client.get("/api/audit?page_size=9999")
        assert response.status_code == 403
        assert response.json()["detail"] == "The audit trail is for admins."


def test_a_bad_cursor_is_a_422(admin_api):
    response = admin_api.get("/api/audit?cursor=nope")
    assert response.status_code == 422
    assert "cursor" in response.json()["errors"]


def test_every_kind_of_change_reads_as_text(admin_api, pm, admin_person):
    pm.first_name = "Priyanka"
    pm._history_user = admin_person
    pm.save()
    body = admin_api.get("/api/audit?object_type=person").json()
    assert {"field": "First name", "before": "Priya", "after": "Priyanka"} in \
        body["entries"][0]["changes"]
