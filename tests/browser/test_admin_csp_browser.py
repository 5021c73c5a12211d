"""The Django admin and the audit trail work in a real browser under the strict CSP (every
browser test fails on a violation: tests/browser/conftest.py)."""

from pathlib import Path

import pytest
from playwright.sync_api import expect

from personas.models import Persona
from tests.factories import make_item, make_metric, make_persona, triage

pytestmark = pytest.mark.browser


def test_admin_pages_run_their_scripts_under_the_csp(log_in, admin_person, pm):
    page = log_in(admin_person)
    make_metric(name="Revenue")
    persona = make_persona(name="Buyer")
    triage(make_item(), [persona], by=pm)
    page.goto("/admin/")
    expect(page.get_by_role("heading", name="Site administration")).to_be_visible()
    page.goto("/admin/personas/persona/")
    expect(page.get_by_role("columnheader", name="Primary for")).to_be_visible()
    page.goto("/admin/personas/persona/add/")
    # The slug is filled in from the name by the admin's JavaScript: it ran.
    page.get_by_label("Name").press_sequentially("Finance director")
    expect(page.get_by_label("Slug")).to_have_value("finance-director")
    page.goto(f"/admin/personas/persona/{persona.pk}/change/")
    expect(page.get_by_label("Revenue")).to_be_visible()
    page.goto(f"/admin/personas/persona/{persona.pk}/history/")
    expect(page.get_by_role("heading", name="View history: Buyer")).to_be_visible()
    page.goto(f"/admin/auth/user/{pm.pk}/change/")
    expect(page.get_by_label("Product manager")).to_be_checked()
    page.goto(f"/admin/personas/persona/{persona.pk}/delete/")
    expect(page.get_by_text("archive it instead")).to_be_visible()


def test_admin_merges_two_personas_from_the_changelist(log_in, admin_person, pm):
    page = log_in(admin_person)
    kept, merged = make_persona(name="Economic buyer"), make_persona(name="Buyer")
    item = make_item()
    triage(item, [merged], by=pm)
    page.goto("/admin/personas/persona/")
    page.locator(f"input[name=_selected_action][value='{kept.pk}']").check()
    page.locator(f"input[name=_selected_action][value='{merged.pk}']").check()
    page.get_by_label("Action:").select_option("merge_personas")
    page.get_by_role("button", name="Run").click()
    page.get_by_label("Economic buyer").check()
    page.get_by_role("button", name="Merge").click()
    expect(page.get_by_text("Merged “Buyer” into “Economic buyer”")).to_be_visible()
    assert Persona.objects.get(pk=merged.pk).archived
    assert list(item.triage.primary_beneficiaries.all()) == [kept]


def test_audit_trail_filters_and_exports_in_the_browser(log_in, admin_person, pm):
    page = log_in(admin_person)
    triage(make_item(title="Offline mode"), [make_persona(name="Buyer")], by=pm)
    page.goto("/audit/")
    page.get_by_label("Object type").select_option(label="Triage answer")
    page.get_by_role("button", name="Filter").click()
    expect(page.get_by_role("link", name="Triage of “Offline mode”")).to_be_visible()
    with page.expect_download() as download:
        page.get_by_role("link", name="Export CSV").click()
    body = Path(download.value.path()).read_text(encoding="utf-8")
    assert "Triage answer" in body and "Offline mode" in body
