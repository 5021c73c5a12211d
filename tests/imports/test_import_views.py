"""The Import pages, as a product manager walks them: upload, map, preview, confirm, result."""

from datetime import timedelta
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from pytest_django.asserts import assertContains, assertNotContains, assertRedirects

from imports.models import BacklogImport
from roadmap import roles
from roadmap.models import RoadmapItem
from tests.conftest import logged_in_client
from tests.factories import import_file, make_person, make_product

FILES = Path(__file__).parent / "files"


def upload(client, data, product="expenses", name="backlog.csv", source=""):
    return client.post(reverse("imports:upload"), {
        "product": product, "source": source, "file": SimpleUploadedFile(name, data)})


def fresh(backlog_import):
    backlog_import.refresh_from_db()
    return backlog_import


@pytest.fixture
def expenses(db):
    return make_product(name="Expenses")


def test_the_whole_flow_from_upload_to_the_triage_queue(run_tasks, pm, expenses):
    client = logged_in_client(pm)
    response = upload(client, b"Title,Status,Effort,Key\nDark mode,Ready,2,D-1\n"
                              b"Offline drafts,Finished,5,D-2\n")
    backlog_import = BacklogImport.objects.get()
    assertRedirects(response, backlog_import.get_absolute_url())
    assertContains(client.get(backlog_import.get_absolute_url()), "Reading the file")
    run_tasks()
    map_url = reverse("imports:map", args=[backlog_import.pk])
    assertRedirects(client.get(backlog_import.get_absolute_url()), map_url)
    page = client.get(map_url)
    assertContains(page, "not mapped yet")  # "Ready" is no standard status name
    form = page.context["form"]
    data = {name: form[name].value() or "" for name in form.fields}
    refused = client.post(map_url, data)
    assertContains(refused, "Choose what \u201cReady\u201d becomes.")
    ready = next(field.name for field, value, _ in form.value_fields["status"] if value == "Ready")
    data[ready] = "planned"
    finished = next(f.name for f, value, _ in form.value_fields["status"] if value == "Finished")
    data[finished] = "shipped"
    posted = client.post(map_url, data)
    assert posted.status_code == 302, posted.context["form"].errors
    assertRedirects(posted, backlog_import.get_absolute_url())
    run_tasks()
    preview = client.get(reverse("imports:preview", args=[backlog_import.pk]))
    assertContains(preview, "<strong>2</strong> new", html=False)
    assertContains(preview, "Planned")
    assert not RoadmapItem.objects.exists()
    client.post(reverse("imports:confirm", args=[backlog_import.pk]))
    assert fresh(backlog_import).status == "importing"
    run_tasks()
    result = client.get(backlog_import.get_absolute_url())
    assertContains(result, "Imported")
    assertContains(result, "Triage the 2 untriaged items")
    items = client.get(result.context["new_items_url"])
    assertContains(items, f"The items import #{backlog_import.pk} created.")
    assert [i.title for i in items.context["page"].object_list] == ["Dark mode", "Offline drafts"]
    queue = client.get(result.context["queue_url"])
    assert queue.context["left"] == 2
    assert RoadmapItem.objects.get(external_key="D-1").status == "planned"
    # The mapping is remembered for the next import of this product and source.
    upload(client, b"Title,Status\nAnother,Ready\n")
    run_tasks()
    second = BacklogImport.objects.latest("pk")
    assert second.mapping["values"]["status"]["Ready"] == "planned"


def test_a_file_too_large_is_refused_beside_the_field(pm_client, expenses):
    response = upload(pm_client, b"Title\n" + b"x" * (20 * 1024 * 1024 + 10))
    assertContains(response, "the limit is 20 MB")
    assert not BacklogImport.objects.exists()


def test_the_product_is_required(pm_client, expenses):
    response = upload(pm_client, b"Title\nA\n", product="")
    assertContains(response, "Choose the product the items go to, or “From a column in the "
                             "file”.")
    assert not BacklogImport.objects.exists()


def test_a_refused_upload_says_to_choose_the_file_again(pm_client, expenses):
    """The browser comes back without the chosen file: the page names it, beside the field."""
    response = upload(pm_client, b"Title\nA\n", product="", name="q3-backlog.csv")
    assert response.context["form"].errors["file"] == [
        "Choose “q3-backlog.csv” again: the browser lets go of a chosen file when the form "
        "comes back."]
    assert upload(pm_client, b"Title\nA\n").status_code == 302  # chosen with the product


def test_a_running_step_polls_its_progress_and_then_goes_to_the_next_page(pm_client, pm, expenses):
    backlog_import = BacklogImport.start(data=b"Title\nA\n", file_name="a.csv",
                                         product=expenses, created_by=pm)
    backlog_import.queue(BacklogImport.State.READING)
    url = backlog_import.get_absolute_url()
    fragment = pm_client.get(url, headers={"HX-Request": "true"})
    assertContains(fragment, 'hx-trigger="every 1s"')
    assertNotContains(fragment, "<html")
    page = pm_client.get(url)
    assertContains(page, '<meta http-equiv="refresh" content="2">')  # without JavaScript
    backlog_import.analyse()
    done = pm_client.get(url, headers={"HX-Request": "true"})
    assert done["HX-Redirect"] == reverse("imports:map", args=[backlog_import.pk])


def test_a_step_whose_worker_died_shows_as_failed_and_runs_again(pm_client, pm, expenses):
    backlog_import = BacklogImport.start(data=b"Title\nA\n", file_name="a.csv",
                                         product=expenses, created_by=pm)
    backlog_import.queue(BacklogImport.State.IMPORTING)
    BacklogImport.objects.filter(pk=backlog_import.pk).update(
        heartbeat_at=timezone.now() - timedelta(minutes=10))
    page = pm_client.get(backlog_import.get_absolute_url())
    assertContains(page, "The worker stopped while this ran")
    assertContains(page, "Nothing was written")
    pm_client.post(reverse("imports:run-again", args=[backlog_import.pk]))
    assert (fresh(backlog_import).status, backlog_import.attempt) == ("importing", 2)
    assert not backlog_import.is_stale


def test_rows_with_errors_need_an_explicit_choice_and_download_as_csv(pm_client, pm, expenses):
    backlog_import = import_file(b"Title,Effort\nGood,3\nBad,lots\n", expenses, by=pm,
                                 commit=False)
    preview = pm_client.get(reverse("imports:preview", args=[backlog_import.pk]))
    assertContains(preview, "Import the 1 valid row and skip the 1 with errors")
    assertContains(preview, "Effort \u201clots\u201d is not a number of points.")
    refused = pm_client.post(reverse("imports:confirm", args=[backlog_import.pk]), follow=True)
    assertContains(refused, "have errors")
    assert fresh(backlog_import).status == "previewed"
    csv = pm_client.get(reverse("imports:skipped-rows", args=[backlog_import.pk]))
    body = b"".join(csv.streaming_content).decode()
    assert body == ("\ufeffTitle,Effort,Error\r\n"
                    "Bad,lots,Effort: Effort \u201clots\u201d is not a number of points.\r\n")
    pm_client.post(reverse("imports:confirm", args=[backlog_import.pk]), {"skip_errors": "on"})
    assert fresh(backlog_import).status == "importing"


def test_html_in_a_cell_is_shown_as_text(pm_client, pm, expenses):
    backlog_import = import_file(b"Title\n<script>alert(1)</script>\n", expenses, by=pm,
                                 commit=False)
    preview = pm_client.get(reverse("imports:preview", args=[backlog_import.pk]))
    assertContains(preview, "&lt;script&gt;alert(1)&lt;/script&gt;")
    assertNotContains(preview, "<script>alert(1)")


def test_someone_elses_import_is_404_but_admins_see_every_import(pm, admin_client, expenses):
    backlog_import = import_file(b"Title\nA\n", expenses, by=pm, commit=False)
    other = logged_in_client(make_person(roles.PRODUCT_MANAGER))
    assert other.get(backlog_import.get_absolute_url()).status_code == 404
    assert list(other.get(reverse("imports:import-list")).context["page"].object_list) == []
    assert admin_client.get(reverse("imports:preview", args=[backlog_import.pk])).status_code == 200
    assertContains(admin_client.get(reverse("imports:import-list")), "backlog.csv")


def test_import_writes_need_the_csrf_token(pm, expenses):
    backlog_import = import_file(b"Title\nA\n", expenses, by=pm, commit=False)
    client = Client(enforce_csrf_checks=True)
    client.force_login(pm, backend="django.contrib.auth.backends.ModelBackend")
    for name in ["confirm", "abandon", "undo", "run-again", "conflicts"]:
        response = client.post(reverse(f"imports:{name}", args=[backlog_import.pk]))
        assert response.status_code == 403, name
    assert upload(client, b"Title\nB\n").status_code == 403
    assert fresh(backlog_import).status == "previewed"
    assert BacklogImport.objects.count() == 1


def test_cancelling_removes_the_file(pm_client, pm, expenses):
    backlog_import = import_file(b"Title\nA\n", expenses, by=pm, commit=False)
    pm_client.post(reverse("imports:abandon", args=[backlog_import.pk]))
    assert (fresh(backlog_import).status, backlog_import.content) == ("abandoned", None)
    assert not backlog_import.rows.exists()


def test_the_preview_page_runs_a_fixed_number_of_queries(pm_client, pm, expenses,
                                                          django_assert_max_num_queries):
    lines = "\n".join(f"Item {n},{n % 7}" for n in range(300))
    backlog_import = import_file(f"Title,Effort\n{lines}\n".encode(), expenses, by=pm,
                                 commit=False)
    with django_assert_max_num_queries(12):
        pm_client.get(reverse("imports:preview", args=[backlog_import.pk]))


def test_conflicts_are_settled_per_field_or_for_the_whole_file(run_tasks, pm, expenses):
    client = logged_in_client(pm)
    import_file(b"Key,Title,Effort\nK-1,Dark mode,2\n", expenses, by=pm)
    item = RoadmapItem.objects.get()
    item.title, item.effort = "Dark theme", 3
    item.save_edit(expected_version=item.version, edited_by=pm)
    preview = import_file(b"Key,Title,Effort\nK-1,Dark mode for all,5\n", expenses, by=pm,
                          commit=False)
    page = client.get(reverse("imports:preview", args=[preview.pk]))
    assertContains(page, "Changed here and in the file")
    assertContains(page, "here \u201cDark theme\u201d, in the file \u201cDark mode for all\u201d")
    client.post(reverse("imports:conflicts", args=[preview.pk]),
                {"everything": "", "field_title": "file", "field_effort": "app"})
    run_tasks()
    preview.refresh_from_db()
    assert preview.mapping["conflicts"] == {"title": "file", "effort": "app"}
    assert preview.rows.get().changes == [["Title", "Dark theme", "Dark mode for all"]]
    client.post(reverse("imports:conflicts", args=[preview.pk]),
                {"everything": "file", "field_title": "app", "field_effort": "app"})
    run_tasks()
    preview.refresh_from_db()
    assert preview.updated_count == 1
    assert [c[0] for c in preview.rows.get().changes] == ["Title", "Effort"]


def test_a_file_read_wrong_can_be_read_again_another_way(run_tasks, pm, expenses):
    client = logged_in_client(pm)
    data = "Title;Notes\nCafé;crème\n".encode("cp1252")
    upload(client, data)
    run_tasks()
    backlog_import = BacklogImport.objects.get()
    assert backlog_import.headers == ["Title", "Notes"]
    client.post(reverse("imports:run-again", args=[backlog_import.pk]),
                {"source": "spreadsheet", "encoding": "utf-16", "delimiter": ""})
    run_tasks()
    assert fresh(backlog_import).status == "failed"
    assertContains(client.get(backlog_import.get_absolute_url()), "Read the file another way")
    client.post(reverse("imports:run-again", args=[backlog_import.pk]),
                {"source": "spreadsheet", "encoding": "cp1252", "delimiter": ","})
    run_tasks()
    assert fresh(backlog_import).headers == ["Title;Notes"]


def test_polling_an_import_does_not_load_its_file(pm_client, pm, expenses):
    backlog_import = BacklogImport.start(data=b"Title\nA\n", file_name="a.csv",
                                         product=expenses, created_by=pm)
    backlog_import.queue(BacklogImport.State.READING)
    with CaptureQueriesContext(connection) as queries:
        pm_client.get(backlog_import.get_absolute_url(), headers={"HX-Request": "true"})
    loaded = [q["sql"] for q in queries.captured_queries if "imports_backlogimport" in q["sql"]]
    assert loaded and all('"content"' not in sql for sql in loaded)
