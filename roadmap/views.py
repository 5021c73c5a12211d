from django.contrib.auth.decorators import permission_required
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_GET

from .forms import RoadmapFilterForm
from .models import RoadmapItem

ITEMS_PER_PAGE = 50


@require_GET
@permission_required("roadmap.view_roadmapitem", raise_exception=True)
def item_list(request):
    filters = RoadmapFilterForm(request.GET)
    items = filters.filter(RoadmapItem.objects.for_list())
    page = Paginator(items, ITEMS_PER_PAGE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    template = "roadmap/item_list.html"
    if request.htmx and not request.htmx.history_restore_request:
        template += "#item-results"
    return render(request, template, {
        "filters": filters, "page": page, "query": query.urlencode(),
        "can_triage": request.user.has_perm("roadmap.triage_roadmapitem"),
    })


@require_GET
@permission_required("roadmap.view_roadmapitem", raise_exception=True)
def item_detail(request, pk):
    item = get_object_or_404(
        RoadmapItem.objects.select_related(
            "product", "owner", "requesting_persona", "triage__triaged_by",
            "review__reviewed_by",
        ).prefetch_related(
            "triage__primary_beneficiaries", "triage__indirect_beneficiaries", "triage__metrics"
        ),
        pk=pk,
    )
    return render(request, "roadmap/item_detail.html", {
        "item": item, "triage": item.current_triage(), "review": item.current_review(),
        "can_triage": request.user.has_perm("roadmap.triage_roadmapitem"),
    })
