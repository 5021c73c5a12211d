"""A reading's value must be one its metric can take: revenue, counts and shares are never
below zero, a share never above 100; a change or a score may be negative. One rule
(SuccessMetric.value_error), refused beside the value on the readings page, the correction
page, the admin, the API and the CSV import."""

from decimal import Decimal

import pytest
from django.urls import reverse
from pytest_django.asserts import assertContains

from outcomes.models import MetricReading
from personas.models import SuccessMetric
from tests.factories import import_file, make_metric, make_product, make_reading

LIST = reverse("outcomes:reading-list")
BELOW_ZERO = ("Revenue cannot be below zero: enter 0 or more (if it can, an admin makes it a "
              "change or a score).")


@pytest.fixture
def revenue(db):
    return make_metric(side="customer", name="Revenue")


@pytest.fixture
def product(db):
    return make_product(name="Expenses")


def new_reading(metric, product, value, period="2026-03"):
    return {"metric": metric.pk, "product": product.pk, "period": period, "value": value}


def value_error(response):
    """The message beside the value field."""
    return response.context["form"].errors.get("value")


def test_negative_revenue_is_refused_beside_the_value_with_the_input_kept(
        admin_client, revenue, product):
    response = admin_client.post(LIST, new_reading(revenue, product, "-1200"))
    assert response.status_code == 200
    assert value_error(response) == [BELOW_ZERO]
    assertContains(response, 'value="-1200"')
    assertContains(response, 'aria-invalid="true"')
    assert not MetricReading.objects.exists()


def test_a_share_above_100_is_refused(admin_client, product):
    rate = make_metric(side="customer", name="Renewal rate", kind=SuccessMetric.Kind.SHARE)
    response = admin_client.post(LIST, new_reading(rate, product, "105"))
    assert value_error(response) == [
        "Renewal rate is a share in percent: enter a value from 0 to 100."]
    assert not MetricReading.objects.exists()


def test_a_change_may_be_below_zero(admin_client, product):
    change = make_metric(side="customer", name="Net revenue change",
                         kind=SuccessMetric.Kind.CHANGE)
    response = admin_client.post(LIST, new_reading(change, product, "-3.5"), follow=True)
    assertContains(response, "Recorded Net revenue change for Expenses, 2026-03: -3.50.")
    assert MetricReading.objects.get().value == Decimal("-3.5")


def test_zero_is_a_reading_like_any_other(admin_client, revenue, product):
    admin_client.post(LIST, new_reading(revenue, product, "0"))
    assert MetricReading.objects.get().value == 0


def test_a_correction_below_zero_is_refused_and_the_value_kept(admin_client, admin_person,
                                                               revenue, product):
    reading = make_reading(revenue, product, "2026-03", 1200, by=admin_person)
    response = admin_client.post(reverse("outcomes:reading-edit", args=[reading.pk]),
                                 {"value": "-1200", "version": reading.version, "reason": ""})
    assert response.status_code == 200
    assert value_error(response) == [BELOW_ZERO]
    assertContains(response, 'value="-1200"')
    reading.refresh_from_db()
    assert (reading.value, reading.version) == (Decimal("1200"), 1)


def test_the_api_refuses_it_with_the_same_words(admin_client, admin_person, revenue, product):
    created = admin_client.post("/api/readings", new_reading(revenue, product, "-5"),
                                content_type="application/json")
    assert created.status_code == 422
    assert created.json()["errors"]["value"] == [BELOW_ZERO]
    reading = make_reading(revenue, product, "2026-04", 10, by=admin_person)
    corrected = admin_client.put(f"/api/readings/{reading.pk}", {"value": "-5", "version": 1},
                                 content_type="application/json")
    assert corrected.status_code == 422
    assert corrected.json()["errors"]["value"] == [BELOW_ZERO]
    reading.refresh_from_db()
    assert reading.value == 10


def test_the_admin_refuses_it_beside_the_value(admin_client, revenue, product):
    response = admin_client.post(reverse("admin:outcomes_metricreading_add"),
                                 new_reading(revenue, product, "-7", period="2026-03-01"))
    assert response.status_code == 200
    assert response.context["adminform"].form.errors["value"] == [BELOW_ZERO]
    assert not MetricReading.objects.exists()


def test_the_csv_import_names_the_row_and_the_column(revenue, product, admin_person):
    preview = import_file(b"Metric,Product,Month,Value\nRevenue,Expenses,2026-01,-12\n"
                          b"Revenue,Expenses,2026-02,12\n",
                          None, by=admin_person, kind="readings", commit=False)
    errors = {row.line: row.errors for row in preview.rows.all()}
    assert errors[2] == [["Value", BELOW_ZERO]]
    assert errors[3] == []
    assert (preview.new_count, preview.error_count) == (1, 1)


def test_a_metric_with_negative_readings_stays_a_change(admin_client, admin_person, product):
    change = make_metric(side="customer", name="Net revenue change",
                         kind=SuccessMetric.Kind.CHANGE)
    make_reading(change, product, "2026-03", -4, by=admin_person)
    response = admin_client.post(
        reverse("admin:personas_successmetric_change", args=[change.pk]),
        {"name": change.name, "side": "customer", "kind": "amount", "description": "",
         "order": 0})
    assert response.status_code == 200
    assert response.context["adminform"].form.errors["kind"] == [
        "Some of its readings are below zero: correct them first, or keep it a change or a "
        "score."]
    change.refresh_from_db()
    assert change.kind == SuccessMetric.Kind.CHANGE


def test_a_metric_with_old_negative_readings_still_saves_when_its_kind_stays(
        admin_client, admin_person, product):
    """Readings from before kinds existed are kept: only a new kind must fit them."""
    revenue = make_metric(side="customer", name="Revenue")
    reading = make_reading(revenue, product, "2026-03", 5, by=admin_person)
    MetricReading.objects.filter(pk=reading.pk).update(value=-5)  # recorded before kinds
    admin_client.post(reverse("admin:personas_successmetric_change", args=[revenue.pk]),
                      {"name": "Revenue", "side": "customer", "kind": "amount",
                       "description": "Net of refunds.", "order": 0})
    revenue.refresh_from_db()
    assert revenue.description == "Net of refunds."
