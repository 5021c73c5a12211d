from django.contrib.auth.decorators import permission_required
from django.shortcuts import render
from django.views.decorators.http import require_GET

from .forms import PersonaListForm
from .models import Persona, PersonaSide


@require_GET
@permission_required("personas.view_persona", raise_exception=True)
def persona_list(request):
    show_archived = PersonaListForm(request.GET).valid_filters().get("archived", False)
    personas = Persona.objects.select_related("archetype").prefetch_related("metrics")
    if not show_archived:
        personas = personas.active()
    sides = [
        (side, [persona for persona in personas if persona.side == side])
        for side in PersonaSide
    ]
    return render(request, "personas/persona_list.html", {
        "sides": sides, "show_archived": show_archived,
    })
