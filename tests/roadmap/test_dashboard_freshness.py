"""The review dashboard is rendered once per change of the data (whobenefits/changes.py):
each way of writing, then the dashboard read again, shows the change. These tests commit, as
production does (a test's own transaction would keep the cache out of the way)."""

import re
from datetime import datetime, time, timedelta
from pathlib import Path

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from pytest_django.asserts import assertContains, assertNotContains

from evidence.models import Evidence
from imports.models import BacklogImport
from personas.models import Persona
from roadmap.models import ReviewThresholds, RoadmapItem, Triage
from roadmap.quarters import Quarter
from tests.api.conftest import token_client
from tests.factories import (
    import_file,
    make_item,
    make_note,
    make_persona,
    make_product,
    triage,
)

pytestmark = pytest.mark.django_db(transaction=True)
DASHBOARD = reverse("roadmap:dashboard")
JIRA = (Path(__file__).parent.parent / "imports" / "files" / "jira_current_fields.csv") \
    .read_bytes()


@pytest.fixture
def one_sided(pm, customer_persona):
    """Customers only, no value stated for users: in the dashboard's one-sided list."""
    item = make_item(title="Audit export", horizon="now", owner=pm)
    triage(item, [customer_persona], by=pm)
    item.refresh_from_db()
    return item


def results(response):
    """The dashboard's numbers, without the page around them (a nonce per response)."""
    return response.content.split(b'id="dashboard-results"')[1].split(b"</main>")[0]


def cached(client, *present):
    """Read the dashboard twice: the second time from the cache (the stamp's query, none
    for the numbers)."""
    first = client.get(DASHBOARD)
    for text in present:
        assertContains(first, text)
    with CaptureQueriesContext(connection) as second:
        assert results(client.get(DASHBOARD)) == results(first)
    # The filter menus still load; no count, no triage read.
    assert not any("roadmap_triage" in q["sql"] for q in second.captured_queries)
    return first


def test_the_dashboard_is_computed_once_until_something_changes(lead_client, one_sided):
    cached(lead_client, "Audit export")


def test_the_htmx_fragment_and_the_page_share_the_numbers(lead_client, one_sided):
    fragment = lead_client.get(DASHBOARD, headers={"HX-Request": "true"})
    assert b"<html" not in fragment.content
    assert results(fragment) in lead_client.get(DASHBOARD).content


def test_the_item_form_shows_at_once(lead_client, pm_client, one_sided):
    cached(lead_client, "Audit export")
    pm_client.post(reverse("roadmap:item-edit", args=[one_sided.pk]), {
        "title": "Audit export to CSV", "product": one_sided.product_id, "description": "",
        "request_quote": "", "requesting_persona": "", "status": "idea", "horizon": "now",
        "effort": "", "owner": "", "version": one_sided.version})
    assertContains(lead_client.get(DASHBOARD), "Audit export to CSV")


def test_a_triage_shows_at_once(lead_client, pm_client, pm, customer_persona):
    item = make_item(title="Spend limits", horizon="now")
    cached(lead_client)
    assertNotContains(lead_client.get(DASHBOARD), "Spend limits")
    pm_client.post(reverse("roadmap:triage", args=[item.pk]),
                   {"version": item.version, "primary_beneficiaries": [customer_persona.pk]})
    assert Triage.objects.filter(item=item).exists()
    assertContains(lead_client.get(DASHBOARD), "Spend limits")


def test_a_review_shows_at_once(lead_client, one_sided):
    cached(lead_client, "No challenged items.")
    lead_client.post(reverse("roadmap:review", args=[one_sided.pk]), {
        "version": one_sided.version, "review_version": 0, "verdict": "challenged",
        "comment": "Who uses it?"})
    assertNotContains(lead_client.get(DASHBOARD), "No challenged items.")


def test_a_bulk_edit_shows_at_once(lead_client, pm_client, one_sided):
    cached(lead_client, "Audit export")
    pm_client.post(reverse("roadmap:item-list"), {
        "bulk-items": [f"{one_sided.pk}:{one_sided.version}"], "bulk-status": "shipped"})
    assert RoadmapItem.objects.get(pk=one_sided.pk).status == "shipped"
    assertNotContains(lead_client.get(DASHBOARD), "Audit export")  # open items only


def test_an_import_and_its_undo_show_at_once(lead_client, pm, run_tasks):
    platform = make_product(name="Platform")
    cached(lead_client)
    done = import_file(JIRA, platform, by=pm, mapping={"unknown_owner": "unassigned"})
    assertContains(lead_client.get(DASHBOARD), "2 untriaged items are not counted")
    assert done.start_undo(pm) == ""
    run_tasks()  # the worker, its own connection and commits
    assert BacklogImport.objects.get(pk=done.pk).status == "undone"
    assertNotContains(lead_client.get(DASHBOARD), "untriaged items are not counted")


def test_the_api_shows_at_once(lead_client, pm, one_sided):
    cached(lead_client, "Audit export")
    response = token_client(pm).patch(
        f"/api/items/{one_sided.pk}", {"title": "Audit log export", "version": one_sided.version},
        content_type="application/json")
    assert response.status_code == 200
    assertContains(lead_client.get(DASHBOARD), "Audit log export")


def test_the_admin_shows_at_once(lead_client, admin_client, one_sided):
    cached(lead_client, "Audit export")
    change = reverse("admin:roadmap_roadmapitem_change", args=[one_sided.pk])
    form = admin_client.get(change).context["adminform"].form
    data = {name: value for name, value in form.initial.items() if value is not None}
    data.update(title="Audit trail export", version=one_sided.version,
                product=one_sided.product_id, owner=one_sided.owner_id)
    admin_client.post(change, data)
    assert RoadmapItem.objects.get(pk=one_sided.pk).title == "Audit trail export"
    assertContains(lead_client.get(DASHBOARD), "Audit trail export")


def test_evidence_shows_at_once(lead_client, pm_client, pm, employee, buyer):
    item = make_item(title="Approve from email", horizon="now")
    triage(item, [employee], by=pm)  # users only
    cached(lead_client)
    for _ in range(2):  # two buyers' notes: the tag disagrees with the evidence
        pm_client.post(reverse("evidence:item-notes", args=[item.pk]), {
            "text": "Approvals sit for a week.", "persona": buyer.pk, "company": "",
            "contact_name": "", "source": "sales_call", "link": "", "importance": 2,
            "observed_on": "2026-11-20"})
    assert Evidence.objects.count() == 2
    assertContains(lead_client.get(DASHBOARD), "Approve from email")


def test_a_persona_archived_or_merged_shows_at_once(lead_client, admin_client):
    kept = make_persona(side="customer", name="Finance lead")
    merged = make_persona(side="customer", name="Finance head")
    archived = make_persona(side="customer", name="Travel desk")
    cached(lead_client, "Finance head", "Travel desk")
    changelist = reverse("admin:personas_persona_changelist")
    admin_client.post(changelist, {"action": "archive_selected",
                                   "_selected_action": [archived.pk]})
    admin_client.post(changelist, {"action": "merge_personas", "kept": kept.pk,
                                   "_selected_action": [kept.pk, merged.pk], "merge": "Merge"})
    assert Persona.objects.filter(archived=True).count() == 2
    page = lead_client.get(DASHBOARD)
    assertNotContains(page, "Finance head")
    assertNotContains(page, "Travel desk")


def test_the_thresholds_show_at_once(lead_client, admin_client, one_sided):
    cached(lead_client, "Building only for buyers")  # 1 of 1 triaged: over 50%
    thresholds = ReviewThresholds.current()
    thresholds.save()  # a flush after an earlier committing test removed the migration's row
    admin_client.post(reverse("admin:roadmap_reviewthresholds_change", args=[thresholds.pk]),
                      {"customers_only_share": 100, "users_only_share": 50,
                       "scope": thresholds.scope, "evidence_share": thresholds.evidence_share,
                       "evidence_min_notes": thresholds.evidence_min_notes,
                       "metrics_rising_at": thresholds.metrics_rising_at,
                       "metrics_falling_at": thresholds.metrics_falling_at})
    assert ReviewThresholds.current().customers_only_share == 100
    assertContains(lead_client.get(DASHBOARD), "threshold 100%")


def test_writes_that_send_no_signals_show_at_once(lead_client, pm, one_sided):
    cached(lead_client, "Audit export")
    RoadmapItem.objects.filter(pk=one_sided.pk).update(title="Renamed by update()")
    assertContains(lead_client.get(DASHBOARD), "Renamed by update()")
    RoadmapItem.objects.bulk_create([RoadmapItem(product=one_sided.product, title="Bulk one",
                                                 horizon="now")])
    assertContains(lead_client.get(DASHBOARD), "Untriaged: 1 item")


def test_each_role_gets_the_dashboard_of_its_permissions(lead_client, pm_client, one_sided):
    """A team lead's lists carry the review buttons; a PM's, read from the cache after the
    lead's, do not."""
    review = f'hx-get="{reverse("roadmap:review", args=[one_sided.pk])}'
    assertContains(cached(lead_client), review)
    assertNotContains(cached(pm_client), review)


def test_history_dated_back_shows_at_once(lead_client, pm, customer_persona):
    """Plan against reality keeps the plans of begun quarters (roadmap.QuarterPlan) until
    history is rewritten, as seed_demo dates its records: then they are counted again."""
    last = Quarter.current().previous()
    item = make_item(title="SSO", target_quarter=str(last))
    triage(item, [customer_persona], by=pm)
    planned = f'aria-label="Planned in {last.label()}: Customers only 1, '
    assertNotContains(cached(lead_client), planned)
    before = timezone.make_aware(datetime.combine(last.first_day - timedelta(days=7), time(9)))
    RoadmapItem.history.filter(id=item.pk).update(history_date=before)
    Triage.history.filter(item_id=item.pk).update(history_date=before)
    assertContains(lead_client.get(DASHBOARD), planned)


def buyers_heard(response):
    """The notes listening coverage counts from buyers (the archetype of `buyer`)."""
    row = re.search(rb'<th scope="row">Buyer</th>\s*<td[^>]*>[^<]*</td>\s*<td[^>]*>(\d+)</td>',
                    response.content)
    return int(row[1])


def test_listening_is_kept_through_roadmap_writes_until_a_note_changes(
        lead_client, pm, buyer, one_sided):
    """Listening coverage reads notes and personas only (whobenefits.changes.kept): a
    roadmap write renders the dashboard again without counting it again; a note does."""
    assert buyers_heard(cached(lead_client)) == 0
    RoadmapItem.objects.filter(pk=one_sided.pk).update(title="Renamed by update()")
    with CaptureQueriesContext(connection) as read:
        page = lead_client.get(DASHBOARD)
    assertContains(page, "Renamed by update()")
    assert buyers_heard(page) == 0
    assert not any("personas_archetype" in q["sql"] for q in read.captured_queries)
    make_note(buyer, by=pm, items=[one_sided])
    assert buyers_heard(lead_client.get(DASHBOARD)) == 1
    Persona.objects.filter(pk=buyer.pk).update(archetype_id="decision_maker")  # a persona
    assert buyers_heard(lead_client.get(DASHBOARD)) == 0
