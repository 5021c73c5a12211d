from ninja import Router, Schema

from tokens.auth import signed_in

from .models import Archetype, Persona, Side, SuccessMetric

router = Router(tags=["personas"])


class MetricOut(Schema):
    id: int
    name: str
    side: Side
    archived: bool


class PersonaOut(Schema):
    id: int
    name: str
    slug: str
    side: Side
    archetype: Archetype
    description: str
    concerns: str
    metrics: list[int]
    archived: bool

    @staticmethod
    def resolve_metrics(persona):
        return [metric.pk for metric in persona.metrics.all()]


@router.get("/personas", response=list[PersonaOut], auth=signed_in("personas.view_persona"))
def list_personas(request, archived: bool = False):
    """The personas, customers' first; archived ones too with `archived=true`."""
    personas = Persona.objects.prefetch_related("metrics")
    return personas if archived else personas.active()


@router.get("/metrics", response=list[MetricOut],
            auth=signed_in("personas.view_successmetric"))
def list_metrics(request, archived: bool = False):
    """The success metrics, customers' first; archived ones too with `archived=true`."""
    return SuccessMetric.objects.all() if archived else SuccessMetric.objects.active()
