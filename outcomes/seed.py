"""The demo's product numbers: two years of monthly readings for each demo product, one
showing a warning sign (Expenses: engagement up, revenue stalled), and shipped items with
what their owners answered to "did it move?". Idempotent: what exists is left as it is."""

from decimal import Decimal

from django.contrib.auth import get_user_model
from simple_history.utils import bulk_create_with_history

from personas.models import SuccessMetric
from roadmap.demo import _seeded, demo_products
from roadmap.models import RoadmapItem, Status

from .models import ItemOutcome, MetricReading, Verdict, months_back, this_month

MONTHS = 24
BATCH_SIZE = 500
# Every demo product's metrics grow slowly; in the last six months Expenses' users' metrics
# climb while its customers' stall: high engagement with weak monetisation, beside its
# roadmap of mostly users-only items.
STEADY, DIVERGING = 0.2, 6
# metric: (value two years ago, Expenses' change a month in percent, those last months)
TRENDS = {
    "Revenue": (Decimal(180000), -0.5),
    "Renewal rate": (Decimal(88), -0.8),
    "Expansion revenue": (Decimal(20000), -1.5),
    "Customer lifetime value": (Decimal(54000), -0.5),
    "Daily active users": (Decimal(4200), 3.5),
    "Feature adoption": (Decimal(46), 3.0),
    "Retention": (Decimal(81), 2.5),
    "Task completion": (Decimal(72), 3.0),
}
WARNING_PRODUCT = "Expenses"


def value_in(base, month, product, diverging):
    """The reading `month` months after the first: steady growth, then Expenses' turn."""
    steady = min(month, MONTHS - DIVERGING)
    value = base * Decimal(1 + STEADY / 100) ** steady
    if product == WARNING_PRODUCT and month > MONTHS - DIVERGING:
        value *= Decimal(1 + diverging / 100) ** (month - (MONTHS - DIVERGING))
    return value.quantize(Decimal("0.01"))


# title: (verdict, note) of a shipped demo item; the others ask their owner.
OUTCOMES = {
    "Two-factor authentication for all": (
        Verdict.MOVED, "Renewal rate up two points since the security review passed."),
}


def seed_outcomes(command):
    admin = get_user_model().objects.filter(username="admin").first()
    if admin is None:
        return
    products = {p.name: p for p in demo_products()}
    metrics = {m.name: m for m in SuccessMetric.objects.filter(name__in=TRENDS)}
    have = set(MetricReading.objects.filter(product__in=products.values()).values_list(
        "metric_id", "product_id", "period"))
    start = months_back(this_month(), MONTHS - 1)
    new = []
    for name, (base, diverging) in TRENDS.items():
        for product in products.values():
            metric = metrics.get(name)
            if metric is None or metric.archived:
                continue
            for month in range(MONTHS):
                period = months_back(start, -month)
                if (metric.pk, product.pk, period) not in have:
                    new.append(MetricReading(
                        metric=metric, product=product, period=period, recorded_by=admin,
                        value=value_in(base, month, product.name, diverging)))
    # Each on the audit trail, as the command made it, in a few statements, not two a reading
    # (576 of them: on PostgreSQL a round trip each was most of seed_demo's time).
    bulk_create_with_history(new, MetricReading, batch_size=BATCH_SIZE)
    answered = _ship_and_answer()
    command.stdout.write(command.style.SUCCESS(
        f"Demo readings ready: {MONTHS} months for {len(products)} products ({len(new)} new); "
        f"{answered} demo outcome{'s' if answered != 1 else ''} answered."))


def _ship_and_answer():
    """Answer "did it move?" for the demo's shipped items OUTCOMES has; those the demo's
    quarters shipped weeks ago ask their owners."""
    shipped = _seeded(RoadmapItem, status=Status.SHIPPED).filter(triage__metrics__isnull=False) \
        .distinct()
    answered = 0
    for item in shipped.filter(title__in=OUTCOMES, outcome__isnull=True):
        verdict, note = OUTCOMES[item.title]
        ItemOutcome.answer(item, verdict=verdict, note=note, answered_by=item.owner,
                           expected_version=0)
        answered += 1
    return answered


def remove_demo_readings(demo, *, by):
    """The readings seed_demo recorded, for the demo products that go (all of them with all
    of the demo content): products and metrics keep none that would hold them back."""
    readings = _seeded(MetricReading)
    if demo.scope is not None:
        readings = readings.filter(product__in=demo.products)
    removed = 0
    for reading in readings:
        reading._history_user, reading._change_reason = by, "Demo content removed"
        reading.delete()
        removed += 1
    return [f"{removed} metric reading{'s' if removed != 1 else ''}"] if removed else []
