"""Correcting a reading in the admin takes part in the same version check as the readings
page and the API: two admins never silently overwrite each other."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from pytest_django.asserts import assertContains

from outcomes.models import MetricReading
from tests.factories import make_metric, make_product, make_reading


@pytest.fixture
def reading(db, admin_person):
    return make_reading(make_metric(name="Revenue"), make_product(name="Expenses"), "2026-03",
                        120000, by=admin_person)


def admin_save(admin_client, reading, value, version, period="2026-03-01"):
    return admin_client.post(reverse("admin:outcomes_metricreading_change", args=[reading.pk]),
                             {"metric": reading.metric_id, "product": reading.product_id,
                              "period": period, "value": value, "version": version})


def test_an_admin_correction_bumps_the_version(admin_client, reading):
    assert admin_save(admin_client, reading, "125000", reading.version).status_code == 302
    reading.refresh_from_db()
    assert (reading.value, reading.version) == (125000, 2)
    assert reading.history.first().history_user.username == "admin"


def test_a_stale_admin_correction_is_refused_and_keeps_the_input(admin_client, reading,
                                                                  admin_person):
    MetricReading.objects.get(pk=reading.pk).correct(
        value=130000, expected_version=1, corrected_by=admin_person, reason="Restated")
    response = admin_save(admin_client, reading, "125000", version=1, period="2026-02-01")
    assertContains(response, "Someone else saved this since you opened it")
    assertContains(response, '<tr><th scope="row">Month</th><td>2026-03</td>'
                             '<td>2026-02</td></tr>', html=True)
    assertContains(response, '<tr><th scope="row">Value</th><td>130,000</td>'
                             '<td>125,000</td></tr>', html=True)
    assertContains(response, 'name="value" value="125000"')  # the input stays
    assertContains(response, 'name="version" value="2"')  # saving again replaces theirs
    reading.refresh_from_db()
    assert (reading.value, reading.period.month, reading.version) == (130000, 3, 2)
    assert admin_save(admin_client, reading, "125000", version=2).status_code == 302
    reading.refresh_from_db()
    assert (reading.value, reading.version) == (125000, 3)


def test_the_admin_change_form_carries_the_current_version(admin_client, reading):
    MetricReading.objects.filter(pk=reading.pk).update(version=7)
    response = admin_client.get(reverse("admin:outcomes_metricreading_change",
                                        args=[reading.pk]))
    assertContains(response, 'name="version" value="7"')


def test_an_admin_records_a_new_reading_without_a_version(admin_client, reading):
    response = admin_client.post(reverse("admin:outcomes_metricreading_add"), {
        "metric": reading.metric_id, "product": reading.product_id, "period": "2026-04-15",
        "value": "121000"})
    assert response.status_code == 302
    new = MetricReading.objects.get(period__month=4)
    assert (new.value, new.version, new.recorded_by.username) == (121000, 1, "admin")


@pytest.mark.skipif(connection.vendor != "postgresql", reason="SQLite has no row locks")
def test_the_version_check_locks_the_reading_until_the_save(admin_client, reading):
    with CaptureQueriesContext(connection) as queries:
        admin_save(admin_client, reading, "125000", reading.version)
    locking = [q["sql"] for q in queries if "FOR UPDATE" in q["sql"]]
    assert locking and all('"outcomes_metricreading"' in sql for sql in locking)
