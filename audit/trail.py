"""The audit trail: django-simple-history's records of every audited model, as one list.

Each audited model has its own history table. The trail is a UNION ALL of their ids and
dates, paginated in the database; only the rows of one page are then loaded, with their
previous versions and many-to-many picks, in a fixed number of queries per model.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal

from django.apps import apps
from django.conf import settings
from django.db.models import ForeignKey, OuterRef, Q, Subquery, Value
from django.db.models.fields import CharField
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.text import capfirst

from whobenefits.numbers import number_label
from whobenefits.people import person_label

# Object type (the filter's value) -> model. Every model with history must be here
# (a test checks simple-history's registry against it).
AUDITED_MODELS = {
    "persona": ("personas.Persona", "Persona"),
    "successmetric": ("personas.SuccessMetric", "Success metric"),
    "archetype": ("personas.Archetype", "Archetype"),
    "product": ("roadmap.Product", "Product"),
    "roadmapitem": ("roadmap.RoadmapItem", "Roadmap item"),
    "triage": ("roadmap.Triage", "Triage answer"),
    "review": ("roadmap.Review", "Review"),
    "reviewthresholds": ("roadmap.ReviewThresholds", "Review thresholds"),
    "balancetarget": ("roadmap.BalanceTarget", "Balance targets"),
    # "User" is a persona side in this app; the people who sign in are "people".
    "person": (settings.AUTH_USER_MODEL, "Person and roles"),
}
FIELD_LABELS = {("person", "groups"): "Roles"}
# How a history record names its object, for object types whose records have no name.
OBJECT_LABELS = {
    "balancetarget": lambda record: f"Balance targets for {record.quarter}" if record.quarter
    else "Default balance targets",
}
# Object type -> a function returning the Q its history records must match to be shown yet.
SHOWN_ONLY = {}


def register(kind, model, label, *, object_label=None, shown_only=None):
    """Put a higher app's audited model on the trail (from its AppConfig.ready()): audit
    uses no other app, so they come to it. `object_label(record)` names an object that
    has no `name`; `shown_only()` returns a Q on its history records that keeps some off
    the trail until it matches (a calibration round's blind answers, until it closes)."""
    AUDITED_MODELS[kind] = (model, label)
    if object_label:
        OBJECT_LABELS[kind] = object_label
    if shown_only:
        SHOWN_ONLY[kind] = shown_only
ACTIONS = {"+": "Created", "~": "Changed", "-": "Deleted"}


def audited_model(kind):
    return apps.get_model(AUDITED_MODELS[kind][0])


def object_type_choices():
    return [(kind, label) for kind, (_, label) in AUDITED_MODELS.items()]


@dataclass
class Change:
    field: str
    before: str
    after: str


@dataclass
class Entry:
    """One history record, ready to show: who did what to which object, and the values."""

    kind: str
    record: object
    object_label: str
    object_url: str
    changes: list = field(default_factory=list)

    @property
    def when(self):
        return self.record.history_date

    @property
    def who(self):
        person = self.record.history_user
        return person_label(person) if person else "system"

    @property
    def action(self):
        return ACTIONS[self.record.history_type]

    @property
    def object_type(self):
        return AUDITED_MODELS[self.kind][1]

    @property
    def reason(self):
        return self.record.history_change_reason or ""


def trail(*, person=None, kind=None, since=None, until=None, before=None):
    """The ids of matching history records, newest first, as one UNION ALL queryset.

    `before`, a (history_date, history_id) row, keeps the records older than it: a cursor
    for the API, stable while new records arrive at the top.
    """
    parts = []
    for each in [kind] if kind else AUDITED_MODELS:
        records = audited_model(each).history.all()
        if each in SHOWN_ONLY:
            records = records.filter(SHOWN_ONLY[each]())
        if person is not None:
            records = records.filter(history_user=person)
        if since is not None:
            records = records.filter(history_date__date__gte=since)
        if until is not None:
            records = records.filter(history_date__date__lte=until)
        if before is not None:
            records = records.filter(Q(history_date__lt=before[0])
                                     | Q(history_date=before[0], history_id__lt=before[1]))
        # A name no audited model has as a field (a success metric has a `kind`).
        parts.append(records.order_by().annotate(
            trail_kind=Value(each, output_field=CharField())
        ).values_list("history_date", "history_id", "trail_kind"))
    union = parts[0].union(*parts[1:], all=True) if len(parts) > 1 else parts[0]
    return union.order_by("-history_date", "-history_id")


def load_entries(rows):
    """Entries for (history_date, history_id, kind) rows: a few queries per object type."""
    by_kind = defaultdict(list)
    for _, history_id, kind in rows:
        by_kind[kind].append(history_id)
    loaded = {}
    for kind, ids in by_kind.items():
        for entry in _load_kind(kind, ids):
            loaded[(kind, entry.record.history_id)] = entry
    return [loaded[(kind, history_id)] for _, history_id, kind in rows]


def _load_kind(kind, ids):
    model = audited_model(kind)
    historical = model.history.model
    previous = historical.objects.filter(
        id=OuterRef("id"), history_date__lte=OuterRef("history_date"),
        history_id__lt=OuterRef("history_id"),
    ).order_by("-history_date", "-history_id").values("history_id")[:1]
    records = list(historical.objects.filter(history_id__in=ids).select_related("history_user")
                   .annotate(previous_id=Subquery(previous)))
    previous_records = historical.objects.in_bulk(
        [r.previous_id for r in records if r.previous_id is not None]
    )
    every_record = [*records, *previous_records.values()]
    m2m_values = _m2m_values(model, historical, every_record)
    fk_labels = _foreign_key_labels(model, every_record)
    labels = _object_labels(kind, records)
    entries = []
    for record in records:
        before = previous_records.get(record.previous_id)
        changes = _changes(kind, model, record, before, m2m_values, fk_labels)
        entries.append(Entry(kind, record, labels[record.history_id],
                             _object_url(kind, model, record), changes))
    return entries


def _tracked_fields(model, historical):
    excluded = set(historical._history_excluded_fields or ())
    m2m = {f.name for f in historical._history_m2m_fields}
    fields = [f for f in historical.tracked_fields
              if f.editable and f.name not in excluded and not f.primary_key]
    return fields, [model._meta.get_field(name) for name in sorted(m2m)]


def _m2m_values(model, historical, records):
    """{(history_id, field name): sorted labels} for every many-to-many field, one query each."""
    values = defaultdict(list)
    _, m2m_fields = _tracked_fields(model, historical)
    ids = [r.history_id for r in records]
    for m2m in m2m_fields:
        rows_model = getattr(historical, m2m.name).model
        target = next(f.name for f in rows_model._meta.fields
                      if isinstance(f, ForeignKey) and f.related_model is m2m.related_model)
        for row in rows_model.objects.filter(history_id__in=ids).select_related(target):
            values[(row.history_id, m2m.name)].append(str(getattr(row, target)))
    return {key: ", ".join(sorted(labels)) for key, labels in values.items()}


def _foreign_key_labels(model, records):
    """{(related model, value): label} for every foreign key value on these records; the
    value is the one the key stores (the pk, or its to_field: a persona's archetype key)."""
    wanted = defaultdict(set)
    for f in model._meta.fields:
        if isinstance(f, ForeignKey):
            for record in records:
                value = getattr(record, f.attname, None)
                if value is not None:
                    wanted[(f.related_model, f.target_field.attname)].add(value)
    labels = {}
    for (related, target), values in wanted.items():
        for obj in related._default_manager.filter(**{f"{target}__in": values}):
            labels[(related, getattr(obj, target))] = (
                person_label(obj) if hasattr(obj, "get_username") else str(obj))
    return labels


def _display(model_field, record, fk_labels):
    value = getattr(record, model_field.attname, None)
    if value is None or value == "":
        return "—"
    if isinstance(model_field, ForeignKey):
        return fk_labels.get((model_field.related_model, value), f"#{value} (deleted)")
    if model_field.choices:
        return str(dict(model_field.flatchoices).get(value, value))
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, datetime):
        return timezone.localtime(value).strftime("%Y-%m-%d %H:%M:%S")
    if isinstance(value, float | Decimal):
        return number_label(value)
    return str(value)


def _label(kind, model_field):
    return FIELD_LABELS.get((kind, model_field.name), capfirst(model_field.verbose_name))


def _changes(kind, model, record, before, m2m_values, fk_labels):
    """Before and after values of every field this record changed (all, for a creation)."""
    fields, m2m_fields = _tracked_fields(model, record.__class__)
    changes = []
    for f in fields:
        model_field = model._meta.get_field(f.name)
        after = _display(model_field, record, fk_labels)
        previous = _display(model_field, before, fk_labels) if before else "—"
        if after != previous:
            changes.append(Change(_label(kind, model_field), previous, after))
    for m2m in m2m_fields:
        after = m2m_values.get((record.history_id, m2m.name), "—")
        previous = m2m_values.get((before.history_id, m2m.name), "—") if before else "—"
        if after != previous:
            changes.append(Change(_label(kind, m2m), previous, after))
    return changes


def _object_labels(kind, records):
    if kind in OBJECT_LABELS:
        return {r.history_id: OBJECT_LABELS[kind](r) for r in records}
    if kind in {"triage", "review"}:
        titles = dict(apps.get_model("roadmap.RoadmapItem").objects.filter(
            pk__in={r.item_id for r in records}).values_list("pk", "title"))
        prefix = "Triage of" if kind == "triage" else "Review of"
        return {r.history_id: f"{prefix} “{titles.get(r.item_id, f'#{r.item_id}')}”"
                for r in records}
    if kind == "person":
        return {r.history_id: r.username for r in records}
    if kind == "reviewthresholds":
        return {r.history_id: "Review thresholds" for r in records}
    if kind == "roadmapitem":
        return {r.history_id: r.title for r in records}
    return {r.history_id: r.name for r in records}


def _object_url(kind, model, record):
    """Where the object's own history lives: the admin's history page, or the item page."""
    if kind in {"triage", "review"}:
        return reverse("roadmap:item-detail", args=[record.item_id])
    opts = model._meta
    try:
        return reverse(f"admin:{opts.app_label}_{opts.model_name}_history", args=[record.id])
    except NoReverseMatch:
        return ""


def pages_of(queryset, size=500):
    """Iterate a trail in database pages, for the CSV export."""
    start = 0
    while True:
        rows = list(queryset[start:start + size])
        if not rows:
            return
        yield from load_entries(rows)
        start += size

