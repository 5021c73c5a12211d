"""A closed round's results: agreement on the class and on "whose problem", per pair of PMs,
the confusion tables, and the disagreements side by side. Fixed queries, whatever the size."""

from collections import Counter
from dataclasses import dataclass, field

from roadmap.models import BeneficiaryClass, WhoseProblem
from whobenefits.people import person_label

from .agreement import cohen_kappa, kappa, pairs_of, share_agreeing, single_label_raters
from .models import RoundAnswer, RoundItem

LABELS = {"beneficiary_class": BeneficiaryClass, "whose_problem": WhoseProblem}


def percent(part, whole):
    return round(100 * part / whole) if whole else None


@dataclass
class Measure:
    """Agreement on one question over the items every PM answered."""

    question: str  # "beneficiary_class" or "whose_problem"
    agreed: int
    items: int
    kappa_name: str
    kappa: float | None
    # (PM, the one label they gave to every item): what holds a kappa at 0 or leaves it
    # undefined, named on the page.
    single_label: list = field(default_factory=list)

    @property
    def share(self):
        return percent(self.agreed, self.items)

    @property
    def kappa_note(self):
        """Why the kappa is what it is, when one answer everywhere explains it; else ""."""
        if not self.items:
            return "No item was answered by every PM: nothing to compare."
        choices = LABELS[self.question]
        if self.kappa is None:
            label = choices(self.single_label[0][1]).label if self.single_label else ""
            return (f"Not defined: every PM gave “{label}” to every item, so chance alone "
                    "explains the agreement; compare again with items that differ.")
        if self.single_label:
            names = "; ".join(f"{person_label(pm)} gave “{choices(label).label}” to every item"
                              for pm, label in self.single_label)
            return (f"{names}. Kappa counts agreement beyond what each PM's mix of answers "
                    "predicts, so a PM who never tells items apart holds it at 0 (two PMs) or "
                    "down (more).")
        return ""


@dataclass
class Pair:
    """Two PMs: their agreement on the class over the items both answered, and its table."""

    first: object
    second: object
    agreed: int
    items: int
    kappa: float | None
    confusion: list  # rows: (first's class, [count per second's class], row total)

    @property
    def share(self):
        return percent(self.agreed, self.items)


@dataclass(frozen=True)
class AnswerRow:
    """One PM's answer as the side-by-side table reads it: names, not objects (dozens of
    these on a page)."""

    pm: str
    beneficiary_class: str
    class_label: str
    personas: str
    indirect: str
    whose_problem: str
    value_for_other_side: str


@dataclass
class Disagreement:
    """An item on which the PMs differ in class or whose problem: each PM's answer."""

    entry: RoundItem
    answers: list  # AnswerRow per PM, in the PMs' order; none for one folded on the page
    class_differs: bool
    whose_differs: bool


class RoundResults:
    """What a round's results page shows. `with_picks` False loads only what the counts need
    (closing a round keeps them)."""

    def __init__(self, round, *, with_picks=True):
        self.round = round
        self.raters = list(round.raters.order_by("first_name", "last_name", "username"))
        self.rater_names = [(r.pk, person_label(r)) for r in self.raters]
        self.rater_label = dict(self.rater_names)
        # Rows, not model instances: a round of 50 items and 5 PMs has 250 answers.
        answers = RoundAnswer.objects.filter(
            round=round, rater__in=[r.pk for r in self.raters]).values_list(
            "pk", "item_id", "rater_id", "beneficiary_class", "whose_problem",
            "value_for_other_side", named=True)
        self.answers = {(a.item_id, a.rater_id): a for a in answers}
        entries = RoundItem.objects.filter(round=round).order_by("pk")
        if with_picks:
            people = [f"{who}__{name}" for who in ("adopted_from", "resolved_by")
                      for name in ("username", "first_name", "last_name")]
            entries = entries.select_related(
                "item__product", "item__triage", "adopted_from", "resolved_by").only(
                "round", "item__title", "item__version", "item__product__name",
                "item__triage__beneficiary_class", "resolution", *people)
        self.entries = list(entries)
        self.complete = [e for e in self.entries
                         if all((e.item_id, r.pk) in self.answers for r in self.raters)]

    @property
    def left_out(self):
        """Items some PM did not answer (the round closed early): not compared."""
        return len(self.entries) - len(self.complete)

    def _ratings(self, question):
        return [[getattr(self.answers[(e.item_id, r.pk)], question) for r in self.raters]
                for e in self.complete]

    def measure(self, question):
        ratings = self._ratings(question)
        agreed, items = share_agreeing(ratings)
        name, value = kappa(ratings) if ratings else (
            "Cohen's kappa" if len(self.raters) == 2 else "Fleiss' kappa", None)
        single = [(self.raters[i], ratings[0][i]) for i in single_label_raters(ratings)]
        return Measure(question, agreed, items, name, value, single)

    @property
    def class_agreement(self):
        return self.measure("beneficiary_class")

    @property
    def whose_agreement(self):
        return self.measure("whose_problem")

    def pairs(self):
        """Each pair of PMs, over the items both answered, with its confusion table."""
        classes = BeneficiaryClass.values
        pairs = []
        for i, j in pairs_of(len(self.raters)):
            first, second = self.raters[i], self.raters[j]
            answered = [(self.answers.get((e.item_id, first.pk)),
                         self.answers.get((e.item_id, second.pk))) for e in self.entries]
            labels = [(a.beneficiary_class, b.beneficiary_class) for a, b in answered
                      if a and b]
            tally = Counter(labels)
            confusion = []
            for row in classes:
                counts = [tally[(row, column)] for column in classes]
                confusion.append((BeneficiaryClass(row), counts, sum(counts)))
            pairs.append(Pair(first, second, sum(a == b for a, b in labels), len(labels),
                              cohen_kappa(labels), confusion))
        return pairs

    def disagreements(self, *, side_by_side=None):
        """The items on which the PMs differ, in the round's order: the first `side_by_side`
        (all when None) with each PM's answer, the rest without (the page lists them by
        title), so only the answers shown load their personas."""
        found = []
        for entry in self.complete:
            answers = [self.answers[(entry.item_id, r.pk)] for r in self.raters]
            class_differs = len({a.beneficiary_class for a in answers}) > 1
            whose_differs = len({a.whose_problem for a in answers}) > 1
            if class_differs or whose_differs:
                found.append(Disagreement(entry, answers, class_differs, whose_differs))
        shown = len(found) if side_by_side is None else side_by_side
        picks = _picked_names([a.pk for d in found[:shown] for a in d.answers])
        for n, disagreement in enumerate(found):
            disagreement.answers = ([self._row(a, picks) for a in disagreement.answers]
                                    if n < shown else [])
        return found

    def _row(self, answer, picks):
        return AnswerRow(
            pm=self.rater_label[answer.rater_id],
            beneficiary_class=answer.beneficiary_class,
            class_label=BeneficiaryClass(answer.beneficiary_class).label,
            personas=", ".join(picks.get(("primary", answer.pk), [])),
            indirect=", ".join(picks.get(("indirect", answer.pk), [])),
            whose_problem=WhoseProblem(answer.whose_problem).label,
            value_for_other_side=answer.value_for_other_side)


def _picked_names(answer_ids):
    """{("primary" or "indirect", answer id): [persona names]} for these answers: two
    narrow queries of names, not a model instance per pick."""
    names = {}
    for relation, through in [("primary", RoundAnswer.primary_beneficiaries.through),
                              ("indirect", RoundAnswer.indirect_beneficiaries.through)]:
        rows = through.objects.filter(roundanswer__in=answer_ids).order_by(
            "persona__order", "persona__name").values_list("roundanswer_id", "persona__name")
        for answer_id, name in rows:
            names.setdefault((relation, answer_id), []).append(name)
    return names
