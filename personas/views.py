from django.contrib.auth.decorators import permission_required
from django.shortcuts import render
from django.views.decorators.http import require_GET

from .models import Persona, Side


@require_GET
@permission_required("personas.view_persona", raise_exception=True)
def persona_list(request):
    personas = Persona.objects.prefetch_related("metrics")
    if not request.GET.get("archived"):
        personas = personas.active()
    sides = [
        (side, [persona for persona in personas if persona.side == side]) for side in Side
    ]
    return render(request, "personas/persona_list.html", {
        "sides": sides, "show_archived": bool(request.GET.get("archived")),
    })
