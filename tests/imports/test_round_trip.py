"""Who Benefits' own export imports back: unchanged, it changes nothing."""

import pytest
from django.urls import reverse

from roadmap.models import RoadmapItem
from tests.factories import (
    import_file,
    make_item,
    make_metric,
    make_persona,
    make_product,
    review_item,
    triage,
)


@pytest.fixture
def roadmap(db, pm, lead):
    platform, expenses = make_product(name="Platform"), make_product(name="Expenses")
    buyer = make_persona(side="customer", name="Economic buyer")
    employee = make_persona(side="user", name="Field employee")
    sso = make_item(title="SSO", product=platform, horizon="now", status="planned", effort=8,
                    owner=pm, requesting_persona=buyer, labels=["identity", "enterprise"],
                    description="SAML first,\nthen OIDC \u2014 \u201csoon\u201d \U0001f680",
                    external_source="jira", external_key="PLAT-7",
                    external_url="https://acme.atlassian.net/browse/PLAT-7")
    triage(sso, [buyer], by=pm, value="Renewal keeps access.", metrics=[make_metric()])
    review_item(sso, "challenged", "Who uses this?", lead)
    triage(make_item(title="Offline", product=expenses, status="in_progress"), [employee],
           by=pm)
    make_item(title='=HYPERLINK("http://evil.example")', product=expenses, horizon="later")
    make_item(title="Dropped idea", product=platform, status="dropped", effort=0)
    return {"platform": platform, "expenses": expenses}


def export(client, path="roadmap:export-csv", **filters):
    response = client.get(reverse(path), {"status": "any", **filters})
    if path.endswith("csv"):
        return b"".join(response.streaming_content)
    return response.content


def items_now():
    return sorted(RoadmapItem.objects.values_list(
        "pk", "product__name", "title", "description", "status", "horizon", "effort",
        "owner", "requesting_persona", "labels", "external_source", "external_key",
        "external_url", "version"))


@pytest.mark.parametrize("path", ["roadmap:export-csv", "roadmap:export-xlsx"])
def test_re_importing_the_export_changes_nothing(pm_client, pm, roadmap, path):
    before = items_now()
    again = import_file(export(pm_client, path), None, by=pm, mapping={})
    assert again.source == "whobenefits"
    assert (again.new_count, again.updated_count, again.unchanged_count, again.error_count) == (
        0, 0, 4, 0)
    assert items_now() == before


def test_an_item_for_someone_who_pays_and_uses_imports_back_unchanged(pm_client, pm, roadmap):
    owner = make_persona(side="both", name="Small-business owner")
    triage(make_item(title="Receipts by photo", product=roadmap["expenses"],
                     requesting_persona=owner), [owner], by=pm, whose_problem="user")
    before = items_now()
    again = import_file(export(pm_client), None, by=pm, mapping={})
    assert (again.updated_count, again.unchanged_count, again.error_count) == (0, 5, 0)
    assert items_now() == before


def test_re_importing_one_products_export_into_it_changes_nothing(pm_client, pm, roadmap):
    data = export(pm_client, product="platform")
    again = import_file(data, roadmap["platform"], by=pm, commit=False)
    assert (again.new_count, again.updated_count, again.unchanged_count) == (0, 0, 2)


def test_an_edit_made_in_the_exported_file_updates_that_item(pm_client, pm, roadmap):
    data = export(pm_client).replace(b"Dropped idea", b"Dropped idea for now")
    again = import_file(data, None, by=pm)
    assert (again.new_count, again.updated_count, again.unchanged_count) == (0, 1, 3)
    item = RoadmapItem.objects.get(title="Dropped idea for now")
    assert item.history.latest("history_id").history_change_reason.startswith("Import #")


def test_an_item_changed_since_the_export_is_a_conflict_not_overwritten(pm_client, pm, roadmap):
    data = export(pm_client).replace(b"Dropped idea", b"Dropped from the file")
    item = RoadmapItem.objects.get(title="Dropped idea")
    item.title = "Dropped in the app"
    item.save_edit(expected_version=item.version, edited_by=pm)
    again = import_file(data, None, by=pm, commit=False)
    row = again.rows.get(title="Dropped from the file")
    assert row.conflicts == [["Title", "Dropped in the app", "Dropped from the file", False]]


def test_an_export_from_another_who_benefits_is_not_matched_to_the_wrong_items(
        pm_client, pm, roadmap):
    data = export(pm_client)
    RoadmapItem.objects.filter(title="SSO").update(created_at="2020-01-01T00:00:00Z")
    again = import_file(data, None, by=pm, commit=False)
    errors = [message for row in again.rows.all() for _, message in row.errors]
    assert any("not the item of this export" in message for message in errors)
