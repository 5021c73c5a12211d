"""A PM brings a Jira backlog in, in Chromium: upload, map, preview, confirm, progress,
result, and on into the triage queue. The steps run in the real task worker."""

import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

from roadmap.models import RoadmapItem
from tests.factories import make_product

pytestmark = pytest.mark.browser
JIRA = Path(__file__).resolve().parents[1] / "imports" / "files" / "jira_all_fields.csv"


def test_upload_map_preview_confirm_progress_result_triage_queue(log_in, pm, run_tasks):
    pm.email = "priya.menon@example.com"
    pm.save()
    make_product(name="Expenses")
    page = log_in(pm)
    page.goto("/roadmap/")
    page.get_by_role("link", name="Import a backlog").click()

    # Upload
    page.get_by_label("Product").select_option(label="Expenses")
    page.get_by_label("Backlog file").set_input_files(str(JIRA))
    page.get_by_role("button", name="Read the file").click()
    expect(page.get_by_role("heading", name="Reading the file…")).to_be_visible()
    run_tasks()  # the worker reads it; the page, polling, moves on by itself

    # Map: Jira's columns and standard statuses are mapped already; change one value.
    expect(page).to_have_url(re.compile(r"/imports/\d+/map/$"), timeout=15_000)
    expect(page.get_by_label("Title")).to_have_value("Summary")
    page.get_by_label("“Backlog”").select_option(label="Planned")
    page.get_by_role("button", name="Preview the import").click()
    expect(page.get_by_role("heading", name="Previewing…")).to_be_visible()
    run_tasks()

    # Preview: nothing written yet.
    expect(page).to_have_url(re.compile(r"/imports/\d+/preview/$"), timeout=15_000)
    expect(page.locator(".totals")).to_contain_text("5 new")
    expect(page.locator("#line-9")).to_contain_text("Planned")  # the remapped Backlog
    expect(page.locator("#line-8")).to_contain_text('=HYPERLINK("http://evil.example"')
    assert not RoadmapItem.objects.exists()

    # Confirm, and follow the progress.
    page.get_by_role("button", name="Import 5 new and 0 updated items").click()
    expect(page.get_by_role("heading", name="Importing…")).to_be_visible()
    expect(page.get_by_role("progressbar")).to_be_visible()
    run_tasks()

    # Result, then straight into triage.
    expect(page.get_by_role("heading", name="Imported")).to_be_visible(timeout=15_000)
    expect(page.get_by_role("status")).to_contain_text("5 new")
    assert RoadmapItem.objects.filter(external_source="jira").count() == 5
    page.get_by_role("link", name="Triage the 5 untriaged items").click()
    expect(page.locator(".queue-status")).to_contain_text("5 untriaged items left")
    expect(page.locator("#queue-item-title")).to_have_text("Single sign-on with SAML")
