from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.core.exceptions import ValidationError
from django.db.models import Count
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_htmx.http import push_url

from roadmap.forms import QueuedItemForm
from roadmap.models import EditConflict, RoadmapItem
from whobenefits.people import person_label

from .forms import (
    ALL,
    SHOWN_DISAGREEMENTS,
    ResolveForm,
    ResultsForm,
    RoundAnswerForm,
    RoundForm,
    RoundQueueForm,
    queue_url,
)
from .models import Round, RoundAnswer, RoundItem, RoundRefused
from .results import RoundResults

# Every page needs this (product managers, team leads, admins); a PM sees only their rounds.
VIEW = "calibration.view_round"
RUN = "calibration.run_round"


def _visible_round(request, pk):
    """The round, or 404 for one the person neither runs nor takes part in."""
    return get_object_or_404(Round.objects.visible_to(request.user).select_related(
        "started_by", "closed_by"), pk=pk)


@require_GET
@permission_required(VIEW, raise_exception=True)
def round_list(request):
    rounds = list(Round.objects.visible_to(request.user).for_list())
    mine = dict(RoundAnswer.objects.filter(rater=request.user, round__in=rounds)
                .values_list("round").annotate(answered=Count("pk")).order_by())
    taking_part = set(Round.raters.through.objects.filter(
        user=request.user, round__in=rounds).values_list("round_id", flat=True))
    for each in rounds:
        each.my_answered = mine.get(each.pk, 0) if each.pk in taking_part else None
    return render(request, "calibration/round_list.html", {
        "rounds": rounds, "can_run": request.user.has_perm(RUN)})


@require_http_methods(["GET", "POST"])
@permission_required(RUN, raise_exception=True)
def round_create(request):
    form = RoundForm(request.POST or None)
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        try:
            started = Round.start(name=data["name"], raters=data["raters"], items=data["items"],
                                  started_by=request.user)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, f"Started “{started.name}”: each PM finds it under "
                                      "Calibration, with its items in their queue.")
            return redirect(started)
    return render(request, "calibration/round_form.html", {"form": form})


@require_GET
@permission_required(VIEW, raise_exception=True)
def round_detail(request, pk):
    shown = _visible_round(request, pk)
    context = {"round": shown, "can_run": request.user.has_perm(RUN)}
    if not shown.is_closed:
        # Blind while open: counts for everyone, a PM's own answers for them alone.
        item_count = shown.round_items.count()
        context.update({
            "progress": shown.progress(item_count), "item_count": item_count,
            "taking_part": shown.raters.filter(pk=request.user.pk).exists(),
            "my_answers": RoundAnswer.objects.filter(round=shown, rater=request.user)
            .select_related("item").order_by("item__title", "pk"),
        })
        return render(request, "calibration/round_detail.html", context)
    results = RoundResults(shown)
    show_all = ResultsForm(request.GET).shows_all()
    disagreements = results.disagreements(side_by_side=None if show_all else SHOWN_DISAGREEMENTS)
    shown_count = len(disagreements) if show_all else SHOWN_DISAGREEMENTS
    context.update({"results": results, "class_agreement": results.class_agreement,
                    "whose_agreement": results.whose_agreement, "pairs": results.pairs(),
                    "disagreements": disagreements[:shown_count],
                    "folded": disagreements[shown_count:], "show_all": show_all,
                    "disagreement_count": len(disagreements),
                    "can_resolve": request.user.has_perm(RUN)})
    return render(request, "calibration/round_detail.html", context)


@require_POST
@permission_required(RUN, raise_exception=True)
def round_close(request, pk):
    shown = _visible_round(request, pk)
    try:
        shown.close(by=request.user)
    except RoundRefused as refusal:
        messages.warning(request, str(refusal))
    else:
        messages.success(request, f"Closed “{shown.name}”: here are its results.")
    return redirect(shown)


@require_POST
@permission_required(RUN, raise_exception=True)
def round_resolve(request, pk, item_pk):
    shown = _visible_round(request, pk)
    entry = get_object_or_404(RoundItem.objects.select_related("item__triage", "round"),
                              round=shown, item=item_pk)
    form = ResolveForm(request.POST, raters=shown.raters.all())
    valid = form.is_valid()
    # Back to the disagreement just settled, on the page it was posted from.
    back = (f"{shown.get_absolute_url()}"
            f"{'?disagreements=all' if form.cleaned_data.get('disagreements') == ALL else ''}"
            f"#disagreement-{entry.item_id}")
    if not valid:
        messages.error(request, f"“{entry.item.title}”: choose an answer to adopt, or keep "
                                "the current triage.")
        return redirect(back)
    adopted = form.adopted()
    try:
        entry.resolve(adopt_from=adopted, by=request.user,
                      expected_version=form.cleaned_data["version"])
    except EditConflict as conflict:
        by, _ = conflict.current.last_change()
        messages.warning(request, f"“{entry.item.title}” was changed by {person_label(by)} "
                                  "since you opened the results, so nothing was adopted. Look "
                                  "at it again, then choose.")
    except (RoundRefused, ValidationError) as refusal:
        messages.error(request, " ".join(getattr(refusal, "messages", [str(refusal)])))
    else:
        messages.success(request, f"“{entry.item.title}”: adopted {person_label(adopted)}'s "
                                  "answer as its triage." if adopted else
                                  f"“{entry.item.title}”: kept its current triage.")
    return redirect(back)


@require_http_methods(["GET", "POST"])
@permission_required(VIEW, raise_exception=True)
def round_queue(request, pk):
    # Only the round's own PMs: anyone else (a team lead too) is told there is no such page.
    shown = get_object_or_404(Round.objects.filter(raters=request.user), pk=pk)
    scope = RoundQueueForm(request.GET)
    after = scope.valid_filters().get("after")
    item, form, saved, refused = None, None, None, None
    if request.method == "POST":
        item, refused = _posted_item(request, shown)
        if item is not None and "preview" in request.POST:
            # The class and question 2 for the picks so far; nothing saved.
            return render(request, "roadmap/triage.html#triage-preview", {
                "item": item, "form": RoundAnswerForm.preview(request.POST, item=item)})
        if item is not None:
            form = RoundAnswerForm(request.POST, item=item)
            saved, refused = _record(request, shown, item, form)
            if saved:
                if not request.htmx:
                    messages.success(request, saved)
                    return redirect(queue_url(shown, after=item.pk))
                after, item, form = item.pk, None, None
            elif refused:
                after, item, form = item.pk, None, None
        shown.refresh_from_db(fields=["closed_at", "closed_by"])
    if item is None and not shown.is_closed:
        item, form = _queued(request, shown, scope, after)
    template = "calibration/round_queue.html"
    if request.htmx and not request.htmx.history_restore_request:
        template += "#queue"
    answered = RoundAnswer.objects.filter(round=shown, rater=request.user).count()
    item_count = shown.round_items.count()
    response = render(request, template, {
        "round": shown, "item": item, "form": form, "saved": saved, "refused": refused,
        "answered": answered, "item_count": item_count,
        "left": item_count - answered,
        "action": queue_url(shown, after=after), "skip_url": item and queue_url(
            shown, after=item.pk), "restart_url": queue_url(shown),
    })
    if saved:
        push_url(response, queue_url(shown, after=after))
    return response


def _posted_item(request, shown):
    """(the round's item the POST answers, None) or (None, why it cannot be answered); 404
    for an item that exists outside the round."""
    posted = QueuedItemForm(request.POST)
    if not posted.is_valid():
        raise Http404("No such item in this round.")
    pk = posted.cleaned_data["item"]
    item = shown.items_in_order().for_triage_form().filter(pk=pk).first()
    if item is not None:
        return item, None
    if RoadmapItem.objects.filter(pk=pk).exists():
        raise Http404("No such item in this round.")
    return None, ("That item was deleted from the roadmap after the round started, so it left "
                  "the round: your answer to it was not saved.")


def _record(request, shown, item, form):
    """(saved message, None), (None, refusal) or (None, None) with the errors on the form."""
    if not form.is_valid():
        return None, None
    try:
        answer = shown.record_answer(rater=request.user, item=item, **form.answer())
    except RoundRefused as refusal:
        return None, str(refusal)
    except ValidationError as error:
        form.add_error(None, error)
        return None, None
    return f"Saved your answer to “{item.title}”: {answer.get_beneficiary_class_display()}.", None


def _queued(request, shown, scope, after):
    """The item to show and its form: one of the PM's answers to change (?item=), else the
    next they have not answered after `after`."""
    wanted = scope.valid_filters().get("item")
    if wanted:
        item = get_object_or_404(shown.items_in_order().for_triage_form(), pk=wanted)
        own = RoundAnswer.objects.filter(round=shown, rater=request.user, item=item).first()
        return item, RoundAnswerForm(item=item, shown=own)
    item = shown.next_for(request.user, after)
    return item, (RoundAnswerForm(item=item) if item else None)
