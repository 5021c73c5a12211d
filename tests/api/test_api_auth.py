import logging
from datetime import timedelta

from django.contrib.auth.models import Group
from django.test import Client
from django.utils import timezone

from roadmap import roles
from roadmap.models import RoadmapItem
from tests.api.conftest import token_client
from tests.conftest import logged_in_client
from tests.factories import make_product
from tokens.models import ApiToken


def new_item(product):
    return {"title": "Offline mode", "product": product.pk}


def test_a_token_acts_as_its_person(pm_api, db):
    product = make_product()
    response = pm_api.post("/api/items", new_item(product), content_type="application/json")
    assert response.status_code == 201
    created = RoadmapItem.objects.get(pk=response.json()["id"])
    assert created.history.get().history_user.username == "pm"


def test_no_credentials_is_401_in_the_one_shape(client, db):
    response = client.get("/api/items")
    assert response.status_code == 401
    assert response["WWW-Authenticate"].startswith("Bearer")
    assert response.json() == {"detail": "Sign in, or send a personal API token: "
                                         "Authorization: Bearer <token>.", "errors": {}}


def test_a_wrong_token_is_401_even_with_a_session(pm, db):
    client = logged_in_client(pm)
    response = client.get("/api/items", headers={"Authorization": "Bearer wb_nope"})
    assert response.status_code == 401
    assert "not valid" in response.json()["detail"]


def test_a_revoked_token_stops_at_once(pm, db):
    token, raw = ApiToken.issue(person=pm, name="sync", created_by=pm)
    client = Client(headers={"Authorization": f"Bearer {raw}"})
    assert client.get("/api/items").status_code == 200
    token.revoke(revoked_by=pm)
    assert client.get("/api/items").status_code == 401


def test_an_expired_token_stops(pm, db):
    _, raw = ApiToken.issue(person=pm, name="sync", created_by=pm,
                            expires_at=timezone.now() - timedelta(seconds=1))
    assert Client(headers={"Authorization": f"Bearer {raw}"}).get("/api/items").status_code \
        == 401


def test_a_deactivated_persons_tokens_stop(pm, pm_api):
    pm.is_active = False
    pm.save()
    assert pm_api.get("/api/items").status_code == 401


def test_a_token_acts_with_its_persons_role_now(pm, pm_api):
    product = make_product()
    pm.groups.set([Group.objects.get(name=roles.TEAM_LEAD)])
    response = pm_api.post("/api/items", new_item(product), content_type="application/json")
    assert response.status_code == 403
    assert not RoadmapItem.objects.exists()


def test_a_token_notes_when_it_was_last_used(pm, db):
    token, raw = ApiToken.issue(person=pm, name="sync", created_by=pm)
    Client(headers={"Authorization": f"Bearer {raw}"}).get("/api/products")
    token.refresh_from_db()
    assert token.last_used_at is not None


def test_the_token_is_stored_only_as_a_hash(pm, db):
    token, raw = ApiToken.issue(person=pm, name="sync", created_by=pm)
    stored = ApiToken.objects.filter(pk=token.pk).values().get()
    assert raw not in [str(value) for value in stored.values()]
    assert raw.startswith(token.shown)


def test_the_session_reads_without_csrf(pm, db):
    client = Client(enforce_csrf_checks=True)
    client.force_login(pm, backend="django.contrib.auth.backends.ModelBackend")
    assert client.get("/api/items").status_code == 200


def test_a_session_write_without_csrf_is_refused(pm, db):
    product = make_product()
    client = Client(enforce_csrf_checks=True)
    client.force_login(pm, backend="django.contrib.auth.backends.ModelBackend")
    response = client.post("/api/items", new_item(product), content_type="application/json")
    assert response.status_code == 403
    assert "CSRF" in response.json()["detail"]
    assert not RoadmapItem.objects.exists()


def test_a_session_write_with_csrf_goes_through(pm, db):
    product = make_product()
    client = Client(enforce_csrf_checks=True)
    client.force_login(pm, backend="django.contrib.auth.backends.ModelBackend")
    client.get("/tokens/")  # a page that sets the CSRF cookie
    response = client.post("/api/items", new_item(product), content_type="application/json",
                           headers={"X-CSRFToken": client.cookies["csrftoken"].value})
    assert response.status_code == 201


def test_too_many_requests_with_one_token_is_429_with_retry_after(pm, settings):
    settings.API_RATE_LIMIT = "3/min"
    client = token_client(pm)
    assert [client.get("/api/products").status_code for _ in range(3)] == [200] * 3
    response = client.get("/api/products")
    assert response.status_code == 429
    assert 1 <= int(response["Retry-After"]) <= 60
    assert "Too many requests" in response.json()["detail"]
    # Another token of the same person has its own count.
    assert token_client(pm).get("/api/products").status_code == 200


def test_a_refusal_is_on_the_security_log(lead_api, caplog):
    with caplog.at_level(logging.INFO, logger="whobenefits.security"):
        lead_api.post("/api/items", {}, content_type="application/json")
    assert any("403 denied username='lead'" in r.getMessage() and "/api/items" in r.getMessage()
               for r in caplog.records)
