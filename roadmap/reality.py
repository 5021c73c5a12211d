"""Plan against reality: for each of the last quarters, the class mix of what was planned for
it when it began against the mix of what shipped in it, both read from the history records
(django-simple-history), never from today's state. Two queries for any number of quarters
and items: one for the plans (kept, see below), one for what shipped.

- Planned for a quarter: the items whose history record in force on its first day (the
  latest before it began) had it as target quarter and was not dropped; their class is the
  one their triage had then (untriaged if none).
- Shipped in a quarter: the items whose latest shipped date on record falls in it (a
  corrected date replaces the first; a reopened item still shipped then); their class is
  the one their triage had at the end of that day.

Every quarter shown has begun, so its plan reads only records dated before now, which no
ordinary write changes (history is appended, dated when written): the plans are counted
once per product and kept in QuarterPlan under the history stamp, renewed when a write
rewrites history (whobenefits/changes.py). What shipped is counted on every view: a
correction of a shipped date, today, changes it.
"""

from dataclasses import dataclass
from datetime import datetime, time

from django.db.models import (
    Case,
    CharField,
    Count,
    Exists,
    OuterRef,
    Q,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce
from django.utils import timezone

from audit.models import ChangeStamp
from whobenefits.changes import HISTORY_STAMP, history_rewritten_here

from .balance import MIX_KEYS, MIX_LABELS, _segments
from .models import UNTRIAGED, QuarterPlan, RoadmapItem, Status, Triage
from .quarters import Quarter

QUARTERS_SHOWN = 8


def _later_record(history, **within):
    """A record of the same item after the outer one (by date, then id), within `within`."""
    return history.objects.filter(id=OuterRef("id"), **within).filter(
        Q(history_date__gt=OuterRef("history_date"))
        | Q(history_date=OuterRef("history_date"), history_id__gt=OuterRef("history_id")))


def _class_then(**before):
    """The class an item's triage had at the moment `before` names (a history_date lookup):
    its latest triage record then, untriaged when none or a removal."""
    latest = Triage.history.model.objects.filter(item_id=OuterRef("id"), **before).order_by(
        "-history_date", "-history_id").annotate(then=Case(
            When(history_type="-", then=Value(UNTRIAGED)), default="beneficiary_class",
            output_field=CharField())).values("then")[:1]
    return Coalesce(Subquery(latest), Value(UNTRIAGED))


def _start(quarter):
    return timezone.make_aware(datetime.combine(quarter.first_day, time.min))


def _planned(records, quarter):
    """Class counts per product of the plan for `quarter` as it stood when it began."""
    start = _start(quarter)
    in_force = records.filter(history_date__lt=start).exclude(
        Exists(_later_record(records.model, history_date__lt=start)))
    return (in_force.filter(target_quarter=str(quarter)).exclude(history_type="-")
            .exclude(status=Status.DROPPED)
            .annotate(benefits=_class_then(history_date__lt=start), quarter=Value(str(quarter)))
            .values("quarter", "product_id", "benefits").annotate(items=Count("history_id"))
            .order_by())


def _count_plans(records, quarters):
    """Rows of (quarter, product_id, benefits, items) for `quarters`, in one query."""
    parts = [_planned(records, q) for q in quarters]
    return (parts[0].union(*parts[1:], all=True) if len(parts) > 1 else parts[0]).order_by()


def _history_stamp():
    return Coalesce(Subquery(ChangeStamp.objects.filter(pk=HISTORY_STAMP).values("token")),
                    Value(""))


def _kept_plans(quarters, products):
    """{quarter text: {class: items}} of the kept plans of `quarters` under the current
    history stamp, for `products` (None: all); a quarter not counted yet is absent."""
    kept = QuarterPlan.objects.filter(starts_at__in=[_start(q) for q in quarters],
                                      history_stamp=_history_stamp())
    if products is not None:
        kept = kept.filter(Q(product_id=0) | Q(product_id__in=products.values("pk")))
    plans = {}
    for row in kept.values("quarter", "benefits").annotate(items=Sum("items")).order_by():
        counts = plans.setdefault(row["quarter"], dict.fromkeys(MIX_KEYS, 0))
        if row["benefits"]:  # the row of product 0 only says the quarter was counted
            counts[row["benefits"]] += row["items"]
    return plans


def _keep_plans(quarters):
    """Count the plans of `quarters` for every product and keep them under the history
    stamp read first (a rewrite committed meanwhile renews it: these rows then go unused)."""
    stamp = ChangeStamp.objects.filter(pk=HISTORY_STAMP).values_list(
        "token", flat=True).first() or ""
    rows = [QuarterPlan(quarter=str(q), starts_at=_start(q), product_id=0, benefits="",
                        items=0, history_stamp=stamp) for q in quarters]
    by_quarter = {str(q): q for q in quarters}
    rows += [QuarterPlan(quarter=row["quarter"], starts_at=_start(by_quarter[row["quarter"]]),
                         product_id=row["product_id"], benefits=row["benefits"],
                         items=row["items"], history_stamp=stamp)
             for row in _count_plans(RoadmapItem.history.model.objects.all(), quarters)]
    # Rows of an older stamp go. Another process may have counted the same meanwhile (the
    # same numbers), or under a newer stamp: its rows then go, and are counted again.
    QuarterPlan.objects.exclude(history_stamp=stamp).delete()
    QuarterPlan.objects.bulk_create(rows, ignore_conflicts=True)


def planned_mixes(quarters, products=None):
    """{quarter text: {class: items}}: the plan of each of `quarters` (all begun) for
    `products` (None: all), kept ones read, the others counted and kept first."""
    if history_rewritten_here():
        # This transaction rewrote history: count from the records it sees, keep nothing.
        return _counted_plans(quarters, products)
    plans = _kept_plans(quarters, products)
    if any(str(q) not in plans for q in quarters):
        _keep_plans([q for q in quarters if str(q) not in plans])
        plans = _kept_plans(quarters, products)
        if any(str(q) not in plans for q in quarters):  # history rewritten meanwhile
            return _counted_plans(quarters, products)
    return plans


def _counted_plans(quarters, products):
    records = RoadmapItem.history.model.objects.all()
    if products is not None:
        records = records.filter(product_id__in=products.values("pk"))
    plans = {str(q): dict.fromkeys(MIX_KEYS, 0) for q in quarters}
    for row in _count_plans(records, quarters):
        plans[row["quarter"]][row["benefits"]] += row["items"]
    return plans


def _shipped(records, quarters):
    """Class counts of what shipped in each of `quarters`, in one GROUP BY."""
    first, last = quarters[0].first_day, quarters[-1].last_day
    latest_dates = records.filter(shipped_on__isnull=False).exclude(
        Exists(_later_record(records.model, shipped_on__isnull=False))).exclude(
        Exists(records.model.objects.filter(id=OuterRef("id"), history_type="-")))
    bucket = Case(*[When(shipped_on__range=(q.first_day, q.last_day), then=Value(str(q)))
                    for q in quarters], output_field=CharField())
    return (latest_dates.filter(shipped_on__range=(first, last))
            .annotate(benefits=_class_then(history_date__date__lte=OuterRef("shipped_on")),
                      quarter=bucket)
            .values("quarter", "benefits").annotate(items=Count("history_id")).order_by())


@dataclass
class QuarterMix:
    """One side of a quarter's row: items per class."""

    counts: dict

    @property
    def total(self):
        return sum(self.counts.values())

    def segments(self):
        return _segments(self.counts)

    def columns(self):
        return [(key, MIX_LABELS[key], self.counts[key]) for key in MIX_KEYS]

    def share(self, key):
        return round(100 * self.counts[key] / self.total) if self.total else 0


@dataclass
class QuarterRow:
    quarter: Quarter
    planned: QuarterMix
    shipped: QuarterMix
    is_current: bool

    @property
    def mixes(self):
        return [("Planned", self.planned), ("Shipped", self.shipped)]


class PlanAgainstReality:
    """The last `count` quarters (the current one last, so far), planned against shipped,
    for the items of `products` (a Product queryset as the history records name them, None
    for all)."""

    def __init__(self, products=None, count=QUARTERS_SHOWN):
        current = Quarter.current()
        self.quarters = current.last(count)
        records = RoadmapItem.history.model.objects.all()
        if products is not None:
            records = records.filter(product_id__in=products.values("pk"))
        planned = planned_mixes(self.quarters, products)
        shipped = {str(q): dict.fromkeys(MIX_KEYS, 0) for q in self.quarters}
        for row in _shipped(records, self.quarters):
            shipped[row["quarter"]][row["benefits"]] += row["items"]
        self.rows = [QuarterRow(q, QuarterMix(planned[str(q)]), QuarterMix(shipped[str(q)]),
                                q == current)
                     for q in self.quarters]

    @property
    def empty(self):
        return not any(row.planned.total or row.shipped.total for row in self.rows)
