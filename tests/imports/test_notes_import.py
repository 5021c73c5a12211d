"""Importing evidence notes through the import engine: upload, map, preview, confirm, in the
worker, as a product manager walks it."""

from datetime import date

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from pytest_django.asserts import assertContains, assertRedirects

from evidence.models import Evidence
from imports.models import BacklogImport
from tests.conftest import logged_in_client
from tests.factories import import_file, make_company, make_item, make_persona

HEADER = b"Text,Persona,Company,Date,Link,Item key,Importance,Source\n"


@pytest.fixture
def asked(db, pm):
    """Two personas, a company and two items (one keyed from Jira), as the rows name them."""
    return {
        "buyer": make_persona(side="customer", name="Economic buyer"),
        "employee": make_persona(side="user", name="Field employee"),
        "acme": make_company("Acme", arr=420000),
        "sso": make_item(title="Single sign-on", owner=pm, external_source="jira",
                         external_key="ACME-12"),
        "receipts": make_item(title="Receipt capture", owner=pm),
    }


def notes_file(asked):
    receipts = asked["receipts"].pk
    return HEADER + (
        f"Auditors need SSO before renewal,Economic buyer,Acme,2026-10-02,"
        f"https://crm.example.com/1,ACME-12,Blocker,Sales call\n"
        f'"Typing receipts by hand, every week",field employee,,2026-10-03,,"#{receipts}, '
        f'ACME-12",,Support ticket\n'
        f"No idea where this goes,Field employee,,,,,,\n").encode()


def walk(client, run_tasks, data, name="notes.csv"):
    """Upload, map as proposed, preview: the import, waiting for the PM's confirmation."""
    response = client.post(reverse("imports:upload-notes"),
                           {"file": SimpleUploadedFile(name, data)})
    notes_import = BacklogImport.objects.latest("pk")
    assertRedirects(response, notes_import.get_absolute_url())
    run_tasks()
    map_url = reverse("imports:map", args=[notes_import.pk])
    assertRedirects(client.get(notes_import.get_absolute_url()), map_url)
    form = client.get(map_url).context["form"]
    posted = client.post(map_url, {name: form[name].value() or "" for name in form.fields})
    assertRedirects(posted, notes_import.get_absolute_url())
    run_tasks()
    return notes_import


def confirm(client, run_tasks, notes_import, **choices):
    client.post(reverse("imports:confirm", args=[notes_import.pk]), choices)
    run_tasks()
    return client.get(notes_import.get_absolute_url())


def test_notes_import_through_upload_map_preview_and_the_worker(run_tasks, pm, asked):
    client = logged_in_client(pm)
    notes_import = walk(client, run_tasks, notes_file(asked))
    preview = client.get(reverse("imports:preview", args=[notes_import.pk]))
    assertContains(preview, "<strong>3</strong> new notes", html=False)
    assertContains(preview, f"#{asked['receipts'].pk}: Receipt capture; ACME-12: Single sign-on")
    assert not Evidence.objects.exists()
    result = confirm(client, run_tasks, notes_import)
    assertContains(result, "<strong>3</strong> notes added", html=False)
    sso_note = Evidence.objects.get(company=asked["acme"])
    assert (sso_note.persona, sso_note.observed_on, sso_note.importance, sso_note.source,
            sso_note.link) == (asked["buyer"], date(2026, 10, 2), 3, "sales_call",
                               "https://crm.example.com/1")
    assert list(sso_note.items.all()) == [asked["sso"]]
    receipts_note = Evidence.objects.get(text="Typing receipts by hand, every week")
    assert set(receipts_note.items.all()) == {asked["sso"], asked["receipts"]}
    assert receipts_note.importance == Evidence.Importance.WOULD_HELP  # empty: the default
    inbox = client.get(reverse("evidence:inbox"))
    assertContains(inbox, "No idea where this goes")
    assertContains(client.get(asked["sso"].get_absolute_url()), "Auditors need SSO")


def test_each_imported_note_is_on_the_audit_trail_with_its_items(run_tasks, pm, asked):
    client = logged_in_client(pm)
    notes_import = walk(client, run_tasks, notes_file(asked))
    confirm(client, run_tasks, notes_import)
    note = Evidence.objects.get(text="Typing receipts by hand, every week")
    record = note.history.get()
    assert (record.history_type, record.history_user) == ("+", pm)
    assert record.history_change_reason == f"Import #{notes_import.pk} (Evidence notes: notes.csv)"
    assert {link.roadmapitem for link in record.items.all()} == {asked["sso"], asked["receipts"]}


def test_importing_the_same_file_again_adds_nothing(run_tasks, pm, asked):
    client = logged_in_client(pm)
    confirm(client, run_tasks, walk(client, run_tasks, notes_file(asked)))
    again = walk(client, run_tasks, notes_file(asked))
    preview = client.get(reverse("imports:preview", args=[again.pk]))
    assertContains(preview, "<strong>0</strong> new notes", html=False)
    assertContains(preview, "<strong>3</strong> recorded already", html=False)
    refused = client.post(reverse("imports:confirm", args=[again.pk]), follow=True)
    assertContains(refused, "Nothing to import: every note is recorded already")
    assert Evidence.objects.count() == 3


def test_each_row_error_names_its_column_and_nothing_is_written(pm, asked):
    asked["employee"].archived = True
    asked["employee"].save()
    make_company("Globex", archived=True)
    data = HEADER + (
        b"Works offline,Field employee,,,,,,\n"
        b"Audit export,Economic buyer,Globex,,,,,\n"
        b"Dark mode,Economic buyer,,30/11/2026,ftp://x,NOPE-1,urgent,pigeon\n"
        b",Economic buyer,,,,,,\n")
    notes_import = import_file(data, None, by=pm, kind="notes", commit=False)
    errors = {row.line: row.errors for row in notes_import.rows.all()}
    assert errors[2] == [["Persona", "Field employee is archived and cannot be picked for new "
                                     "evidence."]]
    assert errors[3] == [["Company", "Globex is archived and cannot be picked for new "
                                     "evidence."]]
    assert [column for column, _ in errors[4]] == ["Date", "Source", "Importance", "Link",
                                                   "Item key"]
    assert "write it as 2026-11-30" in errors[4][0][1]
    assert errors[4][4][1] == "No roadmap item has the key or id \u201cNOPE-1\u201d."
    assert errors[5] == [["Text", "No text: what did they say?"]]
    assert notes_import.error_count == 4
    assert notes_import.can_commit().startswith("4 rows have errors")
    assert not Evidence.objects.exists()


def test_a_key_two_items_share_asks_for_the_item_id(pm, asked):
    twin = make_item(title="SSO, the other product", external_source="linear",
                     external_key="ACME-12")
    notes_import = import_file(HEADER + b"SSO please,Economic buyer,,,,ACME-12,,\n", None,
                               by=pm, kind="notes", commit=False)
    assert notes_import.rows.get().errors == [[
        "Item key", f"2 items have the key ACME-12: use the item's id (#{asked['sso'].pk}, "
                    f"#{twin.pk})."]]


def test_valid_rows_import_when_the_errors_are_skipped(pm, asked):
    data = HEADER + b"Works offline,Field employee,,,,,,\nWho?,Nobody,,,,,,\n"
    notes_import = import_file(data, None, by=pm, kind="notes", skip_errors=True)
    assert notes_import.status == BacklogImport.State.IMPORTED
    assert list(Evidence.objects.values_list("text", flat=True)) == ["Works offline"]


def test_a_team_lead_may_not_import_notes(lead_client):
    response = lead_client.post(reverse("imports:upload-notes"),
                                {"file": SimpleUploadedFile("notes.csv", HEADER)})
    assert response.status_code == 403
    assert not BacklogImport.objects.exists()


def test_the_number_of_queries_does_not_grow_with_the_rows(pm, asked,
                                                           django_assert_max_num_queries):
    def rows(count):
        return HEADER + b"".join(f"Note {n},Economic buyer,Acme,,,ACME-12,,\n".encode()
                                 for n in range(count))

    small = import_file(rows(3), None, by=pm, kind="notes", preview=False)
    large = import_file(rows(300), None, by=pm, kind="notes", preview=False)
    with CaptureQueriesContext(connection) as few:
        small.preview()
    with django_assert_max_num_queries(len(few)):
        large.preview()
