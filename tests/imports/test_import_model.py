"""The import engine: what a preview shows, what a commit writes, and re-importing."""

from pathlib import Path

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from imports.models import BacklogImport, ImportRow
from roadmap import roles
from roadmap.models import Product, RoadmapItem
from tests.factories import import_file, make_item, make_person, make_persona, make_product, triage

FILES = Path(__file__).parent / "files"
JIRA = (FILES / "jira_all_fields.csv").read_bytes()


@pytest.fixture
def expenses(db):
    return make_product(name="Expenses")


@pytest.fixture
def priya(db):
    return make_person(roles.PRODUCT_MANAGER, username="priya", first_name="Priya",
                       last_name="Menon", email="priya.menon@example.com")


def rows(backlog_import):
    return {row.line: row for row in backlog_import.rows.all()}


def test_a_preview_writes_nothing_and_says_what_each_row_would_do(expenses, priya):
    preview = import_file(JIRA, expenses, by=priya, commit=False)
    assert RoadmapItem.objects.count() == 0
    assert (preview.status, preview.source) == ("previewed", "jira")
    assert (preview.new_count, preview.updated_count, preview.error_count) == (5, 0, 0)
    assert rows(preview)[2].title == "Single sign-on with SAML"
    assert rows(preview)[2].key == "EXP-101"


def test_a_jira_import_creates_items_with_key_labels_effort_owner_and_history(expenses, priya):
    done = import_file(JIRA, expenses, by=priya)
    assert done.status == "imported"
    sso = RoadmapItem.objects.get(external_key="EXP-101")
    assert (sso.product, sso.external_source, sso.status, sso.effort, sso.owner) == (
        expenses, "jira", "idea", 13, priya)
    assert sso.labels == ["security", "enterprise"]
    assert sso.source_import == done.pk
    offline = RoadmapItem.objects.get(external_key="EXP-103")
    assert (offline.status, offline.owner) == ("in_progress", priya)  # found by email
    record = sso.history.get()
    assert (record.history_type, record.history_user) == ("+", priya)
    assert record.history_change_reason == f"Import #{done.pk} (Jira: backlog.csv)"
    assert done.content is None  # the file is removed once imported


def test_formulas_and_html_are_stored_as_the_text_they_are(expenses, priya):
    import_file(JIRA, expenses, by=priya)
    item = RoadmapItem.objects.get(external_key="EXP-104")
    assert item.title == '=HYPERLINK("http://evil.example","Click me")'
    assert item.description == "<script>alert('x')</script> and <b>bold</b>"


def test_importing_the_same_file_again_changes_nothing(expenses, priya):
    import_file(JIRA, expenses, by=priya)
    again = import_file(JIRA, expenses, by=priya, commit=False)
    assert (again.new_count, again.updated_count, again.unchanged_count) == (0, 0, 5)
    assert RoadmapItem.objects.count() == 5


def test_a_re_import_updates_only_what_the_source_changed_and_never_the_triage(
        expenses, priya):
    import_file(JIRA, expenses, by=priya)
    sso = RoadmapItem.objects.get(external_key="EXP-101")
    triage(sso, [make_persona(name="IT administrator")], by=priya)
    changed = JIRA.replace(b"To Do,High", b"In Progress,High").replace(b"13.0", b"8.0")
    again = import_file(changed, expenses, by=priya)
    assert (again.new_count, again.updated_count, again.unchanged_count) == (0, 1, 4)
    assert rows(again)[2].changes == [["Status", "Idea", "In progress"], ["Effort", "13", "8"]]
    sso.refresh_from_db()
    assert (sso.status, sso.effort) == ("in_progress", 8)
    assert sso.current_triage() is not None
    assert sso.history.latest("history_id").history_change_reason.startswith(
        f"Import #{again.pk}")


def test_an_edit_in_the_app_is_kept_when_the_file_did_not_change_that_field(expenses, priya):
    import_file(JIRA, expenses, by=priya)
    sso = RoadmapItem.objects.get(external_key="EXP-101")
    sso.title = "SAML single sign-on"
    sso.save_edit(expected_version=sso.version, edited_by=priya)
    again = import_file(JIRA, expenses, by=priya, commit=False)
    assert again.unchanged_count == 5
    assert rows(again)[2].conflicts == []


def test_a_field_changed_in_both_is_a_conflict_and_keeps_the_app_value_by_default(
        expenses, priya):
    import_file(JIRA, expenses, by=priya)
    sso = RoadmapItem.objects.get(external_key="EXP-101")
    sso.title = "SAML single sign-on"
    sso.save_edit(expected_version=sso.version, edited_by=priya)
    changed = JIRA.replace(b"Single sign-on with SAML", b"SSO with SAML and OIDC")
    kept = import_file(changed, expenses, by=priya)
    assert rows(kept)[2].conflicts == [
        ["Title", "SAML single sign-on", "SSO with SAML and OIDC", False]]
    sso.refresh_from_db()
    assert sso.title == "SAML single sign-on"
    # The PM takes the file's value for titles: now it is written.
    sso.title = "SAML SSO"
    sso.save_edit(expected_version=sso.version, edited_by=priya)
    changed = changed.replace(b"SSO with SAML and OIDC", b"SSO with SAML or OIDC")
    taken = import_file(changed, expenses, by=priya, mapping={"conflicts": {"title": "file"}})
    assert rows(taken)[2].changes == [["Title", "SAML SSO", "SSO with SAML or OIDC"]]
    sso.refresh_from_db()
    assert sso.title == "SSO with SAML or OIDC"


def test_items_missing_from_the_new_file_are_listed_and_left_alone(expenses, priya):
    import_file(JIRA, expenses, by=priya)
    shorter = b"\r\n".join(line for line in JIRA.split(b"\r\n") if b"EXP-105" not in line)
    again = import_file(shorter, expenses, by=priya, commit=False)
    policy = RoadmapItem.objects.get(external_key="EXP-105")
    assert again.not_in_file == [policy.pk]
    assert RoadmapItem.objects.count() == 5


def test_an_item_made_in_the_app_is_matched_by_title_when_the_file_has_no_key(expenses, priya):
    make_item(title="Dark mode", product=expenses)
    preview = import_file(b"Title,Effort\nDark mode,3\nNew thing,2\n", expenses, by=priya,
                          commit=False)
    assert (preview.new_count, preview.updated_count) == (1, 0)
    assert [row.action for row in preview.rows.all()] == ["unchanged", "new"]


@pytest.mark.parametrize("csv, column, message", [
    (b"Title,Status\n,Idea\n", "Title", "No title: every row needs one."),
    (b"Title\n" + b"t" * 201 + b"\n", "Title", "Title is 201 characters long; at most 200 fit."),
    (b"Title,Description\nA," + b"d" * 100_000 + b"\n", "Description",
     "Description is 100,000 characters long; at most 5,000 fit."),
    (b"Title,Effort\nA,1500\n", "Effort", "Effort 1500 is out of range: 0 to 1000 points."),
    (b"Title,Effort\nA,lots\n", "Effort", "Effort “lots” is not a number"),
    (b"Title,Effort\nA,2.5\n", "Effort", "Effort 2.5 is not a whole number of points."),
    (b"Title,Owner\nA,nobody\n", "Owner", "No one here is called “nobody”"),
    (b"Title,Status\nA,Ready for QA\n", "Status",
     "Status “Ready for QA” is not mapped to a status of the app."),
    (b"Title,Key\nA,K-1\nB,K-1\n", "Key", "Line 2 has the key K-1: each item once per file."),
    (b"Title,Link\nA,javascript:alert(1)\n", "Link", "is not a web address (http or https)."),
    (b"Title,Requesting persona\nA,Nobody\n", "Requesting persona",
     "No persona is called “Nobody”."),
])
def test_each_bad_cell_is_a_row_error_next_to_its_column(expenses, priya, csv, column, message):
    preview = import_file(csv, expenses, by=priya, commit=False)
    errors = [error for row in preview.rows.all() for error in row.errors]
    assert [column, message] in errors or any(
        c == column and message in m for c, m in errors), errors


def test_a_deactivated_owner_is_an_error_or_left_unassigned_as_the_pm_chooses(expenses, priya):
    priya.is_active = False
    priya.save()
    csv = b"Title,Owner\nA,priya\n"
    refused = import_file(csv, expenses, commit=False)
    assert refused.rows.get().errors == [["Owner", "Priya Menon is deactivated."]]
    unassigned = import_file(csv, expenses, mapping={"unknown_owner": "unassigned"})
    assert unassigned.new_count == 1
    assert RoadmapItem.objects.get().owner is None


def test_a_file_with_errors_imports_nothing_unless_the_pm_skips_them(expenses, priya):
    csv = b"Title,Effort\nGood,3\nBad,lots\n"
    preview = import_file(csv, expenses, by=priya, commit=False)
    assert "1 row have errors" in preview.can_commit() or "have errors" in preview.can_commit()
    skipped = import_file(csv, expenses, by=priya, skip_errors=True)
    assert list(RoadmapItem.objects.values_list("title", flat=True)) == ["Good"]
    assert skipped.rows.get(line=3).cells == ["Bad", "lots"]


def test_products_named_in_a_column_are_created_when_confirmed(priya, db):
    make_product(name="Expenses")
    csv = b"Product,Title\nExpenses,A\nInvoicing,B\ninvoicing,C\n"
    preview = import_file(csv, None, by=priya, commit=False)
    assert preview.new_products == ["Invoicing"]
    assert "Confirm the products" in preview.can_commit()
    import_file(csv, None, by=priya)
    invoicing = Product.objects.get(name="Invoicing")
    assert sorted(invoicing.items.values_list("title", flat=True)) == ["B", "C"]
    assert invoicing.history.get().history_change_reason.startswith("Import #")


def test_a_commit_writes_nothing_when_the_roadmap_changed_since_the_preview(expenses, priya):
    import_file(JIRA, expenses, by=priya)
    changed = JIRA.replace(b"13.0", b"8.0")
    preview = import_file(changed, expenses, by=priya, commit=False)
    sso = RoadmapItem.objects.get(external_key="EXP-101")
    sso.effort = 21
    sso.save_edit(expected_version=sso.version, edited_by=priya)
    preview.status = BacklogImport.State.IMPORTING
    preview.save()
    preview.commit()
    preview.refresh_from_db()
    sso.refresh_from_db()
    assert preview.status == "previewed"
    assert "changed since the preview" in preview.notice
    assert sso.effort == 21
    assert preview.conflict_count == 1


def many_rows(count):
    lines = ["Issue key,Summary,Status,Assignee,Custom field (Story Points),Labels,Labels"]
    lines += [f"K-{n},Item {n},To Do,Priya Menon,{n % 20}.0,a{n % 3},b" for n in range(count)]
    return ("\n".join(lines) + "\n").encode()


def queries(action):
    with CaptureQueriesContext(connection) as context:
        action()
    return len(context.captured_queries)


def test_the_number_of_queries_does_not_grow_with_the_rows(expenses, priya):
    def preview_and_import(count):
        done = BacklogImport.start(data=many_rows(count), file_name="x.csv", product=expenses,
                                   created_by=priya)
        done.analyse()
        done.preview()
        done.status = BacklogImport.State.IMPORTING
        done.save()
        done.commit()

    few = queries(lambda: preview_and_import(3))
    RoadmapItem.objects.all().delete()
    ImportRow.objects.all().delete()
    many = queries(lambda: preview_and_import(400))
    assert few == many
    # Re-importing 400 unchanged rows: the same number again.
    assert queries(lambda: preview_and_import(400)) <= many


def test_an_import_reads_as_plain_data(expenses, priya):
    done = import_file(b"Title,Effort\nA,1\nB,lots\n", expenses, by=priya, skip_errors=True)
    data = done.as_data()
    assert {key: data[key] for key in ["id", "status", "progress", "stale", "product",
                                       "source", "file_name"]} == {
        "id": done.pk, "status": "imported", "progress": 100, "stale": False,
        "product": expenses.slug, "source": "spreadsheet", "file_name": "backlog.csv"}
    assert data["counts"] == {"new": 1, "updated": 0, "unchanged": 0, "errors": 1,
                              "conflicts": 0, "not_in_file": 0}


def test_an_imported_item_without_a_horizon_takes_its_products_default(priya, db):
    platform = make_product(name="Platform", default_horizon="next")
    import_file(b"Title\nOffline drafts\n", platform, by=priya)
    assert RoadmapItem.objects.get(title="Offline drafts").horizon == "next"
