"""A product's health in its own numbers: each side's metrics with their trend over the last
three months, and the two warning signs the domain names.

Read in two queries for any number of products (the readings of the last year, the roadmap's
class mix per product); the trends are worked out from those rows.
"""

from dataclasses import dataclass, field
from decimal import Decimal

from personas.models import Side, SuccessMetric
from roadmap.models import UNTRIAGED, BeneficiaryClass, Product, ReviewThresholds
from roadmap.quarters import Quarter

from .models import MetricReading, months_back, this_month

SPARK_MONTHS = 12  # the sparkline's months; the trend reads the last three of them
TREND_READINGS = 3
SPARK_WIDTH, SPARK_HEIGHT = 120, 28


class Trend:
    UP, FLAT, DOWN = "up", "flat", "down"
    LABELS = {UP: "Up", FLAT: "Flat", DOWN: "Down"}
    ARROWS = {UP: "↑", FLAT: "→", DOWN: "↓"}


@dataclass
class MetricTrend:
    """One metric of one product: its last year of readings and where the last three go."""

    metric: object
    readings: list = field(default_factory=list)  # (period, value), oldest first

    @property
    def recent(self):
        """The readings the trend compares: the last three, of consecutive months, the last of
        this month or the one before. A gap (Jan, Feb, May) or a pause cuts them short, and
        then there is no trend: months apart are not "the last three months"."""
        recent = []
        for period, value in reversed(self.readings):  # one reading a month, newest first
            if recent and period != months_back(recent[0][0], 1):
                break  # a month without a reading
            if not recent and period < months_back(this_month(), 1):
                break  # none this month or last: the trend would be old news
            recent.insert(0, (period, value))
            if len(recent) == TREND_READINGS:
                break
        return recent

    @property
    def shown(self):
        """The readings the table shows: those compared, or else the latest alone."""
        return self.recent or self.readings[-1:]

    @property
    def comparable(self):
        return len(self.recent) == TREND_READINGS

    @property
    def change(self):
        """The change over the last three months, in percent of the first; None without
        three consecutive recent readings, or from zero."""
        recent = self.recent
        if len(recent) < TREND_READINGS or recent[0][1] == 0:
            return None
        first, last = recent[0][1], recent[-1][1]
        return float((last - first) / abs(first) * 100)

    def direction(self, rising_at, falling_at):
        change = self.change
        if change is None:
            return None
        if change >= rising_at:
            return Trend.UP
        if change <= -falling_at:
            return Trend.DOWN
        return Trend.FLAT

    @property
    def latest(self):
        return self.readings[-1] if self.readings else None

    def spark_points(self):
        """The sparkline's polyline points (SVG user units), placed by month so a gap shows
        as one; a flat line when all agree."""
        if len(self.readings) < 2:
            return ""
        values = [value for _, value in self.readings]
        low, high = min(values), max(values)
        span = (high - low) or Decimal(1)
        first = _month_index(self.readings[0][0])
        step = SPARK_WIDTH / (_month_index(self.readings[-1][0]) - first)
        height = SPARK_HEIGHT - 4  # a 2-unit margin keeps the stroke inside the box
        return " ".join(
            f"{(_month_index(period) - first) * step:.1f},"
            f"{SPARK_HEIGHT - 2 - float((value - low) / span) * height:.1f}"
            for period, value in self.readings)


def _month_index(period):
    return period.year * 12 + period.month


@dataclass
class SideHealth:
    side: Side
    metrics: list = field(default_factory=list)
    rising_at: int = 5
    falling_at: int = 5

    @property
    def change(self):
        """The average change of the side's metrics that have a trend; None without any."""
        changes = [m.change for m in self.metrics if m.change is not None]
        return sum(changes) / len(changes) if changes else None

    @property
    def direction(self):
        change = self.change
        if change is None:
            return None
        if change >= self.rising_at:
            return Trend.UP
        if change <= -self.falling_at:
            return Trend.DOWN
        return Trend.FLAT

    def rows(self):
        """(metric trend, direction, label, arrow) for the table."""
        for trend in self.metrics:
            direction = trend.direction(self.rising_at, self.falling_at)
            none = "No trend from zero" if trend.comparable else "Not enough recent readings"
            yield trend, direction, Trend.LABELS.get(direction, none), \
                Trend.ARROWS.get(direction, "")

    def steepest(self, direction):
        """The metric that moved furthest in `direction`: what a warning names."""
        moved = [m for m in self.metrics if m.direction(self.rising_at, self.falling_at)
                 == direction]
        if not moved:
            return None
        return max(moved, key=lambda m: abs(m.change))


@dataclass
class WarningSign:
    title: str
    text: str


def _moved(trend):
    sign = "rose" if trend.change > 0 else "fell"
    return f"{trend.metric.name.lower()} {sign} {abs(trend.change):.0f}%"


@dataclass
class ProductHealth:
    product: object
    customer: SideHealth
    user: SideHealth
    quarter: object  # the Quarter whose plan `mix` counts
    mix: dict = field(default_factory=dict)  # class or "untriaged": items planned for it

    @property
    def sides(self):
        return [self.customer, self.user]

    @property
    def triaged(self):
        return sum(n for key, n in self.mix.items() if key != UNTRIAGED)

    def shares(self):
        """(label, items, share in percent) per class of the quarter's triaged items."""
        triaged = self.triaged
        return [(BeneficiaryClass(key).label, self.mix.get(key, 0),
                 round(100 * self.mix.get(key, 0) / triaged) if triaged else 0)
                for key in BeneficiaryClass.values]

    def _larger_one_sided(self):
        """(class, share in percent) of the quarter's larger one-sided class."""
        shares = {key: 100 * self.mix.get(key, 0) / self.triaged
                  for key in (BeneficiaryClass.CUSTOMERS, BeneficiaryClass.USERS)}
        key = max(shares, key=shares.get)
        return BeneficiaryClass(key), shares[key]

    def balance_line(self):
        """"60% of the triaged items planned for 2026-Q4 are customers only", for the
        warnings."""
        if not self.triaged:
            return ""
        key, share = self._larger_one_sided()
        return (f"{share:.0f}% of the triaged items planned for {self.quarter.label()} are "
                f"{key.label.lower()}")

    def headline(self):
        """The plan and the numbers in one line: "60% customers only while daily active
        users fell 12%", the quarter's larger one-sided class beside the metric of the other
        side that moved most."""
        if not self.triaged:
            return "no triaged items are planned for it yet."
        key, share = self._larger_one_sided()
        other = self.user if key == BeneficiaryClass.CUSTOMERS else self.customer
        side = f"{other.side.label.lower()}\u2019 metrics"
        moved = [m for m in other.metrics if m.change is not None]
        steepest = max(moved, key=lambda m: abs(m.change), default=None)
        if steepest is None:
            news = f"while {side} have not enough recent readings for a trend"
        elif round(steepest.change) == 0:
            news = f"while {side} are flat"  # not "fell 0%"
        else:
            news = f"while {_moved(steepest)}"
        return f"{share:.0f}% {key.label.lower()} {news}."

    def warnings(self):
        """The two warning signs, each in words with the metrics that moved most."""
        customer, user = self.customer.direction, self.user.direction
        signs = []
        balance = self.balance_line()
        if customer == Trend.UP and user == Trend.DOWN:
            text = (f"Customer metrics are rising ({_moved(self.customer.steepest(Trend.UP))}) "
                    f"while user metrics fall ({_moved(self.user.steepest(Trend.DOWN))}) over "
                    "the last three months.")
            signs.append(WarningSign("High revenue with poor engagement",
                                     f"{text} {balance}." if balance else text))
        if user == Trend.UP and customer in (Trend.FLAT, Trend.DOWN):
            falling = self.customer.steepest(Trend.DOWN)
            how = f"falling ({_moved(falling)})" if falling else "flat"
            text = (f"User metrics are rising ({_moved(self.user.steepest(Trend.UP))}) while "
                    f"customer metrics are {how} over the last three months.")
            signs.append(WarningSign("High engagement with weak monetisation",
                                     f"{text} {balance}." if balance else text))
        return signs


def _readings(readings):
    """(product, metric, period, value) per reading of `readings`, in one query, each product
    and metric made once: a reading and its two relations made three model instances per
    reading (860 for the 288 readings of 3 products at 8 metrics a side)."""
    made = {Product: {}, SuccessMetric: {}}
    names = {model: [model._meta.pk.attname, *(f.attname for f in model._meta.concrete_fields
                                               if not f.primary_key)] for model in made}
    columns = [f"{relation}__{name}" for relation, model in [("product", Product),
                                                             ("metric", SuccessMetric)]
               for name in names[model]]
    width = len(names[Product])
    for period, value, *fields in readings.values_list("period", "value", *columns):
        product, metric = fields[:width], fields[width:]
        yield (_made(made[Product], Product, names[Product], product, readings.db),
               _made(made[SuccessMetric], SuccessMetric, names[SuccessMetric], metric,
                     readings.db), period, value)


def _made(made, model, names, values, db):
    """The instance of `model` with these field values (its primary key first), made once."""
    instance = made.get(values[0])
    if instance is None:
        instance = made[values[0]] = model.from_db(db, names, values)
    return instance


def product_health(items, products=None, thresholds=None, *, quarter=None, plan=None):
    """The health of `products` (a queryset; None: every product with readings in the last
    year), beside the class mix of those of `items` planned for `quarter` (default: the
    current one; `items` the dashboard's product and owner filters), and the thresholds it
    was judged by (None when there was nothing to judge). `plan`, the QuarterBalance of
    `items` for `quarter` when the caller counted it (the dashboard's targets panel), gives
    that mix without a query."""
    quarter = quarter or Quarter.current()
    since = months_back(this_month(), SPARK_MONTHS - 1)
    readings = MetricReading.objects.since(since).order_by(
        "product__name", "product_id", "metric__side", "metric__order", "metric__name",
        "period")
    if products is not None:
        readings = readings.for_products(products)
    health = {}
    for product, metric, period, value in _readings(readings):
        health_of = health.get(product.pk)
        if health_of is None:
            health_of = health[product.pk] = ProductHealth(
                product, *(SideHealth(side) for side in Side), quarter=quarter)
        side = health_of.customer if metric.side == Side.CUSTOMER else health_of.user
        if not side.metrics or side.metrics[-1].metric is not metric:
            side.metrics.append(MetricTrend(metric))
        side.metrics[-1].readings.append((period, value))
    if health:
        # Only with readings to compare: the thresholds and the mix cost a query each,
        # unless the caller has them.
        thresholds = thresholds or ReviewThresholds.current()
        for product in health.values():
            for side in product.sides:
                side.rising_at = thresholds.metrics_rising_at
                side.falling_at = thresholds.metrics_falling_at
        if plan is not None and plan.quarter == quarter:
            for product_id, product in health.items():
                counted = plan.per_product.get(product_id)
                product.mix = dict(counted.items) if counted else {}
            return list(health.values()), thresholds
        for row in items.planned_for([quarter]).filter(product__in=list(health)).class_mix():
            counts = health[row["product_id"]].mix
            counts[row["benefits"]] = counts.get(row["benefits"], 0) + row["items"]
    return list(health.values()), thresholds



@dataclass
class ClassOutcomes:
    label: str
    shipped: int = 0
    moved: int = 0
    did_not_move: int = 0

    @property
    def answered(self):
        return self.moved + self.did_not_move

    @property
    def waiting(self):
        """Unanswered, or too early to tell."""
        return self.shipped - self.answered

    @property
    def share(self):
        return round(100 * self.moved / self.answered) if self.answered else None


def moved_by_class(products=None):
    """Per class, the shipped items whose triage named metrics and how many of them moved,
    as their owners answered (one GROUP BY query)."""
    from django.db.models import Count, Exists, OuterRef, Q

    from roadmap.models import RoadmapItem, Status, TriageMetric

    from .models import Verdict

    # The picks of the triage the row has joined (for its class), not of a second join of
    # the triages to the items: that joined all 42,000 picks to their triages at 50,000
    # items, where this reads one triage's picks per shipped item.
    items = RoadmapItem.objects.with_status(Status.SHIPPED).filter(
        Exists(TriageMetric.objects.filter(triage=OuterRef("triage"))))
    if products is not None:
        items = items.filter(product__in=products)
    rows = items.order_by().values("triage__beneficiary_class").annotate(
        shipped=Count("pk"), moved=Count("pk", filter=Q(outcome__verdict=Verdict.MOVED)),
        did_not_move=Count("pk", filter=Q(outcome__verdict=Verdict.DID_NOT_MOVE)))
    counted = {row["triage__beneficiary_class"]: row for row in rows}
    return [ClassOutcomes(label, **{key: counted.get(value, {}).get(key, 0)
                                    for key in ("shipped", "moved", "did_not_move")})
            for value, label in BeneficiaryClass.choices]
