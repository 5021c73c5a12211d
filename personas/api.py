from typing import Annotated

from django.shortcuts import get_object_or_404
from ninja import Field, Router, Schema, responses

from tokens.auth import signed_in
from whobenefits.api_forms import changed, form_data, save_through

from .forms import PersonaForm, SuccessMetricForm
from .models import MetricKind, Persona, Side, SuccessMetric

router = Router(tags=["personas"])
# A persona's archetype, by its key: a built-in one or one an admin added.
Archetype = Annotated[str, Field(description=(
    "The archetype's key: buyer, decision_maker, administrator, champion, end_user, power_user, "
    "occasional_user, or one an admin added."))]


KIND_HELP = ("amount (0 or more), share (a percent, 0 to 100) or change (may be below zero): "
             "which readings the metric takes.")


class MetricOut(Schema):
    id: int
    name: str
    side: Side
    kind: MetricKind = Field(description=KIND_HELP)
    archived: bool


class PersonaOut(Schema):
    id: int
    name: str
    slug: str
    side: str = Field(description="The persona's side (the form's choices).")
    archetype: Archetype
    description: str
    concerns: str
    metrics: list[int]
    archived: bool

    @staticmethod
    def resolve_archetype(persona):
        return persona.archetype_id

    @staticmethod
    def resolve_metrics(persona):
        return [metric.pk for metric in persona.metrics.all()]


@router.get("/personas", response=list[PersonaOut],
            auth=signed_in("personas.view_persona"))
def list_personas(request, archived: bool = False):
    """The personas, customers' first; archived ones too with `archived=true`."""
    personas = Persona.objects.prefetch_related("metrics")
    return personas if archived else personas.active()


@router.get("/metrics", response=list[MetricOut],
            auth=signed_in("personas.view_successmetric"))
def list_metrics(request, archived: bool = False):
    """The success metrics, customers' first; archived ones too with `archived=true`."""
    return SuccessMetric.objects.all() if archived else SuccessMetric.objects.active()


class PersonaIn(Schema):
    name: str
    side: str = Field(description="customer or user (the persona form's choices).")
    archetype: Archetype
    description: str = ""
    concerns: str = ""
    metrics: list[int] = Field([], description="The success metrics this persona watches.")
    order: int = 0
    archived: bool = False


class PersonaChanges(Schema):
    """The fields to change; a persona that roadmap items name keeps its side."""

    name: str | None = None
    side: str | None = None
    archetype: Archetype | None = None
    description: str | None = None
    concerns: str | None = None
    metrics: list[int] | None = None
    order: int | None = None
    archived: bool | None = Field(None, description="Archived, never deleted: archive a "
                                                    "persona to retire it.")


class MetricIn(Schema):
    name: str
    side: Side
    kind: MetricKind = Field(MetricKind.AMOUNT, description=KIND_HELP)
    description: str = ""
    order: int = 0
    archived: bool = False


class MetricChanges(Schema):
    name: str | None = None
    side: Side | None = None
    kind: MetricKind | None = Field(None, description=KIND_HELP)
    description: str | None = None
    order: int | None = None
    archived: bool | None = None


ADMINS_CURATE = "Admins curate the personas and metrics."


@router.post("/personas", response={201: PersonaOut},
             auth=signed_in("personas.add_persona", ADMINS_CURATE))
def create_persona(request, persona: PersonaIn):
    created = save_through(PersonaForm(form_data(persona.dict())), by=request.user)
    return responses.Status(201, created)


@router.patch("/personas/{pk}", response=PersonaOut,
              auth=signed_in("personas.change_persona", ADMINS_CURATE))
def edit_persona(request, pk: int, changes: PersonaChanges):
    persona = get_object_or_404(Persona, pk=pk)
    data = changed(persona, PersonaForm.Meta.fields, changes.dict(exclude_unset=True))
    return save_through(PersonaForm(data, instance=persona), by=request.user)


@router.post("/metrics", response={201: MetricOut},
             auth=signed_in("personas.add_successmetric", ADMINS_CURATE))
def create_metric(request, metric: MetricIn):
    created = save_through(SuccessMetricForm(form_data(metric.dict())), by=request.user)
    return responses.Status(201, created)


@router.patch("/metrics/{pk}", response=MetricOut,
              auth=signed_in("personas.change_successmetric", ADMINS_CURATE))
def edit_metric(request, pk: int, changes: MetricChanges):
    metric = get_object_or_404(SuccessMetric, pk=pk)
    data = changed(metric, SuccessMetricForm.Meta.fields, changes.dict(exclude_unset=True))
    return save_through(SuccessMetricForm(data, instance=metric), by=request.user)
