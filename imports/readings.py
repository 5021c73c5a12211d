"""How the rows of a metrics file become metric readings: a success metric's value for a
product and a month, read through the mapping and checked by the readings' own rules (an
archived metric, a month not begun, one reading per metric, product and month).

The same engine as a backlog import; this module is what differs, as notes.py is for
evidence. A row that repeats a reading already recorded with the same value changes
nothing; one with another value is an error naming it: readings are corrected on their
page, never overwritten by a file. Fixed queries, whatever the number of rows.
"""

import re
from datetime import date, datetime
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError

from outcomes.models import VALUE_DIGITS, VALUE_PLACES, MetricReading, month_of, period_label
from personas.models import SuccessMetric
from roadmap.models import Product
from whobenefits.numbers import number_label

from .items import ERROR, NEW, UNCHANGED, Plan, RowPlan, RowReader
from .sources import ItemField, normal

FIELDS = [
    ItemField("metric", "Success metric", "Required: a success metric's name (Revenue)."),
    ItemField("product", "Product", "Required: a product's name."),
    ItemField("period", "Month", "Required: the month, as 2026-11 (a day in it is fine)."),
    ItemField("value", "Value", "Required: the number for the month (120000, 93.5)."),
]
LABELS = {f.name: f.label for f in FIELDS}
REQUIRED = {"metric": "Choose the column that names the success metric.",
            "product": "Choose the column that names the product.",
            "period": "Choose the column that holds the month.",
            "value": "Choose the column that holds the value."}
COLUMNS = {
    "metric": ("Metric", "Success metric", "KPI", "Measure"),
    "product": ("Product", "Product area"),
    "period": ("Month", "Period", "Date"),
    "value": ("Value", "Number", "Amount", "Reading"),
}
BIGGEST = Decimal(10) ** (VALUE_DIGITS - VALUE_PLACES)
THOUSANDS = re.compile(r"^-?\d{1,3}(,\d{3})+(\.\d+)?$")


def guess_columns(headers):
    """{field: header} for the columns whose names say what they hold; each column once."""
    by_name = {normal(header): header for header in reversed(headers)}
    guessed, used = {}, set()
    for name, candidates in COLUMNS.items():
        for candidate in candidates:
            header = by_name.get(normal(candidate))
            if header and header not in used:
                guessed[name] = header
                used.add(header)
                break
    return guessed


def plan_rows(table, mapping):
    """The plan for every row: a new reading, one recorded already with the same value
    (unchanged), or errors naming their column."""
    reader = RowReader(table, mapping)
    metrics = {normal(m.name): m for m in SuccessMetric.objects.all()}
    products = {key: p for p in Product.objects.all() for key in (normal(p.name),
                                                                    normal(p.slug))}
    recorded = {(r.metric_id, r.product_id, r.period): r.value for r in MetricReading.objects.all()
                .only("metric_id", "product_id", "period", "value")}
    seen, rows = {}, []
    for line, cells in table.rows:
        plan = RowPlan(line=line, cells=cells)
        rows.append(plan)
        values = _read_values(plan, cells, reader, metrics, products)
        plan.values = values
        if plan.errors:
            plan.action = ERROR
            continue
        metric, product, period = values["metric"], values["product"], values["period"]
        plan.title = f"{metric.name}, {product.name}, {period_label(period)}"
        identity = (metric.pk, product.pk, period)
        if identity in seen:
            plan.error(reader.headers["period"], f"Line {seen[identity]} has the same metric, "
                                                 "product and month: one reading each.")
            plan.action = ERROR
            continue
        seen[identity] = line
        if identity in recorded:
            if recorded[identity] == values["value"]:
                plan.action = UNCHANGED
            else:
                plan.error(reader.headers["value"], (
                    f"{metric.name} for {product.name} already has a reading for "
                    f"{period_label(period)} ({number_label(recorded[identity])}): correct it "
                    "on the readings page; a file never overwrites one."))
                plan.action = ERROR
            continue
        try:
            MetricReading.check_new(metric=metric, product=product, period=period,
                                    value=values["value"])
        except ValidationError as refused:
            for name, messages in refused.message_dict.items():
                for message in messages:
                    plan.error(reader.headers.get(name, LABELS.get(name, name)), message)
            plan.action = ERROR
            continue
        plan.action = NEW
        plan.changes = [["value", "—", number_label(values["value"])]]
    return Plan(rows=rows, new_products=[], not_in_file=[])


def _read_values(plan, cells, reader, metrics, products):
    headers = reader.headers
    return {
        "metric": _named(plan, reader.text(cells, "metric"), headers.get("metric"), metrics,
                         "success metric"),
        "product": _named(plan, reader.text(cells, "product"), headers.get("product"),
                          products, "product"),
        "period": _month(plan, reader.text(cells, "period"), headers.get("period")),
        "value": _value(plan, reader.text(cells, "value"), headers.get("value")),
    }


def _named(plan, text, column, known, what):
    name = " ".join(str(text).split())
    if not name:
        plan.error(column or what.capitalize(), f"No {what}: which one is it?")
        return None
    found = known.get(normal(name))
    if found is None:
        plan.error(column, f"No {what} is called \u201c{name[:60]}\u201d.")
    return found


def _month(plan, text, column):
    if isinstance(text, datetime):
        return month_of(text.date())
    if isinstance(text, date):
        return month_of(text)
    text = str(text).strip()
    for parse in (lambda t: date.fromisoformat(f"{t}-01"), date.fromisoformat,
                  lambda t: datetime.fromisoformat(t).date()):
        try:
            return month_of(parse(text))
        except ValueError:
            continue
    plan.error(column or "Month", f"\u201c{text[:40]}\u201d is not a month: write it as 2026-11."
               if text else "No month: which month is the value for?")
    return None


def _value(plan, text, column):
    raw = str(text).strip()
    if THOUSANDS.match(raw):  # 1,200,000 or 1,200.50; a lone comma may be a decimal one
        raw = raw.replace(",", "")
    try:
        value = Decimal(str(raw)).quantize(Decimal(1).scaleb(-VALUE_PLACES))
    except (InvalidOperation, ValueError):
        plan.error(column or "Value", f"\u201c{str(text)[:40]}\u201d is not a number."
                   if str(text).strip() else "No value: what was the number?")
        return None
    if not value.is_finite() or abs(value) >= BIGGEST:
        plan.error(column, f"{text} is too large for a reading.")
        return None
    return value


def write(plan, *, recorded_by, reason):
    """Record the plan's new readings, each with its history record naming the import."""
    for row in plan.rows:
        if row.action == NEW:
            values = row.values
            MetricReading.record(metric=values["metric"], product=values["product"],
                                 period=values["period"], value=values["value"],
                                 recorded_by=recorded_by, reason=reason)
