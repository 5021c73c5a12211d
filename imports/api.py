"""Imports for scripts: upload a backlog file, follow the worker's steps, preview, import.

The same steps as the Import pages (the model's methods and the pages' forms); a script's
nightly import uses the mapping remembered from the last import of that product and tool.
"""

from datetime import datetime

from django.shortcuts import get_object_or_404
from ninja import Field, File, Form, Router, Schema, UploadedFile, responses

from tokens.auth import signed_in
from whobenefits.api_errors import InvalidInput, valid_form

from .forms import MappingForm, UploadForm
from .models import BacklogImport

router = Router(tags=["imports"])

State = BacklogImport.State
CAN_IMPORT = "Product managers and admins import backlogs; team leads read the roadmap."
# The preview's rows with errors the answer lists (the page lists them all).
ERROR_ROWS_SHOWN = 100


class Counts(Schema):
    new: int
    updated: int
    unchanged: int
    errors: int
    conflicts: int
    not_in_file: int


class RowError(Schema):
    line: int
    title: str
    errors: list[list[str]] = Field(description="[column, message] pairs.")


class ImportOut(Schema):
    """Where an import is (its worker's progress), and its preview's or result's counts."""

    id: int
    status: State
    status_label: str
    progress: int
    stale: bool = Field(description="Its worker stopped: nothing was written; run it again.")
    error: str
    product: str | None
    source: str
    file_name: str
    counts: Counts
    new_products: list[str]
    created_at: datetime
    imported_at: datetime | None
    cannot_import: str = Field(description="Why the preview cannot be imported yet, or empty.")
    rows_with_errors: list[RowError]


class UploadIn(Schema):
    product: str = Field(description="The product's slug, or `column`: each row names its "
                                     "product in a column.")
    source: str = Field("", description="The tool the file comes from; empty: detect it.")


class ConfirmIn(Schema):
    skip_errors: bool = Field(False, description="Import the valid rows, skip the others.")
    create_products: bool = Field(False, description="Create the products the file names.")


def _answer(backlog_import):
    previewed = backlog_import.status == State.PREVIEWED
    rows = (backlog_import.rows.filter(action="error")[:ERROR_ROWS_SHOWN] if previewed else [])
    return {**backlog_import.as_data(),
            "cannot_import": backlog_import.can_commit() if previewed else "",
            "rows_with_errors": [{"line": row.line, "title": row.title, "errors": row.errors}
                                 for row in rows]}


def _import(request, pk):
    """The person's own import, or any for admins; without its file (a polled answer)."""
    return get_object_or_404(BacklogImport.objects.visible_to(request.user).for_list(), pk=pk)


@router.post("/imports", response={202: ImportOut},
             auth=signed_in("imports.run_import", CAN_IMPORT))
def upload(request, details: Form[UploadIn], file: File[UploadedFile]):
    """Upload a backlog file (multipart form: `file`, `product`, `source`): the worker
    reads it; follow it with GET /api/imports/{id}."""
    form = valid_form(UploadForm(details.dict(), {"file": file}))
    backlog_import = BacklogImport.start(
        data=file.read(), file_name=file.name, product=form.cleaned_data["product"],
        source=form.cleaned_data["source"], created_by=request.user)
    backlog_import.queue_reading()
    return responses.Status(202, _answer(backlog_import))


@router.get("/imports/{pk}", response=ImportOut,
            auth=signed_in("imports.run_import", CAN_IMPORT))
def get_import(request, pk: int):
    return _answer(_import(request, pk))


@router.post("/imports/{pk}/preview", response={202: ImportOut},
             auth=signed_in("imports.run_import", CAN_IMPORT))
def preview(request, pk: int):
    """Preview with the proposed mapping (the one remembered for this product and tool, or
    the columns' names): 422 with the mapping form's errors when it is not complete."""
    backlog_import = _import(request, pk)
    if backlog_import.status not in (State.MAPPING, State.PREVIEWED):
        raise InvalidInput({"status": [f"This import is {backlog_import.get_status_display()
                                        .lower()}: only a read file can be previewed."]})
    proposed = MappingForm(backlog_import=backlog_import)
    form = valid_form(MappingForm({name: proposed[name].value() or "" for name in
                                   proposed.fields}, backlog_import=backlog_import))
    backlog_import.mapping = form.mapping()
    backlog_import.save(update_fields=["mapping"])
    backlog_import.queue(State.PREVIEWING)
    return responses.Status(202, _answer(backlog_import))


@router.post("/imports/{pk}/confirm", response={202: ImportOut},
             auth=signed_in("imports.run_import", CAN_IMPORT))
def confirm(request, pk: int, choices: ConfirmIn):
    """Import the previewed rows: every one in one transaction, or none."""
    backlog_import = _import(request, pk)
    problem = backlog_import.confirm(skip_errors=choices.skip_errors,
                                     create_products=choices.create_products)
    if problem:
        raise InvalidInput({"__all__": [problem]})
    return responses.Status(202, _answer(backlog_import))
