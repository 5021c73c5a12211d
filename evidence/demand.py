"""Demand per roadmap item and side, counted in the database from the evidence notes.

For each item: how many notes, and their importance-weighted score (a note weighs 1 + its
importance, nice to have 1 ... blocker 4), on each side, kept per item in ItemDemand by
every write; the distinct active companies asking, their revenue, and the revenue of those
renewing within 90 days (or overdue), computed on read (a renewal date moves into the window
without any write). The mismatch ("the tag disagrees with the evidence") is one SQL
expression over the item's counts and tags, so the list's badge, its filter, the dashboard
and the API all say the same.
"""

import json
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from functools import lru_cache

from django.db import connection
from django.db.models import (
    BooleanField,
    Case,
    CharField,
    F,
    Func,
    OuterRef,
    Q,
    Subquery,
    Value,
    When,
)
from django.db.models.expressions import RawSQL
from django.db.models.functions import Coalesce
from django.db.models.lookups import GreaterThanOrEqual
from django.utils import timezone

from personas.models import Side
from roadmap.models import BeneficiaryClass, ReviewThresholds, WhoseProblem

from .models import COUNTS_FOR, RENEWAL_WINDOW, Company, EvidenceLink, ItemDemand


class Mismatch:
    """How the tag disagrees with the evidence."""

    CUSTOMER_EVIDENCE = "customer_evidence"  # tagged users only, evidence from customers
    USER_EVIDENCE = "user_evidence"  # tagged customers only, evidence from users
    WHOSE_PROBLEM = "whose_problem"  # whose problem contradicts the requester and evidence
    NONE = ""


def mismatch_rule(thresholds, *, counts="counted_demand__", item=""):
    """The mismatch kind of a row, as SQL (Mismatch.NONE when it holds not): of a RoadmapItem
    by default, of an ItemDemand with counts="", item="item__".

    It compares the item's counts with its class, whose problem and requester's side.
    "Mostly" is a share of the weight: side score * 100 >= share * both scores.
    """
    enough = Q(**{f"{counts}notes__gte": thresholds.evidence_min_notes})
    customer_score, user_score = F(f"{counts}customer_score"), F(f"{counts}user_score")
    total, share = customer_score + user_score, thresholds.evidence_share
    mostly = {
        Side.CUSTOMER: GreaterThanOrEqual(customer_score * 100, total * share),
        Side.USER: GreaterThanOrEqual(user_score * 100, total * share),
    }
    klass, whose = f"{item}triage__beneficiary_class", f"{item}triage__whose_problem"
    requester = f"{item}requesting_persona__side"

    def contradicted(problem, side):
        # Says it is `problem`'s problem, but the requester and the evidence are `side`.
        return (enough & Q(**{whose: problem}) & Q(**{f"{requester}__in": COUNTS_FOR[side]})
                & ~Q(**{f"{requester}__in": COUNTS_FOR[side.other]}) & Q(mostly[side]))

    return Case(
        When(enough & Q(**{klass: BeneficiaryClass.USERS}) & Q(mostly[Side.CUSTOMER]),
             then=Value(Mismatch.CUSTOMER_EVIDENCE)),
        When(enough & Q(**{klass: BeneficiaryClass.CUSTOMERS}) & Q(mostly[Side.USER]),
             then=Value(Mismatch.USER_EVIDENCE)),
        When(contradicted(WhoseProblem.CUSTOMER, Side.USER)
             | contradicted(WhoseProblem.USER, Side.CUSTOMER),
             then=Value(Mismatch.WHOSE_PROBLEM)),
        default=Value(Mismatch.NONE), output_field=CharField(),
    )


def mismatched(items, thresholds=None):
    """Those of `items` (a RoadmapItem queryset) whose tag disagrees with their evidence: a
    filter on their counted demand and triage, joined once."""
    thresholds = thresholds or ReviewThresholds.current()
    return items.filter(counted_demand__notes__gte=thresholds.evidence_min_notes).alias(
        mismatch=mismatch_rule(thresholds)).exclude(mismatch=Mismatch.NONE)


def _aggregate(queryset, function, column):
    """A subquery's single aggregate row without GROUP BY (COUNT, SUM, MIN of `column`)."""
    return Subquery(queryset.order_by().annotate(
        value=Func(F(column), function=function)).values("value")[:1])


def asking_companies(item_ref=None):
    """The active companies with a note on the item (an OuterRef), each once.

    `pk IN (the item's links' companies)`, not EXISTS per company: the database starts from
    the item's few links and looks each company up, where a correlated EXISTS had SQLite
    probe every company for every item (12 s to sort 1,100 items by revenue)."""
    item_ref = item_ref or OuterRef(OuterRef("pk"))
    return Company.objects.active().filter(pk__in=EvidenceLink.objects.filter(
        roadmapitem=item_ref).values("evidence__company"))


def asking_revenue():
    """Per item (a RoadmapItem queryset's row): the revenue of the active companies asking,
    each company once; what the list sorts "revenue asking" by."""
    return Coalesce(_aggregate(asking_companies(), "SUM", "arr"), Value(Decimal(0)))


@dataclass
class Demand:
    """One item's demand: notes and score per side, companies and revenue at stake."""

    notes: int = 0
    customer_notes: int = 0
    customer_score: int = 0
    user_notes: int = 0
    user_score: int = 0
    companies: int = 0
    arr: Decimal = Decimal(0)
    renewing: int = 0
    renewing_arr: Decimal = Decimal(0)
    next_renewal: date | None = None
    mismatch: str = Mismatch.NONE
    thresholds: object = field(default=None, repr=False)

    @property
    def score(self):
        return self.customer_score + self.user_score

    def share(self, side):
        """The share (%) of the weight from `side`, whole numbers, or 0 with no notes."""
        score = self.customer_score if side == Side.CUSTOMER else self.user_score
        return round(100 * score / self.score) if self.score else 0

    @property
    def customer_share(self):
        return self.share(Side.CUSTOMER)

    @property
    def user_share(self):
        return self.share(Side.USER)

    @property
    def end_user_mentions(self):
        return self.user_notes

    @property
    def next_renewal_days(self):
        return (self.next_renewal - timezone.localdate()).days if self.next_renewal else None

    @property
    def overdue_days(self):
        days = self.next_renewal_days
        return -days if days is not None and days < 0 else 0

    @property
    def mismatch_share(self):
        side = self.mismatch_side
        return self.share(side) if side else 0

    @property
    def mismatch_side(self):
        """The side most of the evidence weight comes from, when the tag disagrees."""
        if self.mismatch == Mismatch.CUSTOMER_EVIDENCE:
            return Side.CUSTOMER
        if self.mismatch == Mismatch.USER_EVIDENCE:
            return Side.USER
        if self.mismatch == Mismatch.WHOSE_PROBLEM:
            return Side.CUSTOMER if self.customer_share >= self.user_share else Side.USER
        return None



TOTALS = [*ItemDemand.COUNTS, "mismatch"]
# "The item is one of these ids", the ids one parameter, on the databases whose statement
# is kept (_totals); PostgreSQL reads `IN (1, 2, ...)` as this too.
ITEM_IDS = {"postgresql": ('"evidence_itemdemand"."item_id" = ANY(%s::bigint[])', list),
            "sqlite": ('"evidence_itemdemand"."item_id" IN (SELECT value FROM json_each(%s))',
                       json.dumps)}
_IDS = object()  # stands in for the ids while the statement is compiled


def _totals(item_ids, thresholds):
    """(item id, *TOTALS) of the items with counted demand: one statement, compiled once per
    thresholds (their CASE took Django 2-3 ms to build and compile on every request, more
    than the statement takes to run), the ids its one parameter."""
    vendor = connection.vendor
    if vendor not in ITEM_IDS:
        return ItemDemand.objects.filter(item__in=item_ids).annotate(
            mismatch=mismatch_rule(thresholds, counts="", item="item__")).values_list(
            "item", *TOTALS)
    sql, params = _totals_statement(connection.alias, vendor, thresholds.evidence_min_notes,
                                    thresholds.evidence_share)
    ids = ITEM_IDS[vendor][1]([int(pk) for pk in item_ids])
    with connection.cursor() as cursor:
        cursor.execute(sql, [ids if param is _IDS else param for param in params])
        return cursor.fetchall()


@lru_cache(maxsize=16)
def _totals_statement(alias, vendor, evidence_min_notes, evidence_share):
    """The totals' SQL and parameters for these thresholds (the only values in it but the
    ids, which stay a parameter: _IDS)."""
    thresholds = ReviewThresholds(evidence_min_notes=evidence_min_notes,
                                  evidence_share=evidence_share)
    # Constant SQL, the ids its parameter.
    among_ids = RawSQL(ITEM_IDS[vendor][0], [_IDS], output_field=BooleanField())  # noqa: S611
    query = ItemDemand.objects.using(alias).filter(among_ids).annotate(
        mismatch=mismatch_rule(thresholds, counts="", item="item__")).values_list(
        "item", *TOTALS).order_by().query
    return query.sql_with_params()


def demand_for(item_ids, *, thresholds=None, today=None):
    """{item id: Demand} for these items (items without notes get an empty Demand), in
    two queries whatever their number (and one for the thresholds unless given)."""
    item_ids = list(item_ids)
    if not item_ids:
        return {}
    thresholds = thresholds or ReviewThresholds.current()
    demands = {pk: Demand(thresholds=thresholds) for pk in item_ids}
    for item_id, *values in _totals(item_ids, thresholds):
        demand = demands[item_id]
        for name, value in zip(TOTALS, values, strict=True):
            setattr(demand, name, value)
    # Each (item, active company) pair once, from one index scan of these items' links; a
    # page's few hundred pairs are summed here.
    renewing_by = (today or timezone.localdate()) + RENEWAL_WINDOW
    asking = EvidenceLink.objects.filter(
        roadmapitem__in=item_ids, evidence__company__archived=False).order_by().values_list(
        "roadmapitem", "evidence__company", "evidence__company__arr",
        "evidence__company__renewal_date").distinct()
    for item_id, _, arr, renewal in asking:
        demand = demands[item_id]
        demand.companies, demand.arr = demand.companies + 1, demand.arr + arr
        if renewal is not None and renewal <= renewing_by:
            demand.renewing, demand.renewing_arr = demand.renewing + 1, demand.renewing_arr + arr
            demand.next_renewal = min(demand.next_renewal or renewal, renewal)
    return demands

