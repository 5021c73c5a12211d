from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import F
from django.http import StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET, require_http_methods

from .balance import RoadmapBalance
from .csv_export import csv_lines
from .forms import ReviewFilterForm, ReviewForm, RoadmapFilterForm
from .models import EditConflict, RoadmapItem

ITEMS_PER_PAGE = 50
REVIEW_CONFLICT = ("Someone changed this item or reviewed it since you opened it, so your "
                   "review was not saved. Here it is as it is now: review it again.")
# The dashboard's lists show this many items; the CSV export has them all.
DASHBOARD_LIST_LIMIT = 25


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
        "my_challenges": RoadmapItem.objects.owned_by(request.user).open_challenges()
        .select_related("review__reviewed_by"),
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


def _filtered_query(request):
    """The request's filters as a query string, for export links that follow them."""
    query = request.GET.copy()
    query.pop("page", None)
    return query.urlencode()


@require_GET
@permission_required("roadmap.view_roadmapitem", raise_exception=True)
def dashboard(request):
    filters = ReviewFilterForm(request.GET)
    template = "roadmap/dashboard.html"
    if request.htmx and not request.htmx.history_restore_request:
        template += "#dashboard-results"
    return render(request, template, _review_context(request, filters))


def _review_context(request, filters):
    """What the dashboard and its printed page show, in a fixed number of queries."""
    scoped = filters.scope(RoadmapItem.objects.all())
    items = filters.filter(RoadmapItem.objects.all())
    one_sided = items.one_sided_without_value().select_related(
        "product", "owner", "triage", "review__reviewed_by")
    challenges = items.challenged().select_related(
        "product", "owner", "triage", "review__reviewed_by"
    ).order_by(F("review__answered_at").desc(nulls_last=True), "-review__reviewed_at")
    balance = RoadmapBalance(scoped, filters.counted_horizons())
    return {
        "filters": filters, "query": _filtered_query(request), "balance": balance,
        "one_sided": one_sided[:DASHBOARD_LIST_LIMIT],
        "one_sided_count": balance.overall.lacking,
        "challenges": challenges[:DASHBOARD_LIST_LIMIT],
        "can_review": request.user.has_perm("roadmap.review_roadmapitem"),
        "list_limit": DASHBOARD_LIST_LIMIT,
    }


@require_GET
@permission_required("roadmap.view_roadmapitem", raise_exception=True)
def review_print(request):
    filters = ReviewFilterForm(request.GET)
    context = _review_context(request, filters)
    context["can_review"] = False
    context["items"] = filters.filter(RoadmapItem.objects.for_export()).order_by(
        "horizon", "product__name", "title", "pk")
    context["printed_at"] = timezone.now()
    return render(request, "roadmap/review_print.html", context)


@require_GET
@permission_required("roadmap.view_roadmapitem", raise_exception=True)
def export_csv(request):
    filters = ReviewFilterForm(request.GET)
    items = filters.filter(RoadmapItem.objects.for_export()).order_by(
        "product__name", "title", "pk")
    response = StreamingHttpResponse(
        csv_lines(items.iterator(chunk_size=500)), content_type="text/csv; charset=utf-8"
    )
    stamp = timezone.localdate().isoformat()
    response["Content-Disposition"] = f'attachment; filename="roadmap-{stamp}.csv"'
    return response


@require_http_methods(["GET", "POST"])
@permission_required("roadmap.review_roadmapitem", raise_exception=True)
def review(request, pk):
    item = get_object_or_404(
        RoadmapItem.objects.select_related("product", "owner", "triage", "review__reviewed_by"),
        pk=pk,
    )
    form = ReviewForm(request.POST or None, item=item,
                      initial={"next": request.GET.get("next", "")})
    conflict = None
    compact = request.POST.get("compact", request.GET.get("compact")) == "1"
    if form.is_bound and form.is_valid():
        try:
            saved = item.record_review(
                verdict=form.cleaned_data["verdict"], comment=form.cleaned_data["comment"],
                reviewed_by=request.user, expected_version=form.cleaned_data["version"],
                expected_review_version=form.cleaned_data["review_version"],
            )
        except EditConflict:
            # Show the review as it is now, with a fresh form on the new versions.
            item = RoadmapItem.objects.select_related(
                "product", "owner", "triage", "review__reviewed_by").get(pk=item.pk)
            form = ReviewForm(item=item, initial={"next": form.cleaned_data["next"]})
            conflict = REVIEW_CONFLICT
        except ValidationError as error:
            form.add_error(None, error)
        else:
            if not request.htmx:
                messages.success(request, f"{saved.get_verdict_display()}: {item.title}")
                return redirect(_safe_next(request, form.cleaned_data["next"], item))
            # In a dashboard row the panel folds back to the verdict and its link;
            # on the item page a fresh form (new versions) stays for another change.
            form = None if compact else ReviewForm(
                item=item, initial={"next": form.cleaned_data["next"]})
    template = "roadmap/review.html"
    if request.htmx and not request.htmx.history_restore_request:
        template += "#review-form"
    return render(request, template, {
        "item": item, "form": form, "can_review": True, "conflict": conflict,
        "compact": compact, "next_url": request.POST.get("next", request.GET.get("next", "")),
    })


def _safe_next(request, next_url, item):
    """Back to the dashboard view the lead came from, never off this site."""
    if next_url and url_has_allowed_host_and_scheme(
        next_url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return next_url
    return item.get_absolute_url()
