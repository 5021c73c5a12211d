"""Demand per roadmap item and side, counted in the database from the evidence notes.

For each item: how many notes, and their importance-weighted score (a note weighs 1 + its
importance, nice to have 1 ... blocker 4), on each side; the distinct active companies
asking, their revenue, and the revenue of those renewing within 90 days (or overdue).
The mismatch ("the tag disagrees with the evidence") is one SQL expression over the same
sums, so the list's badge, its filter, the dashboard and the API all say the same.
"""

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.db.models import (
    Case,
    CharField,
    Count,
    Exists,
    F,
    Func,
    IntegerField,
    OuterRef,
    Q,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce
from django.db.models.lookups import GreaterThanOrEqual
from django.utils import timezone

from personas.models import Side
from roadmap.models import BeneficiaryClass, ReviewThresholds, WhoseProblem

from .models import RENEWAL_WINDOW, Company, EvidenceLink

# The persona sides whose notes count for each side of the line: a note from someone who
# pays and uses counts for both.
COUNTS_FOR = {side: side.persona_sides for side in Side}


class Mismatch:
    """How the tag disagrees with the evidence."""

    CUSTOMER_EVIDENCE = "customer_evidence"  # tagged users only, evidence from customers
    USER_EVIDENCE = "user_evidence"  # tagged customers only, evidence from users
    WHOSE_PROBLEM = "whose_problem"  # whose problem contradicts the requester and evidence
    NONE = ""


def on_side(side, prefix="evidence__"):
    return Q(**{f"{prefix}persona__side__in": COUNTS_FOR[side]})


def _weight():
    return F("evidence__importance") + 1


# What the mismatch compares, beside the sums: the item's class, whose problem, requester.
TAGS = ["roadmapitem__triage__beneficiary_class", "roadmapitem__triage__whose_problem",
        "roadmapitem__requesting_persona__side"]


def side_totals(links, *also):
    """Notes and score per side for these EvidenceLink rows, grouped by item (and `also`)."""
    customer, user = on_side(Side.CUSTOMER), on_side(Side.USER)
    zero = Value(0)
    return links.order_by().values(*also, item=F("roadmapitem")).annotate(
        notes=Count("evidence"),
        customer_notes=Count("evidence", filter=customer),
        customer_score=Coalesce(Sum(_weight(), filter=customer), zero),
        user_notes=Count("evidence", filter=user),
        user_score=Coalesce(Sum(_weight(), filter=user), zero),
    )


def mismatch_rule(thresholds):
    """The mismatch kind of a side_totals() row, as SQL (Mismatch.NONE when it holds not).

    The rows must also carry the item's class, whose problem and requester's side (see
    with_tags). "Mostly" is a share of the weight: side score * 100 >= share * both scores.
    """
    enough = Q(notes__gte=thresholds.evidence_min_notes)
    total = F("customer_score") + F("user_score")
    share = thresholds.evidence_share
    mostly = {
        Side.CUSTOMER: GreaterThanOrEqual(F("customer_score") * 100, total * share),
        Side.USER: GreaterThanOrEqual(F("user_score") * 100, total * share),
    }
    klass, whose, requester = TAGS

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


def with_tags(links):
    """side_totals() grouped also by what the mismatch compares (TAGS)."""
    return side_totals(links, *TAGS)


def mismatched_item_ids(thresholds=None, among=None):
    """The ids of the items (of `among`, a RoadmapItem queryset, or all) whose tag disagrees
    with their evidence, as one subquery: only the links of those items are summed."""
    thresholds = thresholds or ReviewThresholds.current()
    links = EvidenceLink.objects.all()
    if among is not None:
        links = links.filter(roadmapitem__in=among.order_by().values("pk"))
    rows = with_tags(links).annotate(mismatch=mismatch_rule(thresholds))
    return rows.exclude(mismatch=Mismatch.NONE).values("item")


def _aggregate(queryset, function, column):
    """A subquery's single aggregate row without GROUP BY (COUNT, SUM, MIN of `column`)."""
    return Subquery(queryset.order_by().annotate(
        value=Func(F(column), function=function)).values("value")[:1])


def asking_companies(item_ref=None):
    """The active companies with a note on the item (an OuterRef), each once."""
    item_ref = item_ref or OuterRef(OuterRef("pk"))
    return Company.objects.active().filter(Exists(EvidenceLink.objects.filter(
        roadmapitem=item_ref, evidence__company=OuterRef("pk"))))


def company_annotations(today=None):
    """Per item (a RoadmapItem queryset's row): companies asking, their revenue, and the
    companies renewing within 90 days (overdue included) with their revenue."""
    today = today or timezone.localdate()
    asking = asking_companies()
    renewing = asking.filter(renewal_date__lte=today + RENEWAL_WINDOW)
    zero = Value(Decimal(0))
    return {
        "companies": Coalesce(_aggregate(asking, "COUNT", "pk"), 0,
                              output_field=IntegerField()),
        "arr": Coalesce(_aggregate(asking, "SUM", "arr"), zero),
        "renewing": Coalesce(_aggregate(renewing, "COUNT", "pk"), 0,
                             output_field=IntegerField()),
        "renewing_arr": Coalesce(_aggregate(renewing, "SUM", "arr"), zero),
        "next_renewal": _aggregate(renewing, "MIN", "renewal_date"),
    }


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

    def as_data(self):
        """What the API's `demand` carries."""
        return {
            "notes": self.notes,
            "customer": {"notes": self.customer_notes, "score": self.customer_score,
                         "share": self.customer_share},
            "user": {"notes": self.user_notes, "score": self.user_score,
                     "share": self.user_share},
            "companies": self.companies, "arr": self.arr, "renewing": self.renewing,
            "renewing_arr": self.renewing_arr, "end_user_mentions": self.end_user_mentions,
        }


def demand_for(item_ids, *, thresholds=None, today=None):
    """{item id: Demand} for these items (items without notes get an empty Demand), in
    three queries whatever their number."""
    from roadmap.models import RoadmapItem

    item_ids = list(item_ids)
    if not item_ids:
        return {}
    thresholds = thresholds or ReviewThresholds.current()
    demands = {pk: Demand(thresholds=thresholds) for pk in item_ids}
    totals = with_tags(EvidenceLink.objects.filter(roadmapitem__in=item_ids)).annotate(
        mismatch=mismatch_rule(thresholds))
    for row in totals:
        demand = demands[row["item"]]
        for name in ("notes", "customer_notes", "customer_score", "user_notes", "user_score",
                     "mismatch"):
            setattr(demand, name, row[name])
    money = company_annotations(today)
    for row in RoadmapItem.objects.filter(pk__in=item_ids).order_by().annotate(
            **money).values("pk", *money):
        demand = demands[row["pk"]]
        for name in money:
            setattr(demand, name, row[name])
    return demands

