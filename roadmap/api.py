"""The roadmap's API: products, items (list, create, read, edit), their triage and review.
The same forms and model methods as the pages: a form's errors are the 422's, a stale
version is a 409 with the current state and what differs."""

import copy
from datetime import date, datetime
from typing import Literal

from django import forms
from django.shortcuts import get_object_or_404
from ninja import Field, Router, Schema, responses
from ninja.pagination import PageNumberPagination, paginate
from pydantic import create_model

from personas.models import Persona
from tokens.auth import signed_in
from whobenefits.api_errors import StaleVersion, valid_form
from whobenefits.api_forms import changed, form_data, save_through
from whobenefits.api_schemas import Out
from whobenefits.forms import SluggedForm
from whobenefits.people import person_label

from . import extensions
from .balance import RoadmapBalance
from .forms import (
    ItemQueryForm,
    ReviewFilterForm,
    ReviewForm,
    RoadmapItemForm,
    TriageForm,
)
from .history import details_differences, review_differences, triage_differences
from .models import (
    UNTRIAGED,
    BeneficiaryClass,
    EditConflict,
    Horizon,
    Product,
    RoadmapItem,
    Status,
    TriagePrimaryBeneficiary,
    ValueLevel,
    Verdict,
    WhoseProblem,
)
from .rows import listed_items

router = Router(tags=["items"])

MAX_PAGE_SIZE = 200
CAN_EDIT = "Product managers and admins create and edit items; team leads review them."
CAN_TRIAGE = "Team leads review items; product managers triage them."
CAN_REVIEW = "Team leads and admins review items; product managers triage them."


class ProductOut(Schema):
    id: int
    name: str
    slug: str
    description: str


class Named(Out):
    id: int
    name: str


class PersonOut(Out):
    id: int
    username: str
    name: str

    @staticmethod
    def resolve_name(person):
        return person_label(person)


class ItemOut(Out):
    """An item as the roadmap list shows it: its details, class and version (built by
    item_data)."""

    id: int
    title: str
    product: Named
    description: str
    request_quote: str
    requesting_persona: Named | None
    status: Status
    horizon: Horizon
    target_quarter: str | None = Field(description="The quarter it is planned for, 2027-Q1.")
    shipped_on: date | None = Field(description="The day it shipped; set when its status "
                                                "becomes shipped, cleared when it leaves it.")
    effort: int | None
    owner: PersonOut | None
    beneficiary_class: BeneficiaryClass | Literal["untriaged"]
    primary_beneficiaries: list[int]
    review: Literal["accepted", "challenged"] | None
    external_source: str
    external_key: str
    external_url: str
    labels: list[str]
    created_at: datetime
    updated_at: datetime
    version: int = Field(description="Send it back with a change: a stale one is a 409.")


def item_data(item, primary):
    """ItemOut's fields of an item read as a row (RoadmapItemQuerySet.for_api(), then
    listed_items()), after the extensions' load_rows, with its primary beneficiaries' ids
    (see loaded): plain values, so a page of 100 items is checked without reading each
    through ninja's getter, and no model instances are made for it."""
    triage, review = item.current_triage(), item.current_review()
    requester, owner = item.requesting_persona, item.owner
    data = {
        "id": item.pk, "title": item.title,
        "product": {"id": item.product, "name": item.product__name},
        "description": item.description, "request_quote": item.request_quote,
        "requesting_persona": ({"id": requester, "name": item.requesting_persona__name}
                               if requester else None),
        "status": item.status, "horizon": item.horizon,
        "target_quarter": item.target_quarter or None, "shipped_on": item.shipped_on,
        "effort": item.effort,
        "owner": ({"id": owner.pk, "username": owner.username, "name": person_label(owner)}
                  if owner else None),
        "beneficiary_class": triage.beneficiary_class if triage else UNTRIAGED,
        "primary_beneficiaries": primary,
        "review": review.verdict if review else None,
        "external_source": item.external_source, "external_key": item.external_key,
        "external_url": item.external_url, "labels": item.labels,
        "created_at": item.created_at, "updated_at": item.updated_at, "version": item.version,
    }
    for extension in extensions.registered():
        data.update(extension.api_item_values(item))
    return data


def with_extension_fields(schema):
    """`schema` with the fields higher apps add to an item (evidence: `demand`,
    `evidence_mismatch`), read from the item after their load_rows (see loaded)."""
    fields = {name: (kind | None, None) for extension in extensions.registered()
              for name, kind in extension.api_item_fields.items()}
    return create_model(schema.__name__, __base__=schema, **fields) if fields else schema


ItemOut = with_extension_fields(ItemOut)


def loaded(items):
    """ItemOut's data of each of `items` (rows of for_api()), with what the extensions show
    of each (a fixed number of queries)."""
    items = listed_items(items)
    for extension in extensions.registered():
        extension.load_rows(items)
    primary = primary_ids(items)
    return [item_data(item, primary.get(item.pk, [])) for item in items]


def primary_ids(items):
    """{item id: [persona id]} of the items' primary beneficiaries, in the personas' order:
    one narrow query, no Persona instances (the API gives only their ids)."""
    ids = {}
    rows = TriagePrimaryBeneficiary.objects.filter(
        triage__item__in=[item.pk for item in items]).order_by(
        *(f"persona__{name}" for name in Persona._meta.ordering), "persona").values_list(
        "triage__item", "persona")
    for item_id, persona_id in rows:
        ids.setdefault(item_id, []).append(persona_id)
    return ids


class ItemIn(Schema):
    """A new item's details; ids for the product, the requesting persona and the owner."""

    title: str
    product: int
    description: str = ""
    request_quote: str = ""
    requesting_persona: int | None = None
    status: Status = Status.IDEA
    horizon: Horizon = Horizon.LATER
    target_quarter: str | None = Field(None, description="2027-Q1, Q1 2027…")
    shipped_on: date | None = Field(None, description="For a shipped item; today if not sent.")
    effort: int | None = None
    owner: int | None = None


class ItemChanges(Schema):
    """The details to change, and the version they were read at."""

    version: int
    title: str | None = None
    product: int | None = None
    description: str | None = None
    request_quote: str | None = None
    requesting_persona: int | None = None
    status: Status | None = None
    horizon: Horizon | None = None
    target_quarter: str | None = None
    shipped_on: date | None = None
    effort: int | None = None
    owner: int | None = None


class ItemPagination(PageNumberPagination):
    """`page` and `page_size` (up to 200); the answer has the items and their total count."""

    class Input(Schema):
        page: int = Field(1, ge=1)
        page_size: int = Field(50, ge=1, le=MAX_PAGE_SIZE)

    def __init__(self, **kwargs):
        super().__init__(page_size=50, max_page_size=MAX_PAGE_SIZE, **kwargs)


class ItemListPagination(ItemPagination):
    """A page of items, each with what the extensions add to it."""

    def paginate_queryset(self, queryset, pagination, **params):
        page = super().paginate_queryset(queryset, pagination, **params)
        return {**page, "items": loaded(page["items"].for_api())}


def filter_parameters(form_class):
    """The OpenAPI query parameters of a filter form's fields, so the schema documents
    the same filters the form validates (the form stays their one home)."""
    parameters = []
    for name, field in form_class().fields.items():
        schema = {"type": "string"}
        if isinstance(field, forms.DateTimeField):
            schema["format"] = "date-time"
        elif isinstance(field, forms.IntegerField):
            schema = {"type": "integer", "minimum": field.min_value or 0}
        elif isinstance(field, forms.ChoiceField) and not isinstance(
                field, forms.ModelChoiceField):  # a model's choices are a query: a string
            schema["enum"] = [str(value) for value, _ in field.choices if value != ""]
        parameters.append({"in": "query", "name": name, "required": False, "schema": schema,
                           "description": str(field.label or name.replace("_", " "))})
    return parameters


@router.get("/products", response=list[ProductOut], tags=["products"],
            auth=signed_in("roadmap.view_product"))
def list_products(request):
    return Product.objects.all()


class ProductIn(Schema):
    name: str
    description: str = ""


class ProductChanges(Schema):
    name: str | None = None
    description: str | None = None


ADMINS_CURATE = "Admins curate the products."
# An admin's product (the admin has its own form).
ProductForm = forms.modelform_factory(Product, form=SluggedForm, fields=["name", "description"])


@router.post("/products", response={201: ProductOut}, tags=["products"],
             auth=signed_in("roadmap.add_product", ADMINS_CURATE))
def create_product(request, product: ProductIn):
    created = save_through(ProductForm(form_data(product.dict())), by=request.user)
    return responses.Status(201, created)


@router.patch("/products/{pk}", response=ProductOut, tags=["products"],
              auth=signed_in("roadmap.change_product", ADMINS_CURATE))
def edit_product(request, pk: int, changes: ProductChanges):
    product = get_object_or_404(Product, pk=pk)
    data = changed(product, ProductForm.Meta.fields, changes.dict(exclude_unset=True))
    return save_through(ProductForm(data, instance=product), by=request.user)


@router.get("/items", response=list[ItemOut],
            auth=signed_in("roadmap.view_roadmapitem"),
            openapi_extra={"parameters": filter_parameters(ItemQueryForm)})
@paginate(ItemListPagination)
def list_items(request):
    """The roadmap list's items with its filters (invalid ones are a 422), in its order."""
    filters = valid_form(ItemQueryForm(request.GET))
    # The personas' ids come in one narrow query (loaded), not as prefetched personas.
    # The page is read as rows (ItemListPagination), counted without their joins.
    return filters.order(filters.filter(RoadmapItem.objects.all()))


@router.post("/items", response={201: ItemOut},
             auth=signed_in("roadmap.add_roadmapitem", CAN_EDIT))
def create_item(request, item: ItemIn):
    created = save_through(RoadmapItemForm(form_data(item.dict())), by=request.user)
    return responses.Status(201, loaded([_reloaded_item(created.pk)])[0])


@router.get("/items/{pk}", response=ItemOut,
            auth=signed_in("roadmap.view_roadmapitem"))
def get_item(request, pk: int):
    return loaded([_reloaded_item(pk)])[0]


@router.patch("/items/{pk}", response=ItemOut,
              auth=signed_in("roadmap.change_roadmapitem", CAN_EDIT))
def edit_item(request, pk: int, changes: ItemChanges):
    """Change some details; `version` is the item's when you read it (409 if stale)."""
    item = get_object_or_404(RoadmapItem, pk=pk)
    data = changed(item, RoadmapItem.DETAILS, changes.dict(exclude_unset=True))
    form = valid_form(RoadmapItemForm(data, instance=copy.copy(item)))
    edited = form.instance
    try:
        edited.save_edit(expected_version=form.cleaned_data["version"], edited_by=request.user)
    except EditConflict as conflict:
        raise StaleVersion(ItemOut.model_validate(loaded([_reloaded_item(pk)])[0]),
                           details_differences(conflict.current, edited)) from None
    return loaded([_reloaded_item(pk)])[0]


def _reloaded(pk):
    """The item with its triage's picks, as TriageOut reads them."""
    return RoadmapItem.objects.for_triage().get(pk=pk)


def _reloaded_item(pk):
    """The item as ItemOut reads it, a row (loaded reads the personas' ids); 404 if gone."""
    return get_object_or_404(RoadmapItem.objects.for_api(), pk=pk)


class TriageOut(Schema):
    """An item's triage answer (untriaged: no picks) and the item's version to send back."""

    item: int
    version: int
    beneficiary_class: BeneficiaryClass | Literal["untriaged"]
    primary_beneficiaries: list[int]
    whose_problem: WhoseProblem | None
    value_for_other_side: str
    indirect_beneficiaries: list[int]
    metrics: list[int]
    customer_value: ValueLevel | None
    user_value: ValueLevel | None
    triaged_by: PersonOut | None
    triaged_at: datetime | None

    @classmethod
    def of(cls, item):
        """Reads the answer's picks: load the item with for_triage()."""
        triage = item.current_triage()
        answer = {"primary_beneficiaries": [], "whose_problem": None, "value_for_other_side": "",
                  "indirect_beneficiaries": [], "metrics": [], "customer_value": None,
                  "user_value": None, "triaged_by": None, "triaged_at": None,
                  "beneficiary_class": UNTRIAGED}
        if triage is not None:
            answer = {
                "beneficiary_class": triage.beneficiary_class,
                "primary_beneficiaries": [p.pk for p in triage.primary_beneficiaries.all()],
                "whose_problem": triage.whose_problem,
                "value_for_other_side": triage.value_for_other_side,
                "indirect_beneficiaries": [p.pk for p in triage.indirect_beneficiaries.all()],
                "metrics": [m.pk for m in triage.metrics.all()],
                "customer_value": triage.customer_value, "user_value": triage.user_value,
                "triaged_by": triage.triaged_by, "triaged_at": triage.triaged_at,
            }
        return cls.model_validate({"item": item.pk, "version": item.version, **answer})


class TriageIn(Schema):
    """The triage form's answer: the class is derived from the personas' sides, never sent."""

    primary_beneficiaries: list[int] = Field(
        min_length=1, description="Who benefits most: persona ids (DELETE the triage to "
                                  "make the item untriaged).")
    whose_problem: WhoseProblem | None = Field(
        None, description="Needed when the picks are on both sides; else their side.")
    value_for_other_side: str = Field(
        "", description="For a one-sided item: how it ultimately creates value for the other "
                        "side.")
    indirect_beneficiaries: list[int] = Field([], description="Personas on the other side.")
    metrics: list[int] = Field([], description="Success metrics it moves, either side's.")
    customer_value: ValueLevel | None = None
    user_value: ValueLevel | None = None
    version: int = Field(description="The item's version when you read it.")


@router.get("/items/{pk}/triage", response=TriageOut, tags=["triage"],
            auth=signed_in("roadmap.view_triage"))
def get_triage(request, pk: int):
    return TriageOut.of(get_object_or_404(RoadmapItem.objects.for_triage(), pk=pk))


@router.put("/items/{pk}/triage", response=TriageOut, tags=["triage"],
            auth=signed_in("roadmap.triage_roadmapitem", CAN_TRIAGE))
def put_triage(request, pk: int, answer: TriageIn):
    """Save the answer through the triage form: its rules, its messages (archived personas
    refused by name); a stale version is a 409 with the saved answer."""
    item = get_object_or_404(RoadmapItem.objects.for_triage(), pk=pk)
    form = valid_form(TriageForm.for_answer(answer.dict(), item=item))
    _record_triage(request, item, form.answer())
    return TriageOut.of(_reloaded(pk))


@router.delete("/items/{pk}/triage", response=TriageOut, tags=["triage"],
               auth=signed_in("roadmap.triage_roadmapitem", CAN_TRIAGE))
def delete_triage(request, pk: int, version: int):
    """Make the item untriaged again; `version` is the item's when you read it."""
    item = get_object_or_404(RoadmapItem.objects.for_triage(), pk=pk)
    _record_triage(request, item, {"primary_beneficiaries": [], "whose_problem": "",
                                   "expected_version": version})
    return TriageOut.of(_reloaded(pk))


def _record_triage(request, item, answer):
    try:
        item.record_triage(**answer, triaged_by=request.user)
    except EditConflict as conflict:
        current = _reloaded(conflict.current.pk)
        raise StaleVersion(TriageOut.of(current), triage_differences(current, answer)) from None


class ReviewOut(Schema):
    item: int
    version: int
    review_version: int
    verdict: Verdict | None
    comment: str
    reviewed_by: PersonOut | None
    reviewed_at: datetime | None
    answered_at: datetime | None = Field(description="When the PM re-triaged in answer to "
                                                     "a challenge.")

    @classmethod
    def of(cls, item):
        review = item.current_review()
        return cls.model_validate({
            "item": item.pk, "version": item.version,
            "review_version": review.version if review else 0,
            "verdict": review.verdict if review else None,
            "comment": review.comment if review else "",
            "reviewed_by": review.reviewed_by if review else None,
            "reviewed_at": review.reviewed_at if review else None,
            "answered_at": review.answered_at if review else None,
        })


class ReviewIn(Schema):
    verdict: Verdict
    comment: str = Field("", description="Required for a challenge: what to look at again.")
    version: int = Field(description="The item's version when you read it.")
    review_version: int = Field(description="The review's version when you read it (0: none).")


@router.get("/items/{pk}/review", response=ReviewOut, tags=["review"],
            auth=signed_in("roadmap.view_review"))
def get_review(request, pk: int):
    return ReviewOut.of(get_object_or_404(RoadmapItem.objects.for_review(), pk=pk))


@router.put("/items/{pk}/review", response=ReviewOut, tags=["review"],
            auth=signed_in("roadmap.review_roadmapitem", CAN_REVIEW))
def put_review(request, pk: int, verdict: ReviewIn):
    """Accept or challenge the item's triage through the review form."""
    item = get_object_or_404(RoadmapItem.objects.for_review(), pk=pk)
    form = valid_form(ReviewForm(verdict.dict(), item=item))
    try:
        item.record_review(**form.review(), reviewed_by=request.user)
    except EditConflict:
        current = RoadmapItem.objects.for_review().get(pk=pk)
        raise StaleVersion(ReviewOut.of(current),
                           review_differences(current, form.review())) from None
    return ReviewOut.of(RoadmapItem.objects.for_review().get(pk=pk))


class MixOut(Schema):
    """Items and effort per class (customers, users, both, untriaged) in one slice."""

    label: str
    items: dict[str, int]
    effort: dict[str, int]
    total: int
    total_effort: int
    estimated: int = Field(description="Items with an effort estimate.")
    lacking: int = Field(description="One-sided items that state no value for the other side.")
    challenged: int


class TrapOut(Schema):
    title: str
    side_label: str
    count: int
    triaged: int
    share: float
    threshold: int
    scope_label: str


class PersonaReachOut(Schema):
    persona: Named
    primary: int
    indirect: int
    near: int
    left_out_near: bool = Field(description="No now or next item names this persona.")


class MetricReachOut(Schema):
    metric: Named
    items: int


class SideCoverageOut(Schema):
    side: str
    personas: list[PersonaReachOut]
    metrics: list[MetricReachOut]
    metrics_unmoved: bool


class BalanceOut(Schema):
    """The review dashboard's numbers, from the same code (roadmap.balance)."""

    filters: str
    overall: MixOut
    per_horizon: list[MixOut]
    per_product: list[MixOut]
    traps: list[TrapOut]
    trap_scope: MixOut
    coverage: list[SideCoverageOut]

    @staticmethod
    def resolve_coverage(balance):
        return balance.sides


@router.get("/balance", response=BalanceOut, tags=["balance"],
            auth=signed_in("roadmap.view_roadmapitem"),
            openapi_extra={"parameters": filter_parameters(ReviewFilterForm)})
def get_balance(request):
    """The class mix overall, per horizon and per product, both traps against the admins'
    thresholds, persona and metric coverage, with the dashboard's filters."""
    filters = valid_form(ReviewFilterForm(request.GET))
    balance = RoadmapBalance(filters.scope(RoadmapItem.objects.all()),
                             filters.counted_horizons(), every_horizon=filters.every_horizon(),
                             products=filters.products())
    balance.filters = filters.describe()
    return balance
