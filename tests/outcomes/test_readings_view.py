from decimal import Decimal

import pytest
from django.urls import reverse
from pytest_django.asserts import assertContains, assertNotContains

from outcomes.models import MetricReading
from tests.factories import make_metric, make_product, make_reading

LIST = reverse("outcomes:reading-list")


@pytest.fixture
def revenue(db):
    return make_metric(side="customer", name="Revenue")


@pytest.fixture
def product(db):
    return make_product(name="Expenses")


def test_an_admin_records_a_reading(admin_client, admin_person, revenue, product):
    response = admin_client.post(LIST, {"metric": revenue.pk, "product": product.pk,
                                        "period": "2026-03", "value": "1200.50"}, follow=True)
    assertContains(response, "Recorded Revenue for Expenses, 2026-03: 1,200.50.")
    reading = MetricReading.objects.get()
    assert (reading.value, reading.recorded_by) == (Decimal("1200.50"), admin_person)


def test_a_second_reading_is_refused_beside_the_month_with_the_input_kept(
        admin_client, admin_person, revenue, product):
    make_reading(revenue, product, "2026-03", 1200, by=admin_person)
    response = admin_client.post(LIST, {"metric": revenue.pk, "product": product.pk,
                                        "period": "2026-03", "value": "777"})
    assert response.status_code == 200
    assertContains(response, "already has a reading for 2026-03 (1,200): correct that one")
    assertContains(response, 'value="777"')
    assert MetricReading.objects.get().value == Decimal("1200")


def test_a_month_that_is_not_one_is_refused(admin_client, revenue, product):
    response = admin_client.post(LIST, {"metric": revenue.pk, "product": product.pk,
                                        "period": "March", "value": "1"})
    assertContains(response, "Enter a month as 2026-11.")
    assert not MetricReading.objects.exists()


def test_the_record_and_correct_forms_are_labelled_as_the_others(admin_client, admin_person,
                                                                  revenue, product):
    # No trailing colons and no "- Select an option -", as on the item and evidence forms.
    response = admin_client.get(LIST)
    assertContains(response, '<label for="id_metric">Success metric</label>', html=True)
    assertContains(response, '<option value="" selected>Pick a metric</option>', html=True)
    assertContains(response, '<option value="" selected>Pick a product</option>', html=True)
    assertNotContains(response, "Select an option")
    reading = make_reading(revenue, product, "2026-03", 1200, by=admin_person)
    response = admin_client.get(reading.get_absolute_url())
    assertContains(response, '<label for="id_value">Value</label>', html=True)
    assertContains(response, '<label for="withdraw_reason">Why withdraw it</label>', html=True)


def test_product_managers_read_the_readings_but_do_not_record(pm_client, admin_person, revenue,
                                                              product):
    make_reading(revenue, product, "2026-03", 1200, by=admin_person)
    response = pm_client.get(LIST)
    assertContains(response, "1,200")
    assertNotContains(response, "Record a reading")
    assert pm_client.post(LIST, {"metric": revenue.pk, "product": product.pk,
                                 "period": "2026-04", "value": "1"}).status_code == 403
    assert MetricReading.objects.count() == 1


def test_the_filter_narrows_to_a_product(lead_client, admin_person, revenue, product):
    make_reading(revenue, product, "2026-03", 1200, by=admin_person)
    make_reading(revenue, make_product(name="Travel"), "2026-03", 55, by=admin_person)
    response = lead_client.get(LIST, {"product": product.pk}, headers={"HX-Request": "true"})
    assertContains(response, "1 reading")
    assertNotContains(response, "55.00")
    assertNotContains(response, "<html")


def test_the_list_query_count_is_fixed(lead_client, admin_person, revenue, product,
                                       django_assert_num_queries):
    for month in range(1, 13):
        make_reading(revenue, product, f"2025-{month:02}", month, by=admin_person)
    with django_assert_num_queries(7):  # session, person, roles; count, page; choices
        lead_client.get(LIST)


def test_an_admin_corrects_a_reading(admin_client, admin_person, revenue, product):
    reading = make_reading(revenue, product, "2026-03", 1200, by=admin_person)
    response = admin_client.post(reading.get_absolute_url(),
                                 {"value": "1250", "version": 1, "reason": "Restated"},
                                 follow=True)
    assertContains(response, "Corrected Revenue for Expenses, 2026-03.")
    reading.refresh_from_db()
    assert reading.value == Decimal("1250")
    assert reading.history.latest().history_change_reason == "Restated"


def test_a_stale_correction_is_refused_with_what_differs(admin_client, admin_person, revenue,
                                                         product):
    reading = make_reading(revenue, product, "2026-03", 1200, by=admin_person)
    reading.correct(value=1300, expected_version=1, corrected_by=admin_person)
    response = admin_client.post(reading.get_absolute_url(), {"value": "1250", "version": 1})
    assertContains(response, "Someone else saved this since you opened it")
    assertContains(response, '<tr><th scope="row">Value</th><td>1,300</td><td>1,250</td></tr>',
                   html=True)
    reading.refresh_from_db()
    assert reading.value == Decimal("1300")


def test_an_admin_withdraws_a_reading_on_the_audit_trail(admin_client, admin_person, revenue,
                                                         product):
    reading = make_reading(revenue, product, "2026-03", 1200, by=admin_person)
    response = admin_client.post(reverse("outcomes:reading-withdraw", args=[reading.pk]),
                                 {"version": 1, "reason": "Wrong product"}, follow=True)
    assertContains(response, "Withdrew Revenue for Expenses, 2026-03; the audit trail keeps it.")
    assert not MetricReading.objects.exists()
    assert MetricReading.history.latest().history_change_reason == "Wrong product"


def test_values_read_as_the_dashboard_writes_them(admin_client, admin_person, revenue, product):
    """Grouped thousands, no trailing zeros: 181,972.98 and 1,200, as on product health."""
    reading = make_reading(revenue, product, "2026-03", Decimal("181972.98"), by=admin_person)
    make_reading(revenue, product, "2026-04", 1200, by=admin_person)
    listed = admin_client.get(LIST)
    assertContains(listed, '<td data-label="Value" class="num">181,972.98</td>', html=True)
    assertContains(listed, '<td data-label="Value" class="num">1,200</td>', html=True)
    assertContains(admin_client.get(reverse("outcomes:reading-edit", args=[reading.pk])),
                   "for Expenses, 2026-03: 181,972.98")


def test_a_refused_second_reading_names_the_saved_value_as_the_list_shows_it(
        admin_client, admin_person, revenue, product):
    make_reading(revenue, product, "2026-03", Decimal("181972.98"), by=admin_person)
    response = admin_client.post(LIST, {"metric": revenue.pk, "product": product.pk,
                                        "period": "2026-03", "value": "5"})
    assertContains(response, "already has a reading for 2026-03 (181,972.98): correct that one")
    assertContains(response, '<td data-label="Value" class="num">181,972.98</td>', html=True)
