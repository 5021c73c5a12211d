"""The balance of a roadmap: its class mix, the two traps, and persona and metric coverage.

Every number comes from GROUP BY queries on RoadmapItemQuerySet (class_mix and reach); the
classes here only shape those few rows for display, so the dashboard runs the same number
of queries for ten items or ten thousand.
"""

from dataclasses import dataclass, field

from django.db.models import Count, F, Sum, Value
from django.db.models.functions import Coalesce

from personas.models import Persona, PersonaSide, SuccessMetric

from .models import (
    NEAR_HORIZONS,
    TALLY_MIX,
    TALLY_MIX_COUNTS,
    UNTRIAGED,
    BeneficiaryClass,
    Horizon,
    ReviewThresholds,
    RoadmapItem,
    ValueLevel,
    counted_in,
)
from .rows import html_of, joined, url_for_each

# Order of the bars' segments and the table's columns.
MIX_KEYS = [BeneficiaryClass.CUSTOMERS, BeneficiaryClass.USERS, BeneficiaryClass.BOTH, UNTRIAGED]
MIX_LABELS = {**dict(BeneficiaryClass.choices), UNTRIAGED: "Untriaged"}


@dataclass
class Segment:
    key: str
    label: str
    count: int
    x: float
    width: float


@dataclass
class Mix:
    """How many items, and how much effort, one slice of the roadmap has per class."""

    label: str
    product_id: int | None = None  # the product of a per-product mix
    items: dict = field(default_factory=lambda: dict.fromkeys(MIX_KEYS, 0))
    effort: dict = field(default_factory=lambda: dict.fromkeys(MIX_KEYS, 0))
    estimated: int = 0
    lacking: int = 0
    challenged: int = 0

    def add(self, row):
        self.items[row["benefits"]] += row["items"]
        self.effort[row["benefits"]] += row["effort"] or 0
        self.estimated += row["estimated"]
        self.lacking += row["lacking"]
        self.challenged += row["challenged"]

    @property
    def total(self):
        return sum(self.items.values())

    @property
    def total_effort(self):
        return sum(self.effort.values())

    def columns(self):
        """(key, label, items, effort) per class, in the bars' order."""
        return [(k, MIX_LABELS[k], self.items[k], self.effort[k]) for k in MIX_KEYS]

    def item_segments(self):
        return _segments(self.items)

    def effort_segments(self):
        return _segments(self.effort)


def _segments(counts):
    """Stacked-bar segments in percent of the whole (SVG attributes; no inline styles)."""
    total = sum(counts.values())
    segments, x = [], 0.0
    for key in MIX_KEYS:
        if counts[key]:
            width = 100 * counts[key] / total
            segments.append(Segment(key, MIX_LABELS[key], counts[key], round(x, 3),
                                    round(width, 3)))
            x += width
    return segments


@dataclass
class LeftOut:
    """The items a warning or a column does not count, and why: those in the horizons it
    does not look at, and (for the traps) the untriaged ones."""

    horizons: dict = field(default_factory=dict)  # horizon: items
    untriaged: int = 0
    why: str = ""  # ends the sentence: " for the flag"

    def add(self, horizon, items):
        self.horizons[horizon] = self.horizons.get(horizon, 0) + items

    @property
    def total(self):
        return sum(self.horizons.values()) + self.untriaged

    def describe(self):
        """"48 items in later and 3 untriaged items are not counted.", or "" for none."""
        parts = [f"{n} item{'s' if n != 1 else ''} in {Horizon(h).label.lower()}"
                 for h in Horizon if (n := self.horizons.get(h))]
        if self.untriaged:
            parts.append(f"{self.untriaged} untriaged item{'s' if self.untriaged != 1 else ''}")
        if not parts:
            return ""
        listed = ", ".join(parts[:-1]) + " and " + parts[-1] if len(parts) > 1 else parts[0]
        return f"{listed} {'is' if self.total == 1 else 'are'} not counted{self.why}."


@dataclass
class Trap:
    """A warning that one side takes more of the near-term roadmap than the admins allow."""

    title: str
    side_label: str
    count: int
    triaged: int
    share: float
    threshold: int
    scope_label: str


def _rounded_above(share, threshold):
    """`share` as coarsely rounded as it can be while still reading above `threshold`:
    33.3% must not read "33%" against a 33% threshold."""
    for digits in (None, 1, 2, 3):
        if round(share, digits) > threshold:
            return round(share, digits)
    return share


@dataclass
class PersonaReach:
    persona: Persona
    primary: int = 0
    indirect: int = 0
    near: int = 0

    @property
    def left_out_near(self):
        """No item the flag counts (now and next, or every horizon) names this persona,
        directly or indirectly."""
        return self.near == 0


@dataclass
class MetricReach:
    metric: SuccessMetric
    items: int = 0


@dataclass
class SideCoverage:
    """The personas of one persona side (customers, users, or those who pay and use) and the
    metrics of a side; those who pay and use have none of their own."""

    side: PersonaSide
    personas: list = field(default_factory=list)
    metrics: list = field(default_factory=list)

    @property
    def label(self):
        return self.side.label

    @property
    def has_metrics(self):
        return self.side != PersonaSide.BOTH

    @property
    def neglected_personas(self):
        return [reach for reach in self.personas if reach.left_out_near]

    @property
    def metrics_unmoved(self):
        """Nothing planned moves any of this side's metrics."""
        return self.has_metrics and not any(reach.items for reach in self.metrics)


def _folded(split_rows):
    """class_mix's rows from class_and_value_mix's: the counts summed over the values."""
    rows = {}
    for row in split_rows:
        key = tuple(row[name] for name in TALLY_MIX)
        folded = rows.get(key)
        if folded is None:
            rows[key] = {name: row[name] for name in (*TALLY_MIX, *TALLY_MIX_COUNTS)}
            continue
        for name in TALLY_MIX_COUNTS:
            if row[name] is not None:
                folded[name] = (folded[name] or 0) + row[name]
    return list(rows.values())


class RoadmapBalance:
    """The dashboard's numbers for the items in `scoped`, counted in `counted_horizons`.

    `scoped` carries every filter except the horizon: the traps look at the now (and next)
    horizons, and the persona flags at now and next, whatever horizon the counts show;
    `every_horizon` makes both look at all three. Either way an item of a product that
    plans without horizons counts, and each says how many items it left out. Persona
    coverage lists the personas of `products` (a Product queryset, None for all) and the
    shared ones. `scoped` may be items or their ItemTally rows (the same class_mix), and
    `picks` the PickTally rows of the same filters, which give the reach. `plans` are the
    QuarterBalances (roadmap/targets.py) of this quarter and the next for the product and
    owner filters, when counted, for a panel to reuse.
    """

    def __init__(self, scoped, counted_horizons, *, every_horizon=False, thresholds=None,
                 products=None, picks=None, plans=(), with_values=False):
        self.counted_horizons = counted_horizons
        self.plans = list(plans)
        self.every_horizon = every_horizon
        self.thresholds = thresholds or ReviewThresholds.current()
        self.products = products
        self.split_rows = None
        if with_values:  # tallies: the value map's counts too (value_counts)
            self.split_rows = list(scoped.class_and_value_mix())
            rows = _folded(self.split_rows)
        else:
            rows = list(scoped.class_mix())
        self.product_names = {row["product_id"]: row["product__name"] for row in rows}
        self._build_mix(rows)
        self.without_horizons = sorted({row["product__name"] for row in rows
                                        if not row["product__uses_horizons"]})
        self.traps = self._traps(rows)
        self.flag_horizons = list(Horizon.values) if every_horizon else NEAR_HORIZONS
        self.flag_left_out = LeftOut(why=" for the flag")
        for row in rows:
            if not counted_in(self.flag_horizons, horizon=row["horizon"],
                              uses_horizons=row["product__uses_horizons"]):
                self.flag_left_out.add(row["horizon"], row["items"])
        self.sides = self._coverage(scoped if picks is None else picks)

    def _build_mix(self, rows):
        horizons = [h for h in Horizon if h in self.counted_horizons]
        self.overall = Mix("All")
        self.per_horizon = {h: Mix(h.label) for h in horizons}
        self.per_product = {}
        for row in rows:
            if row["horizon"] not in self.counted_horizons:
                continue
            self.overall.add(row)
            self.per_horizon[row["horizon"]].add(row)
            self.per_product.setdefault(
                row["product_id"], Mix(row["product__name"], row["product_id"])
            ).add(row)
        self.per_product = sorted(self.per_product.values(), key=lambda mix: mix.label)
        self.per_horizon = list(self.per_horizon.values())

    def _trap_scope(self):
        """The horizons the traps look at, and those words: "the now and next horizons"."""
        if self.every_horizon:
            return list(Horizon.values), "every horizon"
        if self.thresholds.scope == ReviewThresholds.Scope.NOW:
            return [Horizon.NOW], "the now horizon"
        return NEAR_HORIZONS, "the now and next horizons"

    def _traps(self, rows):
        scope, self.trap_scope_label = self._trap_scope()
        self.trap_left_out = LeftOut()
        for row in rows:
            if not counted_in(scope, horizon=row["horizon"],
                              uses_horizons=row["product__uses_horizons"]):
                self.trap_left_out.add(row["horizon"], row["items"])
        self.trap_scope = self._trap_mix(rows, scope)
        self.trap_left_out.untriaged = self.trap_scope.items[UNTRIAGED]
        self.trap_scope_triaged = self.trap_scope.total - self.trap_scope.items[UNTRIAGED]
        # The same rule per product, for the verdict at the top of the dashboard.
        per_product = {}
        for row in rows:
            per_product.setdefault(row["product_id"], []).append(row)
        self.traps_per_product = {product_id: self._traps_in(self._trap_mix(its_rows, scope))
                                  for product_id, its_rows in per_product.items()}
        return self._traps_in(self.trap_scope)

    def _trap_mix(self, rows, scope):
        near = Mix(self.trap_scope_label)
        for row in rows:
            if counted_in(scope, horizon=row["horizon"],
                          uses_horizons=row["product__uses_horizons"]):
                near.add(row)
        return near

    def _traps_in(self, near):
        """The traps `near` (the items in the traps' horizons) falls into."""
        thresholds = self.thresholds
        triaged = near.total - near.items[UNTRIAGED]
        traps = []
        checks = [
            ("Building only for buyers", "customers only", BeneficiaryClass.CUSTOMERS,
             thresholds.customers_only_share),
            ("Building only for users", "users only", BeneficiaryClass.USERS,
             thresholds.users_only_share),
        ]
        for title, side_label, key, threshold in checks:
            share = 100 * near.items[key] / triaged if triaged else 0
            if triaged and share > threshold:
                traps.append(Trap(title, side_label, near.items[key], triaged,
                                  _rounded_above(share, threshold),
                                  threshold, self.trap_scope_label))
        return traps

    def _coverage(self, picks):
        reach = {}  # (relation, target_id): [items in the counted horizons, items flagged on]
        for row in picks.reach():
            counts = reach.setdefault((row.relation, row.target_id), [0, 0])
            if row.horizon in self.counted_horizons:
                counts[0] += row.items
            if counted_in(self.flag_horizons, horizon=row.horizon,
                          uses_horizons=row.uses_horizons):
                counts[1] += row.items
        nothing = [0, 0]
        sides = {side: SideCoverage(side) for side in PersonaSide}
        personas = Persona.objects if self.products is None else self.products.personas()
        for persona in personas.active():  # archived personas are not listed
            primary = reach.get(("primary", persona.pk), nothing)
            indirect = reach.get(("indirect", persona.pk), nothing)
            sides[persona.side].personas.append(PersonaReach(
                persona, primary[0], indirect[0], primary[1] + indirect[1]))
        for metric in SuccessMetric.objects.active():
            moved = reach.get(("metric", metric.pk), nothing)
            sides[metric.side].metrics.append(MetricReach(metric, moved[0]))
        # Most products have nobody who pays and uses: no empty third column then.
        return [coverage for coverage in sides.values()
                if coverage.has_metrics or coverage.personas]

    def value_counts(self):
        """The value map's rows (c, u: customer and user value; items, effort) of the open
        items in the counted horizons, from the class mix counted with_values; None
        without them."""
        if self.split_rows is None:
            return None
        cells = {}
        for row in self.split_rows:
            if row["is_open"] and row["horizon"] in self.counted_horizons:
                cell = cells.setdefault((row["customer_value"], row["user_value"]), [0, 0])
                cell[0] += row["items"]
                cell[1] += row["effort"] or 0
        return [{"c": c, "u": u, "items": items, "effort": effort}
                for (c, u), (items, effort) in cells.items()]

    @property
    def neglected_personas(self):
        return [reach for side in self.sides for reach in side.neglected_personas]

    @property
    def metric_sides(self):
        """The coverage of customers and users: the sides success metrics are on."""
        return [side for side in self.sides if side.has_metrics]


# The value map: customer value (rows, high at the top) by user value (columns), 0-3 each.
CELL = 100  # SVG units per value step
DOTS_PER_CELL = 12  # the largest items in a cell get a dot each; a count says the rest
QUADRANTS = {
    # (customer value is medium or high, user value is medium or high): key, name, question
    (True, True): ("both", "Both sides", "Worth it to customers and users."),
    (True, False): ("customers", "Customers only", "Will people use it?"),
    (False, True): ("users", "Users only", "Will the buyer pay for it?"),
    (False, False): ("neither", "Neither", "Why is it on the roadmap?"),
}


def quadrant(customer_value, user_value):
    return QUADRANTS[(customer_value >= ValueLevel.MEDIUM, user_value >= ValueLevel.MEDIUM)]


@dataclass
class Dot:
    item_id: int
    title: str
    effort: int | None
    url: str
    cx: float
    cy: float
    r: float


@dataclass
class MapCell:
    customer_value: int
    user_value: int
    items: int = 0
    effort: int = 0
    dots: list = field(default_factory=list)

    @property
    def x(self):
        return self.user_value * CELL

    @property
    def y(self):
        return (ValueLevel.HIGH - self.customer_value) * CELL

    @property
    def customer_label(self):
        return ValueLevel(self.customer_value).label

    @property
    def user_label(self):
        return ValueLevel(self.user_value).label

    @property
    def more(self):
        return self.items - len(self.dots)

    def dots_svg(self):
        """The cell's dots on the map, a link each, as HTML: made here, not in the template,
        where its up to 192 dots took 30 ms to render."""
        return joined([html_of(
            '<a href="{}" aria-label="{}: customer value {}, user value {}{}"><circle '
            'class="dot" cx="{}" cy="{}" r="{}"><title>{}{}</title></circle></a>', dot.url,
            dot.title, self.customer_value, self.user_value,
            "" if dot.effort is None else f", {dot.effort} points", dot.cx, dot.cy, dot.r,
            dot.title, "" if dot.effort is None else f" ({dot.effort} points)")
            for dot in self.dots], separator="")

    def dots_listed(self):
        """The links of the cell's dots for the table, as HTML."""
        return joined([html_of('<a href="{}">{}</a>', dot.url, dot.title)
                       for dot in self.dots], separator=", ")

    @property
    def quadrant(self):
        return quadrant(self.customer_value, self.user_value)

    def place(self, item_id, title, effort, url):
        """A dot for the next item, in a 4 by 3 grid inside the cell, sized by effort."""
        i = len(self.dots)
        radius = min(11.0, 3.5 + 1.5 * (effort or 0) ** 0.5)
        self.dots.append(Dot(item_id, title, effort, url,
                             round(self.x + 16 + (i % 4) * 23, 1),
                             round(self.y + 18 + (i // 4) * 26, 1), round(radius, 1)))


class ValueMap:
    """Items placed by the customer value and user value their triage gives them (two
    queries on their ItemTally rows: the counts per cell, and the largest items of each
    filled cell; one when no item has both values, or when `counts`, the counts per cell,
    come from the class mix: RoadmapBalance.value_counts)."""

    size = 4 * CELL

    def __init__(self, tallies, counts=None):
        cells = {(c, u): MapCell(c, u) for c in ValueLevel.values for u in ValueLevel.values}
        self.unvalued = 0
        # The counts per cell, unless the class mix counted them (RoadmapBalance.value_counts)
        rows = counts if counts is not None else tallies.order_by().values(
            c=F("customer_value"), u=F("user_value")
        ).annotate(items=Count("pk"), effort=Coalesce(Sum("effort"), 0))
        for row in rows:
            if row["c"] is None or row["u"] is None:
                self.unvalued += row["items"]
                continue
            cell = cells[(row["c"], row["u"])]
            cell.items, cell.effort = row["items"], row["effort"]
        # The largest items of each filled cell, a cell at a time: each part walks the index
        # on the cell and effort (roadmap_itemtally_cell_effort) and stops at its twelfth
        # item, where ranking every valued item sorted all of them (22,000 at 50,000 items).
        parts = [RoadmapItem.objects.filter(pk__in=tallies.filter(
                     customer_value=c, user_value=u).order_by(
                     F("effort").desc(nulls_last=True), "pk").values("pk")[:DOTS_PER_CELL])
                 .order_by().values_list("pk", "title", "effort", Value(c), Value(u))
                 for (c, u), cell in cells.items() if cell.items]
        largest = parts[0].union(*parts[1:], all=True).order_by() if parts else []
        # One reverse() for the page, not one for each of up to 192 dots (5 ms).
        item_url = url_for_each("roadmap:item-detail")
        for pk, title, effort, c, u in sorted(largest, key=lambda row: row[0]):
            cells[(c, u)].place(pk, title, effort, item_url(pk))
        self.cells = sorted(cells.values(), key=lambda cell: (-cell.customer_value,
                                                              cell.user_value))
        self.quadrants = self._quadrants()

    @property
    def total(self):
        return sum(cell.items for cell in self.cells)

    def filled(self):
        return [cell for cell in self.cells if cell.items]

    def _quadrants(self):
        totals = {key: {"key": key, "name": name, "question": question, "items": 0,
                        "effort": 0}
                  for key, name, question in QUADRANTS.values()}
        for cell in self.cells:
            entry = totals[cell.quadrant[0]]
            entry["items"] += cell.items
            entry["effort"] += cell.effort
        return list(totals.values())
