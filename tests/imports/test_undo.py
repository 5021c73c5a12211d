"""Undoing an import: what it created goes, what it changed comes back, on the audit trail."""

from pathlib import Path

import pytest
from django.urls import reverse
from pytest_django.asserts import assertContains

from imports.models import BacklogImport, ImportedItem
from roadmap import roles
from roadmap.models import Product, RoadmapItem
from tests.conftest import logged_in_client
from tests.factories import import_file, make_person, make_persona, make_product, triage

JIRA = (Path(__file__).parent / "files" / "jira_current_fields.csv").read_bytes()
UNASSIGNED = {"unknown_owner": "unassigned"}


@pytest.fixture
def platform(db):
    return make_product(name="Platform")


def undo_now(backlog_import, person):
    """Start the undo as the page does, and run it here instead of in the worker."""
    assert backlog_import.start_undo(person) == ""
    backlog_import.refresh_from_db()
    backlog_import.undo()
    backlog_import.refresh_from_db()
    return backlog_import


def test_undo_removes_the_created_items_and_restores_the_changed_ones(platform, pm):
    first = import_file(JIRA, platform, by=pm, mapping=UNASSIGNED)
    changed = JIRA.replace(b"SCIM user provisioning", b"SCIM provisioning")
    changed += b"Story,PLAT-10,20010,Usage report,,Lena Schmidt,Low,To Do,,x,x,,,,\n"
    second = import_file(changed, platform, by=pm, mapping=UNASSIGNED)
    assert (second.new_count, second.updated_count) == (1, 1)
    undone = undo_now(second, pm)
    assert undone.status == "undone"
    assert sorted(RoadmapItem.objects.values_list("external_key", "title")) == [
        ("PLAT-7", "SCIM user provisioning"), ("PLAT-8", "Role-based admin permissions"),
        ("PLAT-9", "Audit log export")]
    scim = RoadmapItem.objects.get(external_key="PLAT-7")
    record = scim.history.latest("history_id")
    assert (record.history_change_reason, record.history_user) == (f"Undo of import #{second.pk}",
                                                                    pm)
    # The base for the next import is the first import's again: re-importing it is quiet.
    assert ImportedItem.objects.get(item=scim).backlog_import_id == first.pk
    assert ImportedItem.objects.get(item=scim).values["title"] == "SCIM user provisioning"
    assert import_file(JIRA, platform, by=pm, mapping=UNASSIGNED, commit=False).unchanged_count == 3


def test_undo_removes_the_products_the_import_created(pm, db):
    done = import_file(b"Product,Title\nNew product,A\n", None, by=pm)
    undo_now(done, pm)
    assert not Product.objects.filter(name="New product").exists()


def test_no_undo_once_an_item_was_triaged_since(platform, pm):
    done = import_file(JIRA, platform, by=pm, mapping=UNASSIGNED)
    triage(RoadmapItem.objects.get(external_key="PLAT-8"), [make_persona()], by=pm)
    problem = done.undo_problem(pm)
    assert "were triaged or edited since this import" in problem
    assert "Role-based admin permissions" in problem
    assert done.start_undo(pm) == problem
    assert RoadmapItem.objects.count() == 3


def test_only_the_importer_or_an_admin_may_undo(platform, pm, admin_person):
    done = import_file(JIRA, platform, by=pm, mapping=UNASSIGNED)
    other = make_person(roles.PRODUCT_MANAGER)
    assert "Only the person who ran this import" in done.undo_problem(other)
    assert done.undo_problem(admin_person) == ""


def test_the_undo_button_queues_the_undo_for_the_worker(run_tasks, pm, platform):
    done = import_file(JIRA, platform, by=pm, mapping=UNASSIGNED)
    client = logged_in_client(pm)
    assertContains(client.get(done.get_absolute_url()), "Undo this import")
    client.post(reverse("imports:undo", args=[done.pk]))
    run_tasks()
    done.refresh_from_db()
    assert done.status == BacklogImport.State.UNDONE
    assert not RoadmapItem.objects.exists()
    assertContains(client.get(done.get_absolute_url()), "undid this import")
