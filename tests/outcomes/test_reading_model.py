from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from outcomes.models import MetricReading, months_back, this_month
from roadmap.models import EditConflict
from tests.factories import make_metric, make_product, make_reading


@pytest.fixture
def revenue(db):
    return make_metric(side="customer", name="Revenue")


@pytest.fixture
def product(db):
    return make_product(name="Expenses")


def test_a_reading_is_kept_for_its_month(revenue, product, admin_person):
    reading = make_reading(revenue, product, date(2026, 3, 17), 1200, by=admin_person)
    assert reading.period == date(2026, 3, 1)
    record = reading.history.get()
    assert (record.history_type, record.history_user) == ("+", admin_person)


def test_a_second_reading_for_the_month_is_refused_by_name(revenue, product, admin_person):
    make_reading(revenue, product, "2026-03", 1200, by=admin_person)
    with pytest.raises(ValidationError) as refused:
        make_reading(revenue, product, "2026-03", 1300, by=admin_person)
    assert refused.value.message_dict["period"] == [
        "Revenue for Expenses already has a reading for 2026-03 (1,200): correct that one "
        "instead."]
    assert MetricReading.objects.get().value == Decimal("1200")


def test_an_archived_metric_takes_no_reading(revenue, product, admin_person):
    revenue.archived = True
    revenue.save()
    with pytest.raises(ValidationError) as refused:
        make_reading(revenue, product, "2026-03", 1, by=admin_person)
    assert "archived" in refused.value.message_dict["metric"][0]
    assert not MetricReading.objects.exists()


def test_a_future_month_is_refused(revenue, product, admin_person):
    next_month = months_back(this_month(), -1)
    with pytest.raises(ValidationError) as refused:
        make_reading(revenue, product, next_month, 1, by=admin_person)
    assert "has not started yet" in refused.value.message_dict["period"][0]
    make_reading(revenue, product, this_month(), 1, by=admin_person)  # this month is fine


def test_a_correction_names_its_version_and_reason(revenue, product, admin_person):
    reading = make_reading(revenue, product, "2026-03", 1200, by=admin_person)
    reading.correct(value=1250, expected_version=1, corrected_by=admin_person,
                    reason="Finance restated March")
    reading.refresh_from_db()
    assert (reading.value, reading.version) == (Decimal("1250"), 2)
    latest = reading.history.latest()
    assert latest.history_change_reason == "Finance restated March"
    assert latest.prev_record.value == Decimal("1200")


def test_a_stale_correction_overwrites_nothing(revenue, product, admin_person):
    reading = make_reading(revenue, product, "2026-03", 1200, by=admin_person)
    reading.correct(value=1250, expected_version=1, corrected_by=admin_person)
    with pytest.raises(EditConflict) as conflict:
        MetricReading.objects.get().correct(value=999, expected_version=1,
                                            corrected_by=admin_person)
    assert conflict.value.current.value == Decimal("1250")
    assert MetricReading.objects.get().value == Decimal("1250")


def test_withdrawing_is_an_audited_correction(revenue, product, admin_person):
    reading = make_reading(revenue, product, "2026-03", 1200, by=admin_person)
    pk = reading.pk
    reading.withdraw(expected_version=1, withdrawn_by=admin_person, reason="Wrong product")
    assert not MetricReading.objects.exists()
    record = MetricReading.history.filter(id=pk).latest()
    assert (record.history_type, record.history_user, record.history_change_reason) == (
        "-", admin_person, "Wrong product")
    assert record.value == Decimal("1200")
