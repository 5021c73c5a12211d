"""The Import pages: upload, map, preview, confirm, progress, result; the list of imports."""

import csv

from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.core.paginator import Paginator
from django.http import StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_htmx.http import HttpResponseClientRedirect

from roadmap.models import RoadmapItem
from whobenefits.forms import filters_query
from whobenefits.spreadsheet import Echo, safe_cell

from .forms import (
    ConfirmForm,
    ConflictsForm,
    MappingForm,
    NotesUploadForm,
    ReadAsForm,
    ReadingsUploadForm,
    RowFilterForm,
    UploadForm,
)
from .models import BacklogImport

State = BacklogImport.State
ROWS_PER_PAGE = 100
may_import = permission_required("imports.run_import", raise_exception=True)


def _get_import(request, pk):
    """The import, if this person may see it: their own, or any for admins (404 otherwise).
    Without its file: a page polled every second must not load 20 MB each time."""
    return get_object_or_404(BacklogImport.objects.visible_to(request.user).for_list(), pk=pk)


@require_GET
@may_import
def import_list(request):
    imports = BacklogImport.objects.visible_to(request.user).for_list()
    page = Paginator(imports, 50).get_page(request.GET.get("page"))
    return render(request, "imports/import_list.html", {
        "page": page, "sees_all": request.user.has_perm("imports.view_all_imports")})


@require_http_methods(["GET", "POST"])
@may_import
def upload(request):
    form = UploadForm(request.POST or None, request.FILES or None)
    if form.is_bound and form.is_valid():
        upload = form.cleaned_data["file"]
        backlog_import = BacklogImport.start(
            data=upload.read(), file_name=upload.name, product=form.cleaned_data["product"],
            source=form.cleaned_data["source"], created_by=request.user)
        backlog_import.queue_reading()
        return redirect(backlog_import)
    return render(request, "imports/upload.html", {"form": form})


@require_http_methods(["GET", "POST"])
@may_import
@permission_required("evidence.add_evidence", raise_exception=True)
def upload_notes(request):
    """Step 1 of a notes import; the steps after it are a backlog import's."""
    form = NotesUploadForm(request.POST or None, request.FILES or None)
    if form.is_bound and form.is_valid():
        upload = form.cleaned_data["file"]
        notes_import = BacklogImport.start(
            data=upload.read(), file_name=upload.name, product=None, created_by=request.user,
            kind=BacklogImport.Kind.NOTES)
        notes_import.queue_reading()
        return redirect(notes_import)
    return render(request, "imports/upload_notes.html", {"form": form})


@require_http_methods(["GET", "POST"])
@may_import
@permission_required("outcomes.add_metricreading", raise_exception=True)
def upload_readings(request):
    """Step 1 of a metric readings import (admins); the steps after it are a backlog's."""
    form = ReadingsUploadForm(request.POST or None, request.FILES or None)
    if form.is_bound and form.is_valid():
        upload = form.cleaned_data["file"]
        readings_import = BacklogImport.start(
            data=upload.read(), file_name=upload.name, product=None, created_by=request.user,
            kind=BacklogImport.Kind.READINGS)
        readings_import.queue_reading()
        return redirect(readings_import)
    return render(request, "imports/upload_readings.html", {"form": form})


@require_GET
@may_import
def import_detail(request, pk):
    """Where an import is: its progress while a step runs (polled), else the step's page."""
    backlog_import = _get_import(request, pk)
    next_page = _page_for(backlog_import)
    if next_page:
        return HttpResponseClientRedirect(next_page) if request.htmx else redirect(next_page)
    context = {"import": backlog_import, "read_as": ReadAsForm(backlog_import=backlog_import)}
    if backlog_import.status in (State.IMPORTED, State.UNDONE):
        context.update(_result(request, backlog_import))
    template = "imports/import_detail.html"
    if request.htmx and not request.htmx.history_restore_request:
        template += "#import-progress"
    return render(request, template, context)


def _page_for(backlog_import):
    """The page an import in this state belongs on, if not its own."""
    if backlog_import.status == State.MAPPING:
        return reverse("imports:map", args=[backlog_import.pk])
    if backlog_import.status == State.PREVIEWED:
        return reverse("imports:preview", args=[backlog_import.pk])
    return None


def _result(request, backlog_import):
    if backlog_import.rows_module:
        return {"undo_problem": ""}
    query = {"from_import": backlog_import.pk}
    untriaged = RoadmapItem.objects.filter(source_import=backlog_import.pk).untriaged().count()
    return {
        "new_items_url": reverse("roadmap:item-list") + "?" + urlencode(query),
        "untriaged": untriaged,
        "queue_url": reverse("roadmap:triage-queue") + "?" + urlencode(query),
        "undo_problem": (backlog_import.undo_problem(request.user)
                         if backlog_import.status == State.IMPORTED else ""),
    }


@require_http_methods(["GET", "POST"])
@may_import
def map_columns(request, pk):
    backlog_import = _get_import(request, pk)
    if backlog_import.status not in (State.MAPPING, State.PREVIEWED):
        return redirect(backlog_import)
    refreshing = "refresh" in request.POST
    form = MappingForm(request.POST or None, backlog_import=backlog_import)
    if form.is_bound and not refreshing and form.is_valid():
        backlog_import.mapping = form.mapping()
        backlog_import.save(update_fields=["mapping"])
        backlog_import.remember_mapping()
        backlog_import.queue(State.PREVIEWING)
        return redirect(backlog_import)
    if refreshing:  # another column picked: show its values to map, keep the rest
        form = MappingForm(request.POST, backlog_import=backlog_import)
        form.errors.clear()
    template = "imports/map.html"
    if request.htmx and not request.htmx.history_restore_request:
        template += "#value-maps"
    return render(request, template, {
        "import": backlog_import, "form": form, "refreshing": refreshing,
        "read_as": ReadAsForm(backlog_import=backlog_import)})


@require_GET
@may_import
def preview(request, pk):
    backlog_import = _get_import(request, pk)
    if backlog_import.status != State.PREVIEWED:
        return redirect(backlog_import)
    shown = RowFilterForm(request.GET)
    rows = backlog_import.rows.select_related("item")
    choice = shown.cleaned_data.get("show") if shown.is_valid() else ""
    if choice == "conflict":
        rows = rows.exclude(conflicts=[])
    elif choice:
        rows = rows.filter(action=choice)
    page = Paginator(rows, ROWS_PER_PAGE).get_page(request.GET.get("page"))
    not_in_file = RoadmapItem.objects.filter(pk__in=backlog_import.not_in_file[:20])
    return render(request, "imports/preview.html", {
        "import": backlog_import, "page": page, "shown": shown, "query": filters_query(request),
        "confirm": ConfirmForm(backlog_import=backlog_import),
        "conflicts": ConflictsForm(backlog_import=backlog_import)
        if backlog_import.conflict_count else None,
        "not_in_file": not_in_file, "cannot_commit": backlog_import.can_commit(),
    })


@require_POST
@may_import
def confirm(request, pk):
    backlog_import = _get_import(request, pk)
    form = ConfirmForm(request.POST, backlog_import=backlog_import)
    form.is_valid()
    problem = backlog_import.confirm(
        skip_errors=form.cleaned_data.get("skip_errors", False),
        create_products=form.cleaned_data.get("create_products", False))
    if problem:
        messages.error(request, problem)
        return redirect("imports:preview", pk=pk)
    return redirect(backlog_import)


@require_POST
@may_import
def settle_conflicts(request, pk):
    backlog_import = _get_import(request, pk)
    form = ConflictsForm(request.POST, backlog_import=backlog_import)
    if backlog_import.status == State.PREVIEWED and form.is_valid():
        backlog_import.mapping["conflicts"] = {
            **backlog_import.mapping.get("conflicts", {}), **form.decisions()}
        backlog_import.save(update_fields=["mapping"])
        backlog_import.remember_mapping()
        backlog_import.queue(State.PREVIEWING)
    return redirect(backlog_import)


@require_POST
@may_import
def run_again(request, pk):
    """Run a failed step again; with read-as choices, read the file again with them."""
    backlog_import = _get_import(request, pk)
    read_as = ReadAsForm(request.POST, backlog_import=backlog_import)
    if "encoding" in request.POST and read_as.is_valid():
        if backlog_import.status not in BacklogImport.UNFINISHED:
            return redirect(backlog_import)
        backlog_import.source = read_as.cleaned_data.get("source", backlog_import.source)
        backlog_import.encoding = read_as.cleaned_data["encoding"]
        backlog_import.delimiter = read_as.cleaned_data["delimiter"]
        backlog_import.save(update_fields=["source", "encoding", "delimiter"])
        backlog_import.queue(State.READING)
    elif backlog_import.status == State.FAILED or backlog_import.is_stale:
        backlog_import.run_again()
    return redirect(backlog_import)


@require_POST
@may_import
def abandon(request, pk):
    backlog_import = _get_import(request, pk)
    if backlog_import.abandon():
        messages.success(request, f"Import #{backlog_import.pk} is cancelled; its file is removed.")
    return redirect("imports:import-list")


@require_POST
@may_import
def undo(request, pk):
    backlog_import = _get_import(request, pk)
    problem = backlog_import.start_undo(request.user)
    if problem:
        messages.error(request, problem)
    return redirect(backlog_import)


@require_GET
@may_import
def skipped_rows(request, pk):
    """The rows with errors, as the file had them, with an error column: fix and re-import."""
    backlog_import = _get_import(request, pk)
    rows = backlog_import.rows.filter(action="error").only("cells", "errors")
    writer = csv.writer(Echo())

    def lines():
        yield "\ufeff" + writer.writerow([*backlog_import.headers, "Error"])
        for row in rows.iterator(chunk_size=500):
            cells = [", ".join(c) if isinstance(c, list) else c for c in row.cells]
            error = "; ".join(f"{column}: {message}" for column, message in row.errors)
            yield writer.writerow([safe_cell(c) for c in [*cells, error]])

    response = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
    name = backlog_import.file_name.rsplit(".", 1)[0]
    response["Content-Disposition"] = f'attachment; filename="{_safe_name(name)}-errors.csv"'
    return response


def _safe_name(name):
    return "".join(c if c.isalnum() or c in "-_" else "-" for c in name)[:60] or "import"
