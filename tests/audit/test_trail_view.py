"""The audit trail page: every model's history, filtered, paginated, exported as CSV."""

import csv
import io
from datetime import timedelta
from decimal import Decimal

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse
from django.utils import timezone
from pytest_django.asserts import assertContains, assertNotContains
from simple_history.models import registered_models

from audit.trail import AUDITED_MODELS, audited_model
from personas.models import Persona
from roadmap import roles
from tests.conftest import logged_in_client
from tests.factories import (
    make_item,
    make_metric,
    make_person,
    make_persona,
    make_product,
    make_reading,
    make_round,
    triage,
)

TRAIL = reverse("audit:trail")
CSV = reverse("audit:trail-csv")


def rows_of(response):
    return list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))


def test_every_model_with_history_is_on_the_trail():
    audited = {audited_model(kind) for kind in AUDITED_MODELS}
    assert set(registered_models.values()) >= audited
    tracked = {m for m in registered_models.values() if hasattr(m, "history")}
    assert tracked == audited


def test_trail_shows_who_changed_what_with_values_before_and_after(admin_client, pm, item,
                                                                    customer_persona):
    triage(item, [customer_persona], by=pm)
    item.refresh_from_db()
    item.title = "SAML single sign-on"
    item._history_user = pm
    item.save()
    response = admin_client.get(TRAIL)
    assertContains(response, "Changed · Roadmap item")
    assertContains(response, "<del>Single sign-on</del> → <ins>SAML single sign-on</ins>",
                   html=False)
    assertContains(response, "Priya Menon")
    assertContains(response, "Triage of “SAML single sign-on”")
    assertContains(response, "<ins>IT administrator</ins>", html=False)


def test_role_changes_show_on_the_trail(admin_client, admin_person):
    pm = make_person(roles.PRODUCT_MANAGER, username="rolf")
    pm._history_user = admin_person
    pm.groups.add(Group.objects.get(name=roles.TEAM_LEAD))
    response = admin_client.get(TRAIL, {"object_type": "person"})
    assertContains(response, "<del>Product manager</del> → <ins>Product manager, Team lead</ins>",
                   html=False)


def test_trail_filters_by_person_type_and_dates(admin_client, pm, lead, customer_persona):
    item = make_item(title="Offline mode")
    triage(item, [customer_persona], by=pm)
    response = admin_client.get(TRAIL, {"person": pm.pk})
    entries = response.context["entries"]
    assert entries and {e.record.history_user for e in entries} == {pm}
    response = admin_client.get(TRAIL, {"object_type": "persona"})
    assert {e.kind for e in response.context["entries"]} == {"persona"}
    tomorrow = timezone.localdate() + timedelta(days=1)
    response = admin_client.get(TRAIL, {"since": tomorrow.isoformat()})
    assert response.context["entries"] == []
    assertContains(response, "No changes match these filters.")
    today = timezone.localdate().isoformat()
    response = admin_client.get(TRAIL, {"since": today, "until": today})
    assert len(response.context["entries"]) > 0


def test_a_backwards_date_range_is_an_error_next_to_the_field(admin_client):
    response = admin_client.get(TRAIL, {"since": "2026-05-02", "until": "2026-05-01"})
    assert response.status_code == 200
    assertContains(response, "The end date is before the start date.")
    assertContains(response, 'value="2026-05-02"')


def test_trail_is_newest_first_and_paginated(admin_client):
    for n in range(60):
        make_persona(name=f"Persona {n:02}")
    first = admin_client.get(TRAIL)
    entries = first.context["entries"]
    assert len(entries) == 50
    assert entries[0].object_label == "Persona 59"
    assert [e.when for e in entries] == sorted((e.when for e in entries), reverse=True)
    second = admin_client.get(TRAIL, {"page": 2})
    assert len(second.context["entries"]) >= 10


def test_trail_query_count_is_fixed(admin_client, pm, customer_persona, user_persona,
                                    django_assert_num_queries):
    for n in range(30):
        item = make_item(owner=pm, requesting_persona=customer_persona)
        triage(item, [customer_persona], by=pm, indirect=[user_persona], value=f"Value {n}")
        item.refresh_from_db()
        item.status = "planned"
        item.save()
    # session, person, count, page rows; then per object type on the page (items, triage
    # answers, products): records, previous records, labels for each foreign key's model,
    # each many-to-many field's picks, item titles; the person's permissions for the nav's
    # evidence links.
    with django_assert_num_queries(20):
        response = admin_client.get(TRAIL)
    assert len(response.context["entries"]) == 50
    with django_assert_num_queries(20):
        admin_client.get(TRAIL, {"page": 2})


def test_csv_export_has_the_filtered_trail(admin_client, pm, customer_persona):
    item = make_item(title="Offline mode")
    triage(item, [customer_persona], by=pm)
    response = admin_client.get(CSV, {"object_type": "triage"})
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    rows = rows_of(response)
    assert rows[0][:4] == ["when (UTC)", "who", "action", "object type"]
    body = rows[1:]
    assert body and {row[3] for row in body} == {"Triage answer"}
    assert ["Primary beneficiaries", "—", "IT administrator"] in [row[6:9] for row in body]
    assert {row[1] for row in body} == {"Priya Menon"}


@pytest.mark.parametrize("hostile", ["=HYPERLINK(\"http://evil\")", "+1+1", "-2+3", "@SUM(A1)"])
def test_csv_cells_that_look_like_formulas_are_neutralised(admin_client, hostile):
    make_persona(name=hostile)
    rows = rows_of(admin_client.get(CSV, {"object_type": "persona"}))
    cells = [cell for row in rows[1:] for cell in row]
    assert "'" + hostile in cells
    assert hostile not in cells


def test_trail_links_each_object_to_its_own_history(admin_client, pm, customer_persona):
    item = make_item()
    triage(item, [customer_persona], by=pm)
    response = admin_client.get(TRAIL)
    assertContains(response, reverse("admin:personas_persona_history",
                                     args=[customer_persona.pk]))
    assertContains(response, item.get_absolute_url())


def test_merges_show_their_reason_on_the_trail(admin_client, admin_person):
    kept, merged = make_persona(name="Economic buyer"), make_persona(name="Buyer")
    merged.merge_into(kept, merged_by=admin_person)
    response = admin_client.get(TRAIL)
    assertContains(response, "Merged persona “Buyer” into “Economic buyer”")
    assert Persona.objects.get(pk=merged.pk).archived


def test_the_trail_says_it_covers_evidence_readings_and_calibration_too(admin_client):
    response = admin_client.get(TRAIL)
    assertContains(response, "evidence notes, companies, metric readings, calibration rounds, "
                             "API tokens and roles")
    for label in ("Evidence note", "Metric reading", "Calibration round", "API token"):
        assertContains(response, f">{label}</option>")


def test_a_metrics_kind_change_is_on_the_trail(admin_client, admin_person):
    """A model with a field called `kind` (a success metric) is on the trail like any other."""
    from personas.models import SuccessMetric
    from tests.factories import make_metric

    metric = make_metric(name="Net revenue change")
    metric.kind = SuccessMetric.Kind.CHANGE
    metric._history_user = admin_person
    metric.save()
    response = admin_client.get(TRAIL)
    assert response.status_code == 200
    assertContains(response, "Changed · Success metric")
    assertContains(response, "Net revenue change")


def test_trail_shows_numbers_as_the_pages_do(admin_client, admin_person, pm, lead, item):
    round = make_round([pm, make_person(roles.PRODUCT_MANAGER, username="marco")], [item],
                       by=lead)
    # As round.close() keeps it: a kappa computed from the PMs' answers.
    round.closed_at, round.closed_by, round.class_kappa = timezone.now(), lead, 2 / 3
    round.agreed_items, round.compared_items = 1, 1
    round._history_user = lead
    round.save()
    make_reading(make_metric(name="Revenue"), make_product(name="Expenses"), "2026-03",
                 Decimal("181972.98"), by=admin_person)
    response = admin_client.get(TRAIL)
    assertContains(response, "<del>—</del> → <ins>0.67</ins>", html=False)
    assertContains(response, "<ins>181,972.98</ins>", html=False)
    assertNotContains(response, "0.666")
    assertContains(logged_in_client(lead).get(reverse("roadmap:dashboard")),
                   '<td class="num" data-label="Kappa">0.67</td>', html=True)
