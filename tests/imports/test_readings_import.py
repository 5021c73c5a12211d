"""A CSV of metric readings through the import engine: mapped, previewed, recorded."""

from decimal import Decimal

import pytest
from django.urls import reverse
from pytest_django.asserts import assertContains

from imports.models import BacklogImport
from outcomes.models import MetricReading, months_back, this_month
from tests.factories import import_file, make_metric, make_product, make_reading

NEXT_MONTH = f"{months_back(this_month(), -1):%Y-%m}"


@pytest.fixture
def named(db):
    make_product(name="Expenses")
    make_metric(side="customer", name="Revenue")
    make_metric(side="user", name="Daily active users")
    make_metric(side="user", name="Old metric", archived=True)


def csv(*rows):
    return ("Metric,Product,Month,Value\n" + "\n".join(rows) + "\n").encode()


def test_an_admin_imports_readings_with_their_history(named, admin_person):
    done = import_file(csv("Revenue,Expenses,2026-01,\"120,000.50\"",
                           "Daily active users,Expenses,2026-01-15,4200"),
                       None, by=admin_person, kind="readings")
    assert done.status == BacklogImport.State.IMPORTED
    readings = {r.metric.name: r for r in MetricReading.objects.select_related("metric")}
    assert readings["Revenue"].value == Decimal("120000.50")
    assert str(readings["Daily active users"].period) == "2026-01-01"
    record = readings["Revenue"].history.get()
    assert (record.history_user, record.history_change_reason) == (
        admin_person, f"Import #{done.pk} (Metric readings: backlog.csv)")


def test_each_bad_row_is_named_and_nothing_is_written_without_consent(named, admin_person):
    preview = import_file(csv("Revenue,Expenses,2026-01,12", "Nope,Expenses,2026-01,1",
                              "Old metric,Expenses,2026-01,1",
                              f"Revenue,Expenses,{NEXT_MONTH},1", "Revenue,Expenses,March,1",
                              "Revenue,Expenses,2026-02,lots", "Revenue,Expenses,2026-01,13"),
                          None, by=admin_person, kind="readings", commit=False)
    errors = {row.line: row.errors for row in preview.rows.all()}
    assert errors[3] == [["Metric", "No success metric is called “Nope”."]]
    assert "archived" in errors[4][0][1]
    assert "has not started yet" in errors[5][0][1]
    assert errors[6] == [["Month", "“March” is not a month: write it as 2026-11."]]
    assert errors[7] == [["Value", "“lots” is not a number."]]
    assert "Line 2 has the same metric, product and month" in errors[8][0][1]
    assert (preview.new_count, preview.error_count) == (1, 6)
    assert not MetricReading.objects.exists()


def test_a_reading_already_recorded_is_unchanged_or_refused_never_overwritten(
        named, admin_person):
    from personas.models import SuccessMetric
    from roadmap.models import Product

    make_reading(SuccessMetric.objects.get(name="Revenue"), Product.objects.get(name="Expenses"),
                 "2026-01", 100, by=admin_person)
    same = import_file(csv("Revenue,Expenses,2026-01,100"), None, by=admin_person,
                       kind="readings", commit=False)
    assert same.rows.get().action == "unchanged"
    other = import_file(csv("Revenue,Expenses,2026-01,999"), None, by=admin_person,
                        kind="readings", commit=False)
    assert "already has a reading for 2026-01 (100): correct it on the readings page" in \
        other.rows.get().errors[0][1]
    assert MetricReading.objects.get().value == Decimal("100")


def test_only_admins_import_readings(pm_client, lead_client, admin_client, named):
    url = reverse("imports:upload-readings")
    assert pm_client.get(url).status_code == 403
    assert lead_client.get(url).status_code == 403
    assertContains(admin_client.get(url), "Import metric readings")
