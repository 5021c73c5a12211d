"""Correcting a reading in the admin takes part in the same version check as the readings
page and the API: two admins never silently overwrite each other."""

import pytest
from django.contrib.admin.models import DELETION, LogEntry
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from pytest_django.asserts import assertContains, assertNotContains

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


def admin_delete(admin_client, reading, **form):
    return admin_client.post(reverse("admin:outcomes_metricreading_delete", args=[reading.pk]),
                             {"post": "yes", **form}, follow=True)


def test_the_delete_confirmation_shows_the_value_and_carries_the_version(admin_client,
                                                                          reading):
    response = admin_client.get(reverse("admin:outcomes_metricreading_delete",
                                        args=[reading.pk]))
    assertContains(response, "withdraw the reading “Revenue for Expenses, 2026-03”, 120,000?")
    assertContains(response, '<input type="hidden" name="version" value="1">', html=True)


def test_an_admin_deletion_withdraws_the_reading_on_the_trail(admin_client, reading):
    response = admin_delete(admin_client, reading, version=1)
    assertContains(response, "was deleted successfully")
    assert not MetricReading.objects.exists()
    record = MetricReading.history.latest()
    assert (record.history_type, record.history_user.username, record.history_change_reason) \
        == ("-", "admin", "Withdrawn in the admin")


@pytest.mark.parametrize("form", [{"version": 1}, {}], ids=["stale version", "no version"])
def test_a_stale_admin_deletion_is_refused_and_shows_the_value_as_it_is(
        admin_client, admin_person, reading, form):
    MetricReading.objects.get(pk=reading.pk).correct(
        value=130000, expected_version=1, corrected_by=admin_person, reason="Restated")
    response = admin_delete(admin_client, reading, **form)
    assertContains(response, "Someone corrected Revenue for Expenses, 2026-03 since you opened "
                             "it, so it was not withdrawn: check its value, then try again.")
    assertContains(response, "“Revenue for Expenses, 2026-03”, 130,000?")  # the page again
    assertContains(response, '<input type="hidden" name="version" value="2">', html=True)
    reading.refresh_from_db()
    assert (reading.value, reading.version) == (130000, 2)
    assert not LogEntry.objects.filter(action_flag=DELETION).exists()


def bulk_delete(admin_client, readings, versions):
    return admin_client.post(reverse("admin:outcomes_metricreading_changelist"), {
        "action": "delete_selected", "post": "yes",
        "_selected_action": [r.pk for r in readings],
        **{f"version-{r.pk}": v for r, v in zip(readings, versions, strict=True)}},
        follow=True)


def test_deleting_a_selection_withdraws_each_reading(admin_client, admin_person, reading):
    other = make_reading(reading.metric, reading.product, "2026-04", 5, by=admin_person)
    confirm = admin_client.post(reverse("admin:outcomes_metricreading_changelist"), {
        "action": "delete_selected", "_selected_action": [reading.pk, other.pk]})
    assertContains(confirm, "<li>Revenue for Expenses, 2026-03: 120,000</li>", html=True)
    assertContains(confirm, f'<input type="hidden" name="version-{other.pk}" value="1">',
                   html=True)
    assertContains(bulk_delete(admin_client, [reading, other], [1, 1]),
                   "Successfully deleted 2 metric readings.")
    assert not MetricReading.objects.exists()
    assert MetricReading.history.filter(history_type="-").count() == 2


def test_a_selection_with_one_stale_reading_withdraws_none(admin_client, admin_person, reading):
    other = make_reading(reading.metric, reading.product, "2026-04", 5, by=admin_person)
    other.correct(value=6, expected_version=1, corrected_by=admin_person)
    response = bulk_delete(admin_client, [reading, other], [1, 1])
    assertContains(response, "Someone corrected Revenue for Expenses, 2026-04 since you opened "
                             "it, so it was not withdrawn: check its value, then try again. "
                             "None of the selected readings was withdrawn.")
    assertNotContains(response, "Successfully deleted")
    assert MetricReading.objects.count() == 2
    assert not LogEntry.objects.filter(action_flag=DELETION).exists()
