"""The tagged roadmap as CSV, safe to open in a spreadsheet."""

import csv

from whobenefits.spreadsheet import Echo, safe_cell

HEADER = [
    "Product", "Title", "Status", "Horizon", "Who benefits", "Primary personas",
    "Indirect personas", "Success metrics", "Value for the other side", "Review",
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


def item_row(item):
    """One CSV row. Reads the relations RoadmapItemQuerySet.for_export() loads."""
    triage = item.current_triage()
    return [
        item.product.name, item.title, item.get_status_display(), item.get_horizon_display(),
        triage.get_beneficiary_class_display() if triage else "Untriaged",
        _names(triage.primary_beneficiaries.all()) if triage else "",
        _names(triage.indirect_beneficiaries.all()) if triage else "",
        _names(triage.metrics.all()) if triage else "",
        triage.value_for_other_side if triage else "",
        review_state(item.current_review()),
    ]


def csv_lines(items):
    """The header and one line per item, as CSV text, ready to stream."""
    writer = csv.writer(Echo())
    yield writer.writerow(HEADER)
    for item in items:
        yield writer.writerow([safe_cell(value) for value in item_row(item)])
