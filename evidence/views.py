import copy

from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Count, Exists, F, FilteredRelation, Max, OuterRef, Q, Window
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from personas.models import Archetype, PersonaSide
from roadmap.models import EditConflict, RoadmapItem
from whobenefits import changes
from whobenefits.forms import filters_query

from . import demand as counted
from .forms import (
    CompanyFilterForm,
    EvidenceEditForm,
    EvidenceForm,
    InboxFilterForm,
    ItemSearchForm,
    LinkForm,
    evidence_differences,
)
from .models import LISTENING_WINDOW, Company, Evidence, EvidenceLink

NOTES_SHOWN = 20
NOTES_PER_PAGE = 25
COMPANIES_PER_PAGE = 50
SEARCH_RESULTS = 10
DASHBOARD_LIST_LIMIT = 10
# What a quick-add form keeps for the next note: the same conversation, most likely.
KEPT = ["persona", "company", "contact_name", "source", "observed_on"]


def _safe_next(request, default):
    next_url = request.POST.get("next") or request.GET.get("next")
    if next_url and url_has_allowed_host_and_scheme(
            next_url, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        return next_url
    return default


def _kept_initial(data):
    """The quick-add fields kept for the next note, from a saved note's form data."""
    return {name: data.get(name, "") for name in KEPT if data.get(name)}


def _kept_from(note):
    """What the next note's form starts from after `note` was saved."""
    return {"persona": str(note.persona_id), "company": note.company.name if note.company else "",
            "contact_name": note.contact_name, "source": note.source,
            "observed_on": note.observed_on.isoformat()}


# The item page's evidence panel ------------------------------------------------------------

def panel_context(request, item, *, form=None, saved=None):
    """What the item page's evidence panel shows (the hook roadmap's item page calls)."""
    can_add = request.user.has_perm("evidence.add_evidence")
    notes = Evidence.objects.for_item(item).for_list().newest_first()
    show_all = request.GET.get("notes") == "all"
    demand = counted.demand_for([item.pk])[item.pk]
    if form is None and can_add:
        form = EvidenceForm(initial=_kept_initial(request.GET) or None)
    companies = Company.objects.filter(Exists(EvidenceLink.objects.filter(
        roadmapitem=item, evidence__company=OuterRef("pk")))).annotate(
        notes=Count("evidence", filter=Q(evidence__items=item))).order_by("-arr", "name")
    from .extension import describe_mismatch

    return {"evidence_panel": {
        "item": item, "demand": demand, "mismatch": describe_mismatch(item, demand),
        "notes": notes if show_all else notes[:NOTES_SHOWN], "show_all": show_all,
        "companies": companies, "form": form, "saved": saved, "can_add": can_add,
        "can_change": request.user.has_perm("evidence.change_evidence"),
        "thresholds": demand.thresholds,
    }}


@require_http_methods(["GET", "POST"])
@permission_required("evidence.add_evidence", raise_exception=True)
def item_notes(request, pk):
    """Add a note to an item: the quick-add form on the item page (htmx), or its own page."""
    item = get_object_or_404(RoadmapItem.objects.for_triage(), pk=pk)
    if request.method == "GET":
        return render(request, "evidence/note_form.html", {
            "item": item, "form": EvidenceForm(initial=_kept_initial(request.GET) or None)})
    form = EvidenceForm(request.POST)
    saved = None
    if form.is_valid():
        saved = Evidence.record(recorded_by=request.user, items=[item], **form.details())
        if not request.htmx:
            messages.success(request, f"Evidence added to “{item.title}”.")
            kept = urlencode(_kept_from(saved))
            return redirect(f"{item.get_absolute_url()}?{kept}#evidence")
        form = EvidenceForm(initial=_kept_from(saved))
    if not request.htmx or request.htmx.history_restore_request:
        return render(request, "evidence/note_form.html", {"item": item, "form": form})
    context = panel_context(request, item, form=form, saved=saved)
    context["evidence_panel"]["swapped"] = True
    return render(request, "evidence/item_panel.html#evidence-panel", context)


# The inbox ---------------------------------------------------------------------------------

@require_http_methods(["GET", "POST"])
@permission_required("evidence.view_evidence", raise_exception=True)
def inbox(request):
    can_add = request.user.has_perm("evidence.add_evidence")
    form = None
    if request.method == "POST":
        if not can_add:
            raise PermissionDenied("Only product managers and team leads record evidence.")
        form = EvidenceForm(request.POST)
        if form.is_valid():
            note = Evidence.record(recorded_by=request.user, **form.details())
            messages.success(request, f"Added to the inbox: “{note}”. Link it to the items it "
                                      "is about.")
            kept = urlencode(_kept_from(note))
            return redirect(f"{reverse('evidence:inbox')}?{kept}#note-{note.pk}")
    elif can_add:
        kept = {name: request.GET[name] for name in KEPT if name in request.GET}
        form = EvidenceForm(initial=kept or None)
    filters = InboxFilterForm(request.GET, auto_id="filter_%s")  # beside the note form
    notes = Evidence.objects.unlinked().for_list().prefetch_related("items").newest_first()
    if filters.valid_filters().get("source"):
        notes = notes.filter(source=filters.cleaned_data["source"])
    page = Paginator(notes, NOTES_PER_PAGE).get_page(request.GET.get("page"))
    searching = _searching(request)
    return render(request, "evidence/inbox.html", {
        "page": page, "form": form, "filters": filters, "query": filters_query(request),
        "can_link": request.user.has_perm("evidence.change_evidence"),
        "can_import": request.user.has_perms(["imports.run_import", "evidence.add_evidence"]),
        "searching": searching, "next": request.get_full_path(),
    })


def _searching(request):
    """The no-JavaScript title search of one inbox note: (note id, query, results)."""
    search = ItemSearchForm(request.GET)
    note_pk = request.GET.get("note", "")
    query = search.query()
    if not (note_pk.isdigit() and query):
        return None
    return {"note": int(note_pk), "q": query, "results": _matching_items(query, int(note_pk))}


def _matching_items(query, note_pk):
    """Up to 10 items whose title has `query` (or whose id it is), not yet linked to the note."""
    matches = Q(title__icontains=query)
    if query.lstrip("#").isdigit() and len(query) < 18:
        matches |= Q(pk=int(query.lstrip("#")))
    return list(RoadmapItem.objects.filter(matches).exclude(evidence=note_pk)
                .select_related("product", "triage").order_by("title", "pk")[:SEARCH_RESULTS])


@require_http_methods(["GET", "POST"])
@permission_required("evidence.change_evidence", raise_exception=True)
def link(request, pk):
    """Find items by title for a note (GET, htmx) and link it to one (POST)."""
    note = get_object_or_404(Evidence.objects.for_list(), pk=pk)
    next_url = _safe_next(request, reverse("evidence:inbox"))
    if request.method == "GET":
        search = ItemSearchForm(request.GET)
        query = search.query()
        return render(request, "evidence/inbox.html#search-results", {
            "note": note, "q": query, "next": next_url,
            "results": _matching_items(query, note.pk) if query else [],
        })
    posted = LinkForm(request.POST)
    if not posted.is_valid():
        raise Http404("No such roadmap item.")
    item = get_object_or_404(RoadmapItem, pk=posted.cleaned_data["item"])
    note.link_to(item, linked_by=request.user)
    if not request.htmx:
        messages.success(request, f"Linked to “{item.title}”.")
        return redirect(next_url)
    note = Evidence.objects.for_list().prefetch_related("items").get(pk=pk)
    return render(request, "evidence/inbox.html#note-row", {
        "note": note, "can_link": True, "next": next_url, "linked": item})


@require_POST
@permission_required("evidence.change_evidence", raise_exception=True)
def unlink(request, pk):
    note = get_object_or_404(Evidence, pk=pk)
    posted = LinkForm(request.POST)
    if not posted.is_valid():
        raise Http404("No such roadmap item.")
    item = get_object_or_404(RoadmapItem, pk=posted.cleaned_data["item"])
    if note.unlink_from(item, unlinked_by=request.user):
        messages.success(request, f"“{note}” is no longer linked to “{item.title}”.")
    return redirect(_safe_next(request, item.get_absolute_url() + "#evidence"))


# One note ---------------------------------------------------------------------------------

@require_http_methods(["GET", "POST"])
@permission_required("evidence.change_evidence", raise_exception=True)
def evidence_edit(request, pk):
    note = get_object_or_404(Evidence.objects.for_list(), pk=pk)
    # The form edits a copy: the page keeps the saved note while the input is invalid.
    form = EvidenceEditForm(request.POST or None, instance=copy.copy(note))
    if form.is_bound and form.is_valid():
        edited = form.instance
        try:
            edited.save_edit(expected_version=form.cleaned_data["version"],
                             edited_by=request.user)
        except EditConflict as conflict:
            form.refuse_stale(conflict.current, evidence_differences(conflict.current, edited))
        else:
            messages.success(request, "Saved the note.")
            return redirect(_safe_next(request, reverse("evidence:evidence-edit", args=[pk])))
    return render(request, "evidence/evidence_form.html", {
        "note": note, "form": form, "items": note.items.select_related("product", "triage"),
        "next": _safe_next(request, ""),
    })


# Companies --------------------------------------------------------------------------------

@require_GET
@permission_required("evidence.view_company", raise_exception=True)
def company_list(request):
    filters = CompanyFilterForm(request.GET)
    companies = filters.filter(Company.objects.annotate(notes=Count("evidence")))
    page = Paginator(companies, COMPANIES_PER_PAGE).get_page(request.GET.get("page"))
    template = "evidence/company_list.html"
    if request.htmx and not request.htmx.history_restore_request:
        template += "#company-results"
    return render(request, template, {"filters": filters, "page": page,
                                      "query": filters_query(request),
                                      "today": timezone.localdate()})


@require_GET
@permission_required("evidence.view_company", raise_exception=True)
def company_detail(request, pk):
    company = get_object_or_404(Company, pk=pk)
    notes = company.evidence.for_list().newest_first()
    items = RoadmapItem.objects.filter(evidence__company=company).distinct().select_related(
        "product", "triage").order_by("product__name", "title", "pk")
    return render(request, "evidence/company_detail.html", {
        "company": company, "notes": notes, "items": items,
        "renews_in": company.renews_in(),
    })


@require_GET
@permission_required("evidence.view_company", raise_exception=True)
def company_options(request):
    """The names for the quick-add's company box (a <datalist>), as the PM types."""
    typed = ItemSearchForm({"q": request.GET.get("company", "")}).query()
    names = Company.objects.active().filter(name__icontains=typed).values_list(
        "name", flat=True)[:SEARCH_RESULTS] if typed else []
    return render(request, "evidence/item_panel.html#company-options", {"names": names})


# The review dashboard's evidence lists ------------------------------------------------------

def dashboard_context(request, items, thresholds):
    """The dashboard's evidence lists for its filtered `items` (the hook roadmap calls), by
    the review's `thresholds`."""
    # What the list shows of an item, and no more: each further join (the review and its
    # reviewer) multiplied the planner's work on this filter and slowed the scan.
    mismatched = counted.mismatched(items, thresholds).select_related("product", "owner",
                                                                      "triage")
    # The first ten with the count of all in one query: the mismatch's scan runs once.
    first = list(mismatched.annotate(total=Window(Count("pk")))[:DASHBOARD_LIST_LIMIT])
    demands = counted.demand_for([item.pk for item in first], thresholds=thresholds)
    from .extension import describe_mismatch

    for item in first:
        item.demand = demands[item.pk]
        item.mismatch = describe_mismatch(item, item.demand)
    today = timezone.localdate()
    at_risk = Company.objects.at_risk(today=today).order_by("renewal_date", "name")
    risky = list(at_risk.annotate(total=Window(Count("pk")))[:DASHBOARD_LIST_LIMIT])
    _attach_linked_items(risky)
    return {"evidence_dashboard": {
        "mismatched": first, "mismatched_count": first[0].total if first else 0,
        "thresholds": thresholds, "at_risk": risky,
        "at_risk_count": risky[0].total if risky else 0,
        "today": today, "list_limit":
        DASHBOARD_LIST_LIMIT,
        # Notes, personas and archetypes only: kept until one of them changes, whatever
        # happens to the roadmap (whobenefits/changes.py).
        "listening": changes.kept.get_or_compute(
            ("listening", today), lambda: listening_coverage(today),
            reads=["evidence_", "personas_"]),
    }}


def _attach_linked_items(companies):
    """Each company's linked items (one query for all of them)."""
    rows = EvidenceLink.objects.filter(evidence__company__in=companies).values(
        "evidence__company", "roadmapitem").distinct()
    wanted = {}
    for row in rows:
        wanted.setdefault(row["evidence__company"], set()).add(row["roadmapitem"])
    items = RoadmapItem.objects.filter(pk__in={pk for pks in wanted.values() for pk in pks}) \
        .select_related("triage").order_by("title", "pk").in_bulk()
    for company in companies:
        company.linked_items = sorted((items[pk] for pk in wanted.get(company.pk, ())),
                                      key=lambda item: item.title)
        company.renews_in_days = company.renews_in()
        company.overdue_days = max(0, -company.renews_in_days)


def listening_coverage(today):
    """Notes per archetype over the last 90 days, every archetype listed; then, per archetype
    on one side, the personas who pay and use, when there are any or they were heard (one
    query: a row per archetype and side of its personas)."""
    since = today - LISTENING_WINDOW
    # Join only the window's notes (a condition on the join, not a filter after it): the
    # grouping then sorts those, not every note ever recorded.
    counted = Archetype.objects.alias(recent=FilteredRelation(
        "personas__evidence", condition=Q(personas__evidence__observed_on__gte=since)),
    ).values(
        "key", "name", "side", "built_in", "order", persona_side=F("personas__side"),
    ).annotate(
        notes=Count("recent"),
        heard=Count("personas", filter=Q(recent__isnull=False), distinct=True),
        active=Count("personas", filter=Q(personas__archived=False), distinct=True),
        last=Max("recent__observed_on"),
    ).order_by("-built_in", "order", "name")
    archetypes = {}  # key: (name, side, [rows of its own], [rows of those who pay and use])
    for row in counted:
        name, side, own, paying = archetypes.setdefault(
            row["key"], (row["name"], row["side"], [], []))
        paying_user = row["persona_side"] == PersonaSide.BOTH and side != PersonaSide.BOTH
        (paying if paying_user else own).append(row)
    rows, paying_users = [], []
    for name, side, own, paying in archetypes.values():
        rows.append(_listening_row(name, side, own))
        if any(row["notes"] or row["active"] for row in paying):
            paying_users.append(_listening_row(f"{name} (pays and uses)", PersonaSide.BOTH,
                                               paying))
    rows += paying_users
    return {"rows": rows, "since": since, "unheard": [r for r in rows if not r["notes"]],
            "days": LISTENING_WINDOW.days}


def _listening_row(archetype, side, counted):
    """One row of listening coverage, adding up the counted rows of its personas' sides."""
    return {"archetype": archetype, "side": PersonaSide(side),
            "notes": sum(row["notes"] for row in counted),
            "personas": sum(row["heard"] for row in counted),
            "last": max((row["last"] for row in counted if row["last"]), default=None)}
