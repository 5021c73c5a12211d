"""The evidence API: companies (read), notes (list, create, link to items and unlink), through
the same forms and model methods as the pages. An item's `demand` and `evidence_mismatch`
come with the roadmap's item representation (extension.py fills them in)."""

from datetime import date, datetime
from decimal import Decimal

from django.shortcuts import get_object_or_404
from django.utils import timezone
from ninja import Field, Router, Schema, responses
from ninja.pagination import paginate

from roadmap.api import ItemPagination, Named, PersonOut
from roadmap.models import RoadmapItem
from tokens.auth import signed_in
from whobenefits.api_errors import InvalidInput, valid_form
from whobenefits.api_forms import form_data

from .forms import CompanyFilterForm, EvidenceForm, InboxFilterForm
from .models import Company, Evidence, Importance, Segment, Source

router = Router(tags=["evidence"])

CAN_RECORD = "Product managers and team leads record evidence."


class CompanyOut(Schema):
    id: int
    name: str
    segment: Segment | None
    plan: str
    arr: Decimal = Field(description="Annual recurring revenue, in the CURRENCY setting's.")
    seats: int | None
    renewal_date: date | None
    archived: bool

    @staticmethod
    def resolve_segment(company):
        return company.segment or None


@router.get("/companies", response=list[CompanyOut], tags=["companies"],
            auth=signed_in("evidence.view_company"))
@paginate(ItemPagination)
def list_companies(request, q: str = "", segment: str = "", sort: str = "name",
                   archived: bool = False):
    """The customer accounts, as the companies page filters and orders them."""
    filters = valid_form(CompanyFilterForm(request.GET))
    return filters.filter(Company.objects.all())


class NoteOut(Schema):
    """A note: what was said, by whom (a persona, so a side), and the items it is about."""

    id: int
    text: str
    persona: Named
    side: str
    company: Named | None
    contact_name: str
    source: Source
    link: str
    importance: Importance
    observed_on: date
    items: list[int]
    recorded_by: PersonOut
    recorded_at: datetime
    version: int

    @staticmethod
    def resolve_side(note):
        return note.persona.side

    @staticmethod
    def resolve_items(note):
        return [item.pk for item in note.items.all()]


@router.get("/evidence", response=list[NoteOut], auth=signed_in("evidence.view_evidence"))
@paginate(ItemPagination)
def list_evidence(request, item: int | None = None, unlinked: bool = False, source: str = ""):
    """The notes, newest first: of one item (`item`), or the inbox's (`unlinked=true`)."""
    filters = valid_form(InboxFilterForm(request.GET))
    notes = Evidence.objects.for_list().prefetch_related("items").newest_first()
    if item is not None:
        notes = notes.for_item(item)
    if unlinked:
        notes = notes.unlinked()
    if filters.cleaned_data.get("source"):
        notes = notes.filter(source=filters.cleaned_data["source"])
    return notes


class NoteIn(Schema):
    """A new note; the persona by id, the company by name (as on the pages), item ids."""

    text: str
    persona: int
    company: str = ""
    contact_name: str = ""
    source: Source = Source.INTERVIEW
    link: str = ""
    importance: Importance = Importance.WOULD_HELP
    observed_on: date | None = None
    items: list[int] = Field([], description="The roadmap items it is about; none: the inbox.")


def _items(ids):
    items = list(RoadmapItem.objects.filter(pk__in=ids))
    missing = sorted(set(ids) - {item.pk for item in items})
    if missing:
        raise InvalidInput({"items": [f"No roadmap item has the id {pk}." for pk in missing]})
    return items


def _reloaded(pk):
    return Evidence.objects.for_list().prefetch_related("items").get(pk=pk)


@router.post("/evidence", response={201: NoteOut},
             auth=signed_in("evidence.add_evidence", CAN_RECORD))
def create_evidence(request, details: NoteIn):
    """Record a note, linked to its items, as the quick-add does."""
    values = details.dict()
    items = _items(values.pop("items"))
    values["observed_on"] = values["observed_on"] or timezone.localdate()
    form = valid_form(EvidenceForm(form_data(values)))
    note = Evidence.record(recorded_by=request.user, items=items, **form.details())
    return responses.Status(201, _reloaded(note.pk))


class LinkIn(Schema):
    item: int


@router.post("/evidence/{pk}/items", response=NoteOut,
             auth=signed_in("evidence.change_evidence", CAN_RECORD))
def link_evidence(request, pk: int, item: LinkIn):
    """Link the note to an item (nothing changes when it already is)."""
    note = get_object_or_404(Evidence, pk=pk)
    note.link_to(_items([item.item])[0], linked_by=request.user)
    return _reloaded(pk)


@router.delete("/evidence/{pk}/items/{item_pk}", response=NoteOut,
               auth=signed_in("evidence.change_evidence", CAN_RECORD))
def unlink_evidence(request, pk: int, item_pk: int):
    """Take the item off the note; the note stays (in the inbox if it was the last)."""
    note = get_object_or_404(Evidence, pk=pk)
    note.unlink_from(get_object_or_404(RoadmapItem, pk=item_pk), unlinked_by=request.user)
    return _reloaded(pk)
