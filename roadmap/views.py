import copy

from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Window
from django.http import Http404, HttpResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.defaultfilters import pluralize, urlencode
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.functional import cached_property
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET, require_http_methods
from django_htmx.http import HttpResponseClientRedirect, push_url

from whobenefits import changes
from whobenefits.forms import filters_query

from . import csv_export, extensions
from .balance import RoadmapBalance, ValueMap
from .csv_export import csv_lines, xlsx_bytes
from .forms import (
    EVERY_HORIZON,
    BalanceTargetForm,
    BulkEditForm,
    QueuedItemForm,
    ReviewFilterForm,
    ReviewForm,
    ReviewPanelForm,
    RoadmapFilterForm,
    RoadmapItemForm,
    TargetQuarterForm,
    TriageForm,
    TriageQueueForm,
    queue_url,
)
from .history import details_differences, review_differences, triage_differences
from .models import BalanceTarget, EditConflict, ItemTally, PickTally, QueueVisit, RoadmapItem
from .quarters import Quarter
from .reality import PlanAgainstReality
from .rows import ItemRows, listed_items
from .targets import current_and_next, quarter_balances
from .verdict import product_verdicts

ITEMS_PER_PAGE = 50
# The dashboard's lists show this many items; the CSV export has them all.
DASHBOARD_LIST_LIMIT = 10
# A dashboard list of more items than this opens folded, so the panels below stay in reach.
DASHBOARD_LIST_FOLD_ABOVE = 5
# The roadmap list opens with this many of the PM's open challenges.
MY_CHALLENGES_SHOWN = 10


@require_http_methods(["GET", "POST"])
@permission_required("roadmap.view_roadmapitem", raise_exception=True)
def item_list(request):
    can_edit = request.user.has_perm("roadmap.change_roadmapitem")
    can_triage = request.user.has_perm("roadmap.triage_roadmapitem")
    bulk = None
    if request.method == "POST":  # a bulk edit of the ticked items
        if not can_edit:
            raise PermissionDenied("Product managers change items; team leads review them.")
        bulk = BulkEditForm(request.POST)
        if bulk.is_valid():
            outcome = RoadmapItem.objects.edit_each(
                bulk.changes(), expected_versions=bulk.cleaned_data["items"],
                edited_by=request.user)
            _report_bulk_edit(request, bulk, outcome)
            return redirect(request.get_full_path())  # the same filters and page
    filters = RoadmapFilterForm(request.GET)

    def page_and_rows():
        items = filters.order(filters.filter(RoadmapItem.objects.all()))
        page = RowsPaginator(items, ITEMS_PER_PAGE).get_page(request.GET.get("page"))
        page.object_list = listed = listed_items(page.object_list)
        registered = extensions.registered()
        for extension in registered:
            extension.load_rows(listed)
        rows = ItemRows(bulk=can_edit, bulk_error=bool(bulk and bulk["items"].errors),
                        selected=bulk.selected() if bulk else set(), can_triage=can_triage,
                        back_next=urlencode(request.get_full_path()),
                        extensions=registered).html(listed)
        return page, rows

    # The page and its rows change only with the data (and what the URL and the
    # permissions ask): kept until it changes (whobenefits/changes.py), but for a refused
    # bulk edit, whose ticks and error are this person's.
    page, rows = page_and_rows() if bulk else changes.list_pages.get_or_make(
        request, page_and_rows, vary=("roadmap-list-page",))
    context = {
        "filters": filters, "page": page, "query": filters_query(request),
        "extension_columns": filters.column_headers(request), "rows": rows,
        "can_edit": can_edit, "bulk_fields": _bulk_fields(request, bulk) if can_edit else "",
        "back": request.get_full_path(),
    }
    if request.htmx and not request.htmx.history_restore_request:
        return render(request, "roadmap/item_list.html#item-results", context)
    # The banner, the PM's panels and the filters' menus change only with the data: kept
    # until it changes, per person (whobenefits/changes.py).
    context["head"] = changes.fragments.get_or_render(request, lambda: render_to_string(
        "roadmap/item_list.html#list-head", _list_head_context(request, filters), request),
        vary=("roadmap-list-head", request.user.pk))
    return render(request, "roadmap/item_list.html", {
        **context,
        "can_triage": can_triage,
        "can_add": request.user.has_perm("roadmap.add_roadmapitem"),
        # The queue walks the products (and import) the list shows.
        "queue_url": queue_url(filters.valid_filters().get("product"),
                               filters.valid_filters().get("from_import")),
        "can_import": request.user.has_perm("imports.run_import"),
    })


class RowsPaginator(Paginator):
    """Pages of the list's rows (`items`' for_list()), counted on `items` themselves: the
    rows' statement joins the product, owner and review, which a count does not need."""

    def __init__(self, items, per_page):
        super().__init__(items.for_list(), per_page)
        self.items = items

    @cached_property
    def count(self):
        return self.items.count()


def _bulk_fields(request, bulk):
    """The bulk edit's fields: a refused edit's with its errors, else the empty ones, kept
    until a write to what their menus show (the people and their roles, the products) or
    another day (the quarters): an edit of items leaves them as they are."""
    if bulk is not None:
        return render_to_string("roadmap/item_list.html#bulk-fields", {"bulk": bulk}, request)
    return changes.kept.get_or_compute(
        ("roadmap-list-bulk-fields", timezone.localdate(), translation.get_language(),
         timezone.get_current_timezone_name()),
        lambda: render_to_string("roadmap/item_list.html#bulk-fields",
                                 {"bulk": BulkEditForm()}, request),
        reads=["auth_", "roadmap_product"])


def _list_head_context(request, filters):
    """What the list shows above its filters and in them: the quarter's banner, the PM's
    challenges and the extensions' panels, the filter form."""
    # The banner covers the products the list shows, all of them when none is picked.
    product = filters.valid_filters().get("product")
    planned = product.narrow(RoadmapItem.objects.all()) if product else RoadmapItem.objects.all()
    panels, added = [], {}
    for extension in extensions.registered():
        if extension.list_panel:
            panels.append(extension.list_panel)
            added.update(extension.list_context(request))
    return {**added, "extension_list_panels": panels, "filters": filters,
            "my_challenges": _my_challenges(request.user),
            "quarter_balance": quarter_balances(planned, [Quarter.current()])[0]}


def _my_challenges(pm):
    """The first of the PM's open challenges, each with `total` (all of them), in one query:
    a page of 50 items does not open under hundreds of challenges."""
    return list(RoadmapItem.objects.owned_by(pm).open_challenges()
                .select_related("review__reviewed_by")
                .annotate(total=Window(Count("pk")))[:MY_CHALLENGES_SHOWN])


def _report_bulk_edit(request, bulk, outcome):
    """Say what a bulk edit changed, and name the items it refused."""
    if outcome.changed:
        count = len(outcome.changed)
        messages.success(request, f"Set {bulk.describe()} on {count} item{pluralize(count)}.")
    if outcome.unchanged:
        count = len(outcome.unchanged)
        messages.info(request, f"{count} item{pluralize(count)} already had that.")
    if outcome.refused:
        names = ", ".join(f"“{item.title}”" for item in outcome.refused)
        messages.warning(request, f"Not changed, because someone else saved them after you "
                                  f"loaded the list: {names}. Look at them again, then retry.")
    if outcome.clashing:
        names = ", ".join(f"“{item.title}”" for item in outcome.clashing)
        messages.warning(request, f"Not moved, because that product already has an item with "
                                  f"the same key from the same source: {names}.")


@require_GET
@permission_required("roadmap.view_roadmapitem", raise_exception=True)
def item_detail(request, pk):
    item = get_object_or_404(RoadmapItem.objects.for_triage(), pk=pk)
    can_review = request.user.has_perm("roadmap.review_roadmapitem")
    panels, added = [], {}
    for extension in extensions.registered():
        if extension.item_panel:
            panels.append(extension.item_panel)
            added.update(extension.item_context(request, item))
    return render(request, "roadmap/item_detail.html", {
        **added, "extension_panels": panels,
        "item": item, "triage": item.current_triage(),
        "can_review": can_review, "review_form": ReviewForm(item=item) if can_review else None,
        "triage_history": item.triage_history(),
        "can_triage": request.user.has_perm("roadmap.triage_roadmapitem"),
        "can_edit": request.user.has_perm("roadmap.change_roadmapitem"),
    })


@require_http_methods(["GET", "POST"])
@permission_required("roadmap.add_roadmapitem", raise_exception=True)
def item_create(request):
    form = RoadmapItemForm(request.POST or None)
    if form.is_bound and form.is_valid():
        item = form.save(commit=False)
        item._history_user = request.user
        item.save()
        messages.success(request, f"Added “{item.title}”. Who benefits from it?")
        return redirect(item)
    return render(request, "roadmap/item_form.html", {"form": form})


@require_http_methods(["GET", "POST"])
@permission_required("roadmap.change_roadmapitem", raise_exception=True)
def item_edit(request, pk):
    item = get_object_or_404(RoadmapItem, pk=pk)
    # The form edits a copy: the heading keeps the saved title while the input is invalid.
    form = RoadmapItemForm(request.POST or None, instance=copy.copy(item))
    if form.is_bound and form.is_valid():
        edited = form.instance
        try:
            edited.save_edit(expected_version=form.cleaned_data["version"], edited_by=request.user)
        except EditConflict as conflict:
            form.refuse_stale(conflict.current, details_differences(conflict.current, edited))
        else:
            messages.success(request, f"Saved “{edited.title}”.")
            return redirect(edited)
    return render(request, "roadmap/item_form.html", {"form": form, "item": item})


def _safe_next(next_url, request, default):
    """`next_url` when it stays on this site (where the person came from), else `default`."""
    if next_url and url_has_allowed_host_and_scheme(
        next_url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return next_url
    return default


@require_http_methods(["GET", "POST"])
@permission_required("roadmap.triage_roadmapitem", raise_exception=True)
def triage(request, pk):
    item = get_object_or_404(RoadmapItem.objects.for_triage_form(), pk=pk)
    next_url = _safe_next(request.POST.get("next") or request.GET.get("next"), request,
                          default=item.get_absolute_url())
    # "preview" is not a save: it shows the class and question 2 for the picks so far
    # (htmx as the PM picks, or a button without JavaScript), keeping the starting version.
    previewing = "preview" in request.POST
    form = _triage_form(request, item)
    if _record_answer(request, item, form):
        messages.success(request, _saved_message(item))
        if request.htmx:
            return HttpResponseClientRedirect(next_url)
        return redirect(next_url)
    template = "roadmap/triage.html"
    if request.htmx and not request.htmx.history_restore_request:
        template += "#triage-preview" if previewing else "#triage-form"
    return render(request, template, {
        "item": item, "form": form, "next": next_url,
        "action": reverse("roadmap:triage", args=[item.pk]),
    })


def _triage_form(request, item):
    """The triage form for this request: bound to the answer, or a preview of the picks
    (the class and question 2, as the PM picks or with the no-JavaScript button), unsaved."""
    if "preview" in request.POST:
        return TriageForm.preview(request.POST, item=item)
    return TriageForm(request.POST or None, item=item)


def _record_answer(request, item, form):
    """Save a valid answer; True when saved, else the refusal is on the form."""
    if not (form.is_bound and form.is_valid()):
        return False
    try:
        item.record_triage(**form.answer(), triaged_by=request.user)
    except EditConflict as conflict:
        current = RoadmapItem.objects.for_triage().get(pk=conflict.current.pk)
        form.refuse_stale(current, triage_differences(current, form.answer()))
    except ValidationError as error:  # a rule the form could not see coming
        form.add_error(None, error)
    else:
        return True
    return False


def _saved_message(item):
    triage = item.current_triage()
    if triage is None:
        return f"“{item.title}” is untriaged again."
    klass = triage.get_beneficiary_class_display().lower()
    return f"Triage saved: “{item.title}” benefits {klass}."


@require_http_methods(["GET", "POST"])
@permission_required("roadmap.triage_roadmapitem", raise_exception=True)
def triage_queue(request):
    scope = TriageQueueForm(request.GET, new_since=QueueVisit.record(request.user))
    item, form, after, saved = None, None, scope.walked_past(), None
    if request.method == "POST":
        item = get_object_or_404(RoadmapItem.objects.for_triage(), pk=_posted_item_pk(request))
        form = _triage_form(request, item)
        if _record_answer(request, item, form):
            if not request.htmx:
                messages.success(request, _saved_message(item))
                return redirect(scope.url(after=item.pk))
            # htmx: the next item is in the answer; no reload, no redirect.
            item, form, after, saved = None, None, item.pk, _saved_message(item)
    if item is None:
        item = scope.next_after(after)
        form = TriageForm(item=item) if item else None
    template = "roadmap/triage_queue.html"
    if request.htmx and not request.htmx.history_restore_request:
        template += "#queue"
    response = render(request, template, {
        "scope": scope, "item": item, "form": form, "left": scope.queue().count(),
        "new_since": scope.new_since, "new_count": scope.new_count(), "saved": saved,
        "action": scope.url(after=after), "skip_url": item and scope.url(after=item.pk),
        "restart_url": scope.url(),
    })
    if saved:
        push_url(response, scope.url(after=after))
    return response


def _posted_item_pk(request):
    posted = QueuedItemForm(request.POST)
    if not posted.is_valid():
        raise Http404("No such roadmap item.")
    return posted.cleaned_data["item"]


@require_GET
@permission_required("roadmap.view_roadmapitem", raise_exception=True)
def dashboard(request):
    filters = ReviewFilterForm(request.GET)
    # Its counts scan the whole roadmap: rendered once per change of the data (or the date),
    # whatever panel an extension adds (whobenefits/changes.py).
    results = changes.fragments.get_or_render(request, lambda: render_to_string(
        "roadmap/dashboard.html#dashboard-results", _review_context(request, filters), request))
    if request.htmx and not request.htmx.history_restore_request:
        return HttpResponse(results)
    return render(request, "roadmap/dashboard.html", {"filters": filters, "results_html": results})


def _review_context(request, filters):
    """What the dashboard and its printed page show, in a fixed number of queries."""
    items = filters.filter(RoadmapItem.objects.all())
    one_sided = items.one_sided_without_value().for_review()
    challenges = items.challenges_answered_first().for_review()
    # The counts from the tallies the database keeps (roadmap/tally.py): no joins.
    tallies = ItemTally.objects.all()
    balances = current_and_next(filters.plan_scope(RoadmapItem.objects.all()))
    balance = RoadmapBalance(filters.scope(tallies), filters.counted_horizons(),
                             every_horizon=filters.every_horizon(), products=filters.products(),
                             picks=filters.scope(PickTally.objects.all()), plans=balances,
                             with_values=True)
    panels, added, flags, contents = [], {}, [], []
    for extension in extensions.registered():
        if extension.dashboard_panel:
            panels.append(extension.dashboard_panel)
            context = extension.dashboard_context(request, items, balance)
            added.update(context)
            flags += extension.dashboard_flags(context)
            contents += extension.dashboard_contents
    return {
        **added, "extension_panels": panels, "value_map": ValueMap(
            filters.filter(tallies).open(), counts=balance.value_counts()),
        "filters": filters, "query": filters_query(request), "balance": balance,
        "balances": balances, "extension_contents": contents,
        "verdicts": product_verdicts(balance, balances[0], flags),
        "plan_query": filters.plan_list_query(),
        "reality": PlanAgainstReality(filters.products()),
        # The one-click switch between counting the near horizons and every horizon.
        "switch_query": filters_query(
            request, count=None if balance.every_horizon else EVERY_HORIZON),
        "one_sided": _first_by_product(one_sided, balance, DASHBOARD_LIST_LIMIT),
        "one_sided_count": balance.overall.lacking,
        "challenges": _first(challenges, DASHBOARD_LIST_LIMIT),
        "can_review": request.user.has_perm("roadmap.review_roadmapitem"),
        "list_limit": DASHBOARD_LIST_LIMIT, "fold_above": DASHBOARD_LIST_FOLD_ABOVE,
    }


def _first(items, limit):
    """The first `limit` of `items`, in their order, in one query. A narrow subquery picks
    their ids, so the wide joins (owner, triage, review, reviewer) touch only those rows."""
    return items.filter(pk__in=items.values("pk")[:limit])


def _first_by_product(one_sided, balance, limit):
    """The first `limit` of the `one_sided` items (in their order: product name, then
    title), read from only the products they come from, each in title order.

    The balance counted them per product (by name): the first products whose counts reach
    `limit` hold them all, and one product's items in title order walk its (product, title)
    index and stop at the limit, where ordering every one-sided item by product name and
    title read them all (8,400 open ones at 50,000 items)."""
    wanted, counted = [], 0
    for mix in balance.per_product:
        if counted >= limit:
            break
        if mix.lacking:
            wanted.append(mix.product_id)
            counted += mix.lacking
    parts = [RoadmapItem.objects.filter(pk__in=one_sided.filter(product_id=product_id).order_by(
                 "title", "pk").values("pk")[:limit]).order_by().values("pk")
             for product_id in wanted]
    if not parts:
        return RoadmapItem.objects.none()
    return one_sided.filter(pk__in=parts[0].union(*parts[1:], all=True) if parts[1:] else
                            parts[0])[:limit]


@require_GET
@permission_required("roadmap.view_roadmapitem", raise_exception=True)
def review_print(request):
    filters = ReviewFilterForm(request.GET)
    context = _review_context(request, filters)
    context["can_review"] = False
    context["items"] = filters.filter(RoadmapItem.objects.for_export()).by_horizon()
    context["printed_at"] = timezone.now()
    return render(request, "roadmap/review_print.html", context)


@require_GET
@permission_required("roadmap.view_roadmapitem", raise_exception=True)
def export_csv(request):
    items = _exported_items(request)
    response = StreamingHttpResponse(
        csv_lines(items.iterator(chunk_size=csv_export.CHUNK), site=_site(request)),
        content_type="text/csv; charset=utf-8",
    )
    response["Content-Disposition"] = f'attachment; filename="{_export_name()}.csv"'
    return response


@require_GET
@permission_required("roadmap.view_roadmapitem", raise_exception=True)
def export_xlsx(request):
    items = _exported_items(request)
    response = HttpResponse(
        xlsx_bytes(items.iterator(chunk_size=csv_export.CHUNK), site=_site(request)),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = f'attachment; filename="{_export_name()}.xlsx"'
    return response


def _exported_items(request):
    filters = ReviewFilterForm(request.GET)
    return filters.filter(RoadmapItem.objects.for_export()).order_by("product__name", "title",
                                                                      "pk")


def _site(request):
    return f"{request.scheme}://{request.get_host()}"


def _export_name():
    return f"roadmap-{timezone.localdate().isoformat()}"


@require_http_methods(["GET", "POST"])
@permission_required("roadmap.review_roadmapitem", raise_exception=True)
def review(request, pk):
    item = get_object_or_404(RoadmapItem.objects.for_review(), pk=pk)
    panel = ReviewPanelForm(request.POST if request.method == "POST" else request.GET)
    form = ReviewForm(request.POST or None, item=item, list_name=panel.list_name)
    if form.is_bound and form.is_valid():
        try:
            saved = item.record_review(**form.review(), reviewed_by=request.user)
        except EditConflict:
            item = RoadmapItem.objects.for_review().get(pk=pk)  # the review as it is now
            form.refuse_stale(item, review_differences(item, form.review()))
        except ValidationError as error:
            form.add_error(None, error)
        else:
            if not request.htmx:
                messages.success(request, f"{saved.get_verdict_display()}: {item.title}")
                return redirect(_safe_next(panel.next_url, request, item.get_absolute_url()))
            # In a dashboard list the panel folds back to the verdict and its link; on the
            # item page a fresh form (new versions) stays for another change.
            form = None if panel.list_name else ReviewForm(item=item)
    template = "roadmap/review.html"
    if request.htmx and not request.htmx.history_restore_request:
        template += "#review-form"
    return render(request, template, {
        "item": item, "form": form, "can_review": True, "panel": panel,
        "compact": bool(panel.list_name), "list_id": panel.list_name,
        "next_url": panel.next_url,
        "swapped": bool(request.htmx),  # the panel replaces the one the lead acted in
    })


@require_GET
@permission_required("roadmap.view_balancetarget", raise_exception=True)
def targets(request):
    picker = TargetQuarterForm(request.GET or None)
    if picker.is_bound and picker.is_valid():
        return redirect("roadmap:target-edit", picker.cleaned_data["quarter"])
    current = Quarter.current()
    return render(request, "roadmap/targets.html", {
        "picker": picker, "targets": BalanceTarget.objects.all(),
        "balances": current_and_next(RoadmapItem.objects.all()),
        "can_set": request.user.has_perm("roadmap.set_balancetarget"),
        "suggested": [current, current.next(), current.next().next()],
    })


@require_http_methods(["GET", "POST"])
@permission_required("roadmap.set_balancetarget", raise_exception=True)
def target_edit(request, quarter):
    """The targets of `quarter` ("default", or 2027-Q1); a quarter without its own starts
    from the default's."""
    if quarter == DEFAULT_TARGETS:
        quarter = ""
    else:
        try:
            quarter = str(Quarter.parse(quarter))
        except ValidationError:
            raise Http404("No such quarter.") from None
    target = BalanceTarget.objects.filter(quarter=quarter).first()
    if target is None:
        default = BalanceTarget.objects.filter(quarter="").first() or BalanceTarget()
        target = BalanceTarget(quarter=quarter, **{
            name: getattr(default, name) for name in BalanceTarget.SHARES})
    form = BalanceTargetForm(request.POST or None, instance=copy.copy(target))
    if form.is_bound and form.is_valid():
        try:
            target.save_shares(form.shares(), expected_version=form.cleaned_data["version"],
                               set_by=request.user)
        except EditConflict as conflict:
            form.refuse_stale(conflict.current, target_differences(conflict.current, form))
        else:
            messages.success(request, f"Saved: {target}.")
            return redirect("roadmap:targets")
    return render(request, "roadmap/target_form.html", {
        "form": form, "target": target,
        "quarter": Quarter.parse(quarter) if quarter else None,
    })


DEFAULT_TARGETS = "default"


def target_differences(saved, form):
    """(label, saved, yours) for each share where the refused form differs."""
    rows = [(form.fields[name].label, f"{getattr(saved, name)}%", f"{form.cleaned_data[name]}%")
            for name in BalanceTarget.SHARES]
    return [row for row in rows if row[1] != row[2]]
