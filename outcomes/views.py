import copy

from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_http_methods, require_POST

from roadmap.models import EditConflict, RoadmapItem
from whobenefits.forms import filters_query
from whobenefits.numbers import number_label

from .forms import (
    CorrectionForm,
    EmailSettingsForm,
    OutcomeForm,
    ReadingFilterForm,
    ReadingForm,
    WithdrawForm,
)
from .models import (
    WITHDRAW_REFUSED,
    EmailSettings,
    ItemOutcome,
    MetricReading,
    Verdict,
    period_label,
)

READINGS_PER_PAGE = 50


def reading_differences(saved, yours):
    """(label, saved now, yours) where a stale correction differs from the saved reading."""
    if saved.value == yours:
        return []
    return [("Value", number_label(saved.value), number_label(yours))]


@require_http_methods(["GET", "POST"])
@permission_required("outcomes.view_metricreading", raise_exception=True)
def reading_list(request):
    """The readings, newest month first per metric; admins record new ones here."""
    can_record = request.user.has_perm("outcomes.add_metricreading")
    if request.method == "POST" and not can_record:
        raise PermissionDenied("Admins record the product's metric readings.")
    form = ReadingForm(request.POST or None) if can_record else None
    if form is not None and form.is_bound and form.is_valid():
        reading = MetricReading.record(**form.cleaned_data, recorded_by=request.user)
        messages.success(request, f"Recorded {reading}: {number_label(reading.value)}.")
        return redirect(request.get_full_path())
    filters = ReadingFilterForm(request.GET)
    readings = filters.filter(MetricReading.objects.for_list())
    page = Paginator(readings, READINGS_PER_PAGE).get_page(request.GET.get("page"))
    template = "outcomes/reading_list.html"
    if request.htmx and request.method == "GET" and not request.htmx.history_restore_request:
        template += "#reading-results"
    return render(request, template, {
        "form": form, "filters": filters, "page": page, "query": filters_query(request),
        "can_correct": request.user.has_perm("outcomes.change_metricreading"),
    })


@require_http_methods(["GET", "POST"])
@permission_required("outcomes.change_metricreading", raise_exception=True)
def reading_edit(request, pk):
    """Correct a reading's value (with the version it was read at), or withdraw it."""
    reading = get_object_or_404(MetricReading.objects.select_related("metric", "product"),
                                pk=pk)
    form = CorrectionForm(request.POST or None, metric=reading.metric,
                          initial={"value": reading.value, "version": reading.version})
    if form.is_bound and form.is_valid():
        try:
            copy.copy(reading).correct(
                value=form.cleaned_data["value"], expected_version=form.cleaned_data["version"],
                corrected_by=request.user, reason=form.cleaned_data["reason"])
        except EditConflict as conflict:
            form.refuse_stale(conflict.current, reading_differences(
                conflict.current, form.cleaned_data["value"]))
        else:
            messages.success(request, f"Corrected {reading}.")
            return redirect(reverse("outcomes:reading-list") + f"?product={reading.product_id}")
    return render(request, "outcomes/reading_edit.html", {
        "reading": reading, "form": form, "period": period_label(reading.period),
        "withdraw": WithdrawForm(initial={"version": reading.version}),
        "can_withdraw": request.user.has_perm("outcomes.delete_metricreading"),
    })


@require_POST
@permission_required("outcomes.delete_metricreading", raise_exception=True)
def reading_withdraw(request, pk):
    reading = get_object_or_404(MetricReading.objects.select_related("metric", "product"),
                                pk=pk)
    form = WithdrawForm(request.POST)
    if form.is_valid():
        try:
            reading.withdraw(expected_version=form.cleaned_data["version"],
                             withdrawn_by=request.user, reason=form.cleaned_data["reason"])
        except EditConflict:
            messages.error(request, WITHDRAW_REFUSED.format(reading="this reading"))
            return redirect(reading)
        messages.success(request, f"Withdrew {reading}; the audit trail keeps it.")
        return redirect(reverse("outcomes:reading-list") + f"?product={reading.product_id}")
    messages.error(request, "This form is out of date: reload the page and try again.")
    return redirect(reading)


# Did it move? ------------------------------------------------------------------------------

def outcome_differences(saved, verdict, note):
    """(label, saved now, yours) where a stale answer differs from the saved one."""
    rows = []
    if saved.verdict != verdict:
        rows.append(("Did it move", saved.get_verdict_display(), Verdict(verdict).label))
    if saved.note != note:
        rows.append(("Note", saved.note, note))
    return rows


@require_http_methods(["GET", "POST"])
@permission_required("outcomes.add_itemoutcome", raise_exception=True)
def outcome(request, pk):
    """The owner's answer to "did its metrics move?" for a shipped item."""
    item = get_object_or_404(RoadmapItem.objects.select_related("product", "triage")
                             .prefetch_related("triage__metrics"), pk=pk)
    if item.owner_id != request.user.pk and not request.user.is_staff:
        raise PermissionDenied("The item's owner answers whether its metrics moved.")
    answered = ItemOutcome.objects.filter(item=item).first()
    form = OutcomeForm(request.POST or None, item=item, initial={
        "version": answered.version if answered else 0,
        "verdict": answered.verdict if answered else None,
        "note": answered.note if answered else ""})
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        try:
            ItemOutcome.answer(item, verdict=data["verdict"], note=data["note"],
                               answered_by=request.user, expected_version=data["version"])
        except EditConflict as conflict:
            form.refuse_stale(conflict.current, outcome_differences(
                conflict.current, data["verdict"], data["note"]))
        else:
            answer = Verdict(data["verdict"]).label.lower()
            messages.success(request, f"Saved: “{item.title}”, {answer}.")
            return redirect(safe_next(request, reverse("roadmap:item-list")))
    return render(request, "outcomes/outcome.html", {
        "item": item, "form": form, "answered": answered,
        "next": safe_next(request, reverse("roadmap:item-list"))})


def safe_next(request, default):
    """The page to return to: `next` when it is on this site, else `default`."""
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()},
                                                  require_https=request.is_secure()):
        return target
    return default


# Email settings ----------------------------------------------------------------------------

@require_http_methods(["GET", "POST"])
def email_settings(request):
    """The signed-in person's own emails: switch each on or off."""
    if not request.user.groups.exists() and not request.user.is_superuser:
        raise PermissionDenied("Only people with a role get emails.")
    # A POST with every box unticked is empty, and still an answer.
    form = EmailSettingsForm(request.POST if request.method == "POST" else None,
                             instance=EmailSettings.of(request.user), person=request.user)
    if form.is_bound and form.is_valid():
        saved = form.save(commit=False)
        saved._history_user = request.user
        saved.save()
        messages.success(request, "Saved your email settings.")
        return redirect("outcomes:email-settings")
    return render(request, "outcomes/email_settings.html", {
        "form": form, "email": request.user.email})
