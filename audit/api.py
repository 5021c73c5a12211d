"""The audit trail for admins' scripts: its filters, newest first, a cursor per page."""

import base64
from datetime import datetime

from ninja import Field, Query, Router, Schema

from tokens.auth import signed_in
from whobenefits.api_errors import InvalidInput, valid_form

from .forms import TrailFilterForm
from .trail import load_entries

router = Router(tags=["audit"])

MAX_PAGE_SIZE = 200


class ChangeOut(Schema):
    field: str
    before: str
    after: str


class EntryOut(Schema):
    when: datetime
    who: str
    action: str
    object_type: str
    object_label: str
    reason: str
    changes: list[ChangeOut]

    @staticmethod
    def resolve_changes(entry):
        # Field labels are lazy translations: text here.
        return [{"field": str(c.field), "before": str(c.before), "after": str(c.after)}
                for c in entry.changes]

    @staticmethod
    def resolve_object_label(entry):
        return str(entry.object_label)


class TrailPage(Schema):
    entries: list[EntryOut]
    next: str | None = Field(description="Send it as `cursor` for the next, older page; "
                                         "null on the last page.")


class TrailQuery(Schema):
    person: int | None = Field(None, description="Who made the change (a person's id).")
    object_type: str | None = None
    since: str | None = Field(None, description="From this day (YYYY-MM-DD).")
    until: str | None = Field(None, description="To this day, included.")
    cursor: str | None = None
    page_size: int = Field(50, ge=1, le=MAX_PAGE_SIZE)


def _cursor(row):
    history_date, history_id, _ = row
    return base64.urlsafe_b64encode(f"{history_date.isoformat()}|{history_id}".encode()).decode()


def _position(cursor):
    try:
        when, history_id = base64.urlsafe_b64decode(cursor.encode()).decode().split("|")
        return datetime.fromisoformat(when), int(history_id)
    except ValueError:
        raise InvalidInput({"cursor": ["This cursor is not one this API gave."]}) from None


def is_admin(person):
    return person.is_staff  # the trail page's rule


@router.get("/audit", response=TrailPage,
            auth=signed_in(is_admin, "The audit trail is for admins."))
def list_audit(request, query: Query[TrailQuery]):
    """Every audited change, newest first: who, when, what, the values before and after."""
    filters = valid_form(TrailFilterForm({
        name: value for name, value in query.dict().items()
        if name not in ("cursor", "page_size") and value is not None}))
    before = _position(query.cursor) if query.cursor else None
    rows = list(filters.trail(before=before)[:query.page_size + 1])
    more = len(rows) > query.page_size
    rows = rows[:query.page_size]
    return {"entries": load_entries(rows), "next": _cursor(rows[-1]) if more else None}
