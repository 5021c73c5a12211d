"""The tagged roadmap as CSV or .xlsx: every field of each item, safe to open in a
spreadsheet, and in the layout an import reads back (re-importing it changes nothing)."""

import csv
import io

from whobenefits.people import person_label
from whobenefits.spreadsheet import Echo, safe_cell

HEADER = [
    "Item id", "URL", "Product", "Title", "Description", "Originating request",
    "Requesting persona", "Status", "Horizon", "Effort", "Owner", "Who benefits",
    "Whose problem", "Primary personas", "Indirect personas", "Success metrics",
    "Value for the other side", "Review", "Created", "Updated", "Triaged", "Source",
    "External key", "External URL", "Labels",
]


def review_state(review):
    if review is None:
        return "Not reviewed"
    if review.is_answered_challenge:
        return f"Challenged, answered by a re-triage: {review.comment}"
    if review.is_open_challenge:
        return f"Challenged: {review.comment}"
    return "Accepted" + (f": {review.comment}" if review.comment else "")


def _names(objects):
    return "; ".join(obj.name for obj in objects)


def _moment(value, timespec="seconds"):
    """A timestamp with its offset. The last update is exact to the microsecond: a
    re-import compares it to tell an item changed since the export from one that was not."""
    return value.isoformat(timespec=timespec) if value else ""


def item_row(item, site=""):
    """One row. Reads the relations RoadmapItemQuerySet.for_export() loads; `site` is the
    scheme and host the item's URL starts with."""
    triage = item.current_triage()
    return [
        item.pk, site + item.get_absolute_url(), item.product.name, item.title,
        item.description, item.request_quote,
        item.requesting_persona.name if item.requesting_persona else "",
        item.get_status_display(), item.get_horizon_display(),
        "" if item.effort is None else item.effort,
        person_label(item.owner) if item.owner else "",
        triage.get_beneficiary_class_display() if triage else "Untriaged",
        triage.get_whose_problem_display() if triage else "",
        _names(triage.primary_beneficiaries.all()) if triage else "",
        _names(triage.indirect_beneficiaries.all()) if triage else "",
        _names(triage.metrics.all()) if triage else "",
        triage.value_for_other_side if triage else "",
        review_state(item.current_review()),
        _moment(item.created_at), _moment(item.updated_at, "microseconds"),
        _moment(triage.triaged_at) if triage else "",
        item.get_external_source_display() if item.external_source else "",
        item.external_key, item.external_url, ", ".join(item.labels),
    ]


def csv_lines(items, site=""):
    """A byte-order mark (so Excel reads UTF-8), the header and one line per item."""
    writer = csv.writer(Echo())
    yield "\ufeff" + writer.writerow(HEADER)
    for item in items:
        yield writer.writerow([safe_cell(value) for value in item_row(item, site)])


def xlsx_bytes(items, site=""):
    """The same rows as an .xlsx workbook. Text cells are typed as text, so a formula in a
    title stays the text it is."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell

    book = Workbook(write_only=True)
    sheet = book.create_sheet("Roadmap")

    def cells(values):
        for value in values:
            cell = WriteOnlyCell(sheet, value=value)
            if isinstance(value, str):
                cell.data_type = "s"
            yield cell

    sheet.append(list(cells(HEADER)))
    for item in items:
        sheet.append(list(cells(item_row(item, site))))
    stream = io.BytesIO()
    book.save(stream)
    return stream.getvalue()
