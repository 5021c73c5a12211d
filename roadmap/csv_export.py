"""The tagged roadmap as CSV or .xlsx: every field of each item, safe to open in a
spreadsheet, and in the layout an import reads back (re-importing it changes nothing)."""

import csv
import io
from itertools import batched

from whobenefits.people import person_label
from whobenefits.spreadsheet import Echo, safe_cell

from . import extensions

CHUNK = 500

HEADER = [
    "Item id", "URL", "Product", "Title", "Description", "Originating request",
    "Requesting persona", "Status", "Horizon", "Target quarter", "Shipped on", "Effort",
    "Owner", "Who benefits",
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
        item.get_status_display(), item.get_horizon_display(), item.target_quarter,
        item.shipped_on.isoformat() if item.shipped_on else "",
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


def rows(items, site=""):
    """The header, then one row per item with the registered extensions' columns after
    roadmap's (an import reads roadmap's by name and leaves the rest); each chunk of items
    costs the same few queries."""
    registered = extensions.registered()
    yield HEADER + [header for e in registered for header in e.export_headers()]
    for chunk in batched(items, CHUNK):
        for extension in registered:
            extension.load_rows(chunk)
        for item in chunk:
            yield item_row(item, site) + [value for e in registered
                                          for value in e.export_values(item)]


def csv_lines(items, site=""):
    """A byte-order mark (so Excel reads UTF-8), the header and one line per item."""
    writer = csv.writer(Echo())
    for number, row in enumerate(rows(items, site)):
        line = writer.writerow([safe_cell(value) for value in row])
        yield "\ufeff" + line if number == 0 else line


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

    for row in rows(items, site):
        sheet.append(list(cells(row)))
    stream = io.BytesIO()
    book.save(stream)
    return stream.getvalue()
