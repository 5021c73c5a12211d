from decimal import Decimal

import pytest

from outcomes.models import MetricReading
from tests.factories import make_metric, make_product, make_reading


@pytest.fixture
def revenue(db):
    return make_metric(side="customer", name="Revenue")


@pytest.fixture
def product(db):
    return make_product(name="Expenses")


def post(client, url, body):
    return client.post(url, body, content_type="application/json")


def test_an_admin_records_a_reading(admin_client, revenue, product):
    response = post(admin_client, "/api/readings", {
        "metric": revenue.pk, "product": product.pk, "period": "2026-03", "value": "1200.5"})
    assert response.status_code == 201
    body = response.json()
    assert (body["period"], body["value"], body["metric"]["side"]) == (
        "2026-03", "1200.50", "customer")


def test_a_second_reading_is_a_422_naming_the_month(admin_client, admin_person, revenue,
                                                    product):
    make_reading(revenue, product, "2026-03", 1200, by=admin_person)
    response = post(admin_client, "/api/readings", {
        "metric": revenue.pk, "product": product.pk, "period": "2026-03", "value": "1"})
    assert response.status_code == 422
    assert "already has a reading for 2026-03" in response.json()["errors"]["period"][0]


def test_a_bad_month_and_an_unknown_metric_are_named(admin_client, product):
    response = post(admin_client, "/api/readings", {
        "metric": 999, "product": product.pk, "period": "2026-13", "value": "1"})
    assert response.status_code == 422
    assert set(response.json()["errors"]) == {"metric", "period"}
    assert not MetricReading.objects.exists()


def test_a_product_manager_may_not_record(pm_client, revenue, product):
    response = post(pm_client, "/api/readings", {
        "metric": revenue.pk, "product": product.pk, "period": "2026-03", "value": "1"})
    assert response.status_code == 403
    assert response.json()["detail"] == "Admins record the product's metric readings."


def test_readings_are_listed_by_product(lead_client, admin_person, revenue, product):
    make_reading(revenue, product, "2026-03", 1200, by=admin_person)
    make_reading(revenue, make_product(name="Travel"), "2026-03", 5, by=admin_person)
    body = lead_client.get("/api/readings", {"product": product.pk}).json()
    assert body["count"] == 1
    assert body["items"][0]["product"]["name"] == "Expenses"


def test_a_stale_correction_is_a_409_with_the_reading_as_it_is(admin_client, admin_person,
                                                               revenue, product):
    reading = make_reading(revenue, product, "2026-03", 1200, by=admin_person)
    url = f"/api/readings/{reading.pk}"
    ok = admin_client.put(url, {"value": "1300", "version": 1}, content_type="application/json")
    assert (ok.status_code, ok.json()["version"]) == (200, 2)
    stale = admin_client.put(url, {"value": "1250", "version": 1},
                             content_type="application/json")
    assert stale.status_code == 409
    assert stale.json()["current"]["value"] == "1300.00"
    assert stale.json()["differences"] == [{"field": "Value", "saved": "1,300",
                                            "yours": "1,250"}]
    reading.refresh_from_db()
    assert reading.value == Decimal("1300")


def test_withdrawing_takes_the_version(admin_client, admin_person, revenue, product):
    reading = make_reading(revenue, product, "2026-03", 1200, by=admin_person)
    url = f"/api/readings/{reading.pk}"
    assert admin_client.delete(url + "?version=7").status_code == 409
    assert admin_client.delete(url + "?version=1&reason=Duplicate").status_code == 204
    assert not MetricReading.objects.exists()
    assert MetricReading.history.latest().history_change_reason == "Duplicate"
