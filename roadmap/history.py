"""An item's answers and reviews as people read them: the triage history, the review
exchange, and what differs between a saved version and someone's refused save.

The differences functions return rows of (label, saved now, yours); a form shows them in
its refusal (VersionedForm.refuse_stale), and an API's 409 body can send the same rows.
"""

from dataclasses import dataclass

from django.utils.text import capfirst

from whobenefits.people import person_label

from .models import BeneficiaryClass, RoadmapItem, ValueLevel, Verdict, WhoseProblem

NOTHING = "—"


def _value(value):
    """A customer or user value as a person reads it; unset is "not set"."""
    return ValueLevel(value).label if value is not None else "Not set"


def _names(things):
    """Sorted names, archived ones marked: what a person reads in a before/after."""
    return ", ".join(sorted(f"{t} (archived)" if t.archived else str(t) for t in things)) or NOTHING


@dataclass(frozen=True)
class TriageSnapshot:
    """A triage answer as a person reads it, to compare two answers field by field."""

    beneficiary_class: str
    whose_problem: str
    primary_beneficiaries: str
    value_for_other_side: str
    indirect_beneficiaries: str
    metrics: str
    customer_value: str
    user_value: str

    LABELS = {
        "beneficiary_class": "Who benefits",
        "primary_beneficiaries": "Primary beneficiaries",
        "whose_problem": "Whose problem",
        "value_for_other_side": "Value for the other side",
        "indirect_beneficiaries": "Indirect beneficiaries",
        "metrics": "Success metrics",
        "customer_value": "Customer value",
        "user_value": "User value",
    }

    @classmethod
    def from_answer(cls, *, primary_beneficiaries, whose_problem, value_for_other_side="",
                    indirect_beneficiaries=(), metrics=(), customer_value=None,
                    user_value=None, **_):
        """The answer a form is about to save (the arguments of record_triage)."""
        if not primary_beneficiaries:
            return None
        klass = BeneficiaryClass.from_sides(p.side for p in primary_beneficiaries)
        one_sided = klass.benefiting_side is not None
        return cls(
            beneficiary_class=klass.label,
            whose_problem=WhoseProblem(whose_problem).label,
            primary_beneficiaries=_names(primary_beneficiaries),
            value_for_other_side=(value_for_other_side.strip() or NOTHING) if one_sided
            else NOTHING,
            indirect_beneficiaries=_names(indirect_beneficiaries if one_sided else ()),
            metrics=_names(metrics),
            customer_value=_value(customer_value), user_value=_value(user_value),
        )

    @classmethod
    def from_triage(cls, triage):
        """A saved answer; reads its many-to-many fields, so prefetch them."""
        if triage is None:
            return None
        return cls.from_answer(
            primary_beneficiaries=list(triage.primary_beneficiaries.all()),
            whose_problem=triage.whose_problem, value_for_other_side=triage.value_for_other_side,
            indirect_beneficiaries=list(triage.indirect_beneficiaries.all()),
            metrics=list(triage.metrics.all()),
            customer_value=triage.customer_value, user_value=triage.user_value,
        )

    @classmethod
    def from_record(cls, record):
        """A historical answer, with the picks recorded alongside it."""
        return cls(
            beneficiary_class=BeneficiaryClass(record.beneficiary_class).label,
            whose_problem=WhoseProblem(record.whose_problem).label,
            primary_beneficiaries=_names(
                row.persona for row in record.historicaltriageprimarybeneficiary_set.all()),
            value_for_other_side=record.value_for_other_side or NOTHING,
            indirect_beneficiaries=_names(
                row.persona for row in record.historicaltriageindirectbeneficiary_set.all()),
            metrics=_names(row.metric for row in record.historicaltriagemetric_set.all()),
            customer_value=_value(record.customer_value), user_value=_value(record.user_value),
        )

    @staticmethod
    def differences(before, after):
        """(label, before, after) for each field that differs; None stands for untriaged."""
        empty = dict.fromkeys(TriageSnapshot.LABELS, NOTHING) | {
            "beneficiary_class": "Untriaged", "customer_value": "Not set",
            "user_value": "Not set"}
        old = before.__dict__ if before else empty
        new = after.__dict__ if after else empty
        return [(label, old[name], new[name])
                for name, label in TriageSnapshot.LABELS.items() if old[name] != new[name]]


@dataclass(frozen=True)
class TriageChange:
    """One entry of an item's triage history: who changed the answer, when, from what to what."""

    record: object
    before: TriageSnapshot | None
    after: TriageSnapshot | None

    @property
    def changed_by(self):
        return self.record.history_user

    @property
    def changed_at(self):
        return self.record.history_date

    @property
    def cleared(self):
        return self.after is None

    @property
    def differences(self):
        return TriageSnapshot.differences(self.before, self.after)


# The many-to-many history simple-history keeps beside each Triage record, and what each names.
HISTORICAL_PICKS = [
    ("historicaltriageprimarybeneficiary", "persona"),
    ("historicaltriageindirectbeneficiary", "persona"),
    ("historicaltriagemetric", "metric"),
]


@dataclass(frozen=True)
class ReviewEvent:
    """One step of a review exchange: a verdict, or the PM's answering re-triage."""

    kind: str  # a Verdict, or "answered"
    person: object
    at: object
    text: str

    @property
    def label(self):
        return "Answered" if self.kind == "answered" else Verdict(self.kind).label


# What differs between the saved version and a refused save.


def details_differences(saved, edited):
    """(label, saved, yours) for each detail (RoadmapItem.DETAILS) where `edited`, an unsaved
    copy holding someone's input, differs from `saved`."""
    rows = [(capfirst(RoadmapItem._meta.get_field(name).verbose_name),
             _detail(saved, name), _detail(edited, name)) for name in RoadmapItem.DETAILS]
    return [row for row in rows if row[1] != row[2]]


def _detail(item, name):
    """How a person reads one detail of an item."""
    value = getattr(item, name)
    if value in (None, ""):
        return NOTHING
    if name == "owner":
        return person_label(value)
    display = getattr(item, f"get_{name}_display", None)
    return display() if display else str(value)


def triage_differences(item, answer):
    """(label, saved, yours) where `answer` (record_triage's arguments) differs from the
    item's saved answer; reads the answer's picks, so load the item with for_triage()."""
    return TriageSnapshot.differences(
        TriageSnapshot.from_triage(item.current_triage()), TriageSnapshot.from_answer(**answer)
    )


def review_differences(item, review):
    """(label, saved, yours) where `review` (record_review's arguments) differs from the
    item's saved review."""
    saved = item.current_review()
    saved = (saved.get_verdict_display(), saved.comment or NOTHING) if saved \
        else ("Not reviewed", NOTHING)
    yours = (Verdict(review["verdict"]).label, review["comment"].strip() or NOTHING)
    return [(label, old, new) for label, old, new in zip(("Verdict", "Comment"), saved, yours,
                                                         strict=True) if old != new]
