"""Calibration rounds: a team lead gives the same items to two or more PMs, who classify them
blind; the results show how often they agree, and the lead settles each disagreement.

A round's answers are its own (RoundAnswer), never the items' triage: only resolving a
disagreement after the round closes writes a triage, through item.record_triage.
"""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models, transaction
from django.db.models import Count, Exists, F, OuterRef, Q
from django.utils import dateformat, timezone
from simple_history.models import HistoricalRecords
from simple_history.utils import bulk_create_with_history

from personas.models import Persona, SuccessMetric
from roadmap import roles
from roadmap.models import (
    VALUE_FOR_OTHER_SIDE_MAX_LENGTH,
    BeneficiaryClass,
    RoadmapItem,
    ValueLevel,
    WhoseProblem,
    save_with_picks,
    settle_answer,
)
from whobenefits.people import person_label

NAME_MAX_LENGTH = 120
# How many items a random sample may take: a round is a sitting, not the whole backlog.
SAMPLE_MAX = 200
# simple-history's change reason holds this many characters.
REASON_MAX_LENGTH = 100


def _when(moment):
    # As the pages write a moment: 1 Dec 2026, 15:58.
    return dateformat.format(timezone.localtime(moment), "j M Y, H:i")


class RoundRefused(Exception):
    """A round refuses a write (closed, or the item is gone); the message says why."""


def may_rate(person):
    """Whether `person` may take part in a round as a rater: an active product manager."""
    return person.is_active and person.groups.filter(name=roles.PRODUCT_MANAGER).exists()


def product_managers():
    """Who may take part in a round: the active product managers, by name."""
    from django.contrib.auth import get_user_model  # the user model loads after this module

    return get_user_model().objects.filter(
        is_active=True, groups__name=roles.PRODUCT_MANAGER).distinct().order_by(
        "first_name", "last_name", "username")


class RoundQuerySet(models.QuerySet):
    def visible_to(self, person):
        """The rounds `person` may open: every round for those who run rounds (team leads,
        admins), else the rounds they take part in."""
        if person.has_perm("calibration.run_round"):
            return self
        # A subquery, not a join on raters: the list's count of raters stays whole.
        return self.filter(pk__in=Round.raters.through.objects.filter(user=person).values(
            "round"))

    def closed(self):
        return self.filter(closed_at__isnull=False)

    def for_list(self):
        """With the counts the list shows: items, raters, and the viewer's answers later."""
        return self.select_related("started_by").annotate(
            item_count=Count("round_items", distinct=True),
            rater_count=Count("raters", distinct=True),
        ).order_by("-started_at", "-pk")


class Round(models.Model):
    """A calibration round: its PMs (raters), its items, and when it closed."""

    name = models.CharField(max_length=NAME_MAX_LENGTH)
    started_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                   related_name="+")
    started_at = models.DateTimeField(default=timezone.now)
    raters = models.ManyToManyField(settings.AUTH_USER_MODEL,
                                    related_name="calibration_rounds")
    closed_at = models.DateTimeField(null=True, blank=True)
    # Null on a closed round: it closed by itself when the last PM answered the last item.
    closed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                  null=True, blank=True, related_name="+")
    # The class agreement when the round closed, for the dashboard's trend over rounds
    # without reading every round's answers: items on which every PM gave the same class,
    # of the items every PM answered, and the kappa (None when not defined).
    agreed_items = models.PositiveIntegerField(null=True, blank=True)
    compared_items = models.PositiveIntegerField(null=True, blank=True)
    class_kappa = models.FloatField(null=True, blank=True)

    history = HistoricalRecords(m2m_fields=[raters])
    objects = RoundQuerySet.as_manager()

    class Meta:
        ordering = ["-started_at", "-pk"]
        permissions = [("run_round", "Can run calibration rounds")]
        constraints = [
            models.CheckConstraint(
                condition=Q(agreed_items__lte=F("compared_items")),
                name="round_agreed_within_compared",
            ),
        ]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        from django.urls import reverse

        return reverse("calibration:round-detail", args=[self.pk])

    @property
    def is_closed(self):
        return self.closed_at is not None

    @property
    def agreement_share(self):
        """The class agreement at close, in percent (None before, or with nothing compared)."""
        if not self.compared_items:
            return None
        return round(100 * self.agreed_items / self.compared_items)

    @classmethod
    def start(cls, *, name, raters, items, started_by):
        """Start a round of `items` for `raters` (two or more active product managers).

        ValidationError names the field a rule refuses: fewer than two PMs, someone who is
        not a PM (a team lead rates only when also a PM), no item.
        """
        raters, items = list(dict.fromkeys(raters)), list(dict.fromkeys(items))
        errors = {}
        if len(raters) < 2:
            errors["raters"] = "Pick at least two product managers: agreement needs two."
        elif not_pms := [person_label(p) for p in raters if not may_rate(p)]:
            errors["raters"] = (f"Only product managers take part in a round: "
                                f"{', '.join(not_pms)} {'is' if len(not_pms) == 1 else 'are'} "
                                "not one.")
        if not items:
            errors["items"] = "A round needs at least one item."
        if errors:
            raise ValidationError(errors)
        with transaction.atomic():
            started = cls(name=name.strip(), started_by=started_by)
            save_with_picks(started, {"raters": raters}, by=started_by, touched="started_at")
            bulk_create_with_history(
                [RoundItem(round=started, item=item) for item in items], RoundItem,
                default_user=started_by)
        return started

    def items_in_order(self):
        """The round's items in its order, each with its position (its RoundItem's id)."""
        return RoadmapItem.objects.filter(round_entries__round=self).annotate(
            position=F("round_entries__pk")).order_by("position")

    def next_for(self, rater, after=None):
        """The item `rater` has not answered yet after item `after` in the round's order (the
        first when None), or None at the end. Skipped items come round again on restart."""
        items = self.unanswered_by(rater)
        if after:
            position = RoundItem.objects.filter(round=self, item=after).values_list(
                "pk", flat=True).first()
            if position:
                items = items.filter(position__gt=position)
        return items.for_triage_form().first()

    def unanswered_by(self, rater):
        return self.items_in_order().filter(~Exists(RoundAnswer.objects.filter(
            round=self, rater=rater, item=OuterRef("pk"))))

    def progress(self, item_count):
        """(rater, items answered, items left) for each PM, by name: counts, never answers."""
        answered = dict(RoundAnswer.objects.filter(round=self).values_list("rater").annotate(
            Count("pk")).order_by())
        return [(rater, answered.get(rater.pk, 0), item_count - answered.get(rater.pk, 0))
                for rater in self.raters.order_by("first_name", "last_name", "username")]

    def record_answer(self, *, rater, item, primary_beneficiaries, whose_problem,
                      value_for_other_side="", indirect_beneficiaries=(), metrics=(),
                      customer_value=None, user_value=None):
        """Save `rater`'s answer to `item` (a new one or a changed one), on the audit trail.

        Raises RoundRefused when the round is closed or the item left it (deleted from the
        roadmap), ValidationError for a rule the form could not see coming. The round closes
        by itself when this was the last answer it waited for.
        """
        with transaction.atomic():
            # Lock the round: a close and an answer never cross; the last answer closes it once.
            current = Round.objects.select_for_update().get(pk=self.pk)
            if current.is_closed:
                raise RoundRefused(
                    f"This round closed on {_when(current.closed_at)}: your answer was not "
                    "saved. Your earlier answers are kept.")
            if not RoundItem.objects.filter(round=self, item=item).exists():
                raise RoundRefused(
                    "This item was deleted from the roadmap after the round started, so it "
                    "left the round: your answer to it was not saved.")
            answer = (RoundAnswer.objects.filter(round=self, rater=rater, item=item).first()
                      or RoundAnswer(round=self, rater=rater, item=item))
            answer.beneficiary_class, answer.value_for_other_side, indirect = settle_answer(
                primary_beneficiaries, value_for_other_side, indirect_beneficiaries)
            answer.whose_problem = whose_problem
            answer.customer_value, answer.user_value = customer_value, user_value
            answer.answered_at = timezone.now()
            save_with_picks(answer, {"primary_beneficiaries": primary_beneficiaries,
                                     "indirect_beneficiaries": indirect, "metrics": metrics},
                            by=rater, touched="answered_at")
            if current.everyone_done():
                current.close(by=None)
                self.closed_at = current.closed_at
        return answer

    def everyone_done(self):
        """Every PM answered every item of the round."""
        items = RoundItem.objects.filter(round=self).count()
        answers = RoundAnswer.objects.filter(round=self, rater__in=self.raters.all()).count()
        return items > 0 and answers == items * self.raters.count()

    def close(self, *, by):
        """Close the round (`by` None: it closed by itself when everyone was done) and keep
        its class agreement for the dashboard. RoundRefused when it is closed already."""
        from .results import RoundResults  # it reads these models

        with transaction.atomic():
            current = Round.objects.select_for_update().get(pk=self.pk)
            if current.is_closed:
                closer = (f" by {person_label(current.closed_by)}" if current.closed_by
                          else " when every PM was done")
                raise RoundRefused(
                    f"This round was already closed on {_when(current.closed_at)}{closer}.")
            agreement = RoundResults(current, with_picks=False).class_agreement
            self.closed_at, self.closed_by = timezone.now(), by
            self.agreed_items, self.compared_items = agreement.agreed, agreement.items
            self.class_kappa = agreement.kappa
            self._history_user = by
            self._change_reason = None if by else "Closed when every PM was done"
            self.save(update_fields=["closed_at", "closed_by", "agreed_items", "compared_items",
                                     "class_kappa"])


class Resolution(models.TextChoices):
    ADOPTED = "adopted", "Adopted a PM's answer"
    KEPT = "kept", "Kept the current triage"


class RoundItem(models.Model):
    """One item of a round, and how the team lead settled a disagreement on it."""

    Resolution = Resolution

    round = models.ForeignKey(Round, on_delete=models.CASCADE, related_name="round_items")
    # A deleted item leaves the round (with its answers); the round goes on without it.
    item = models.ForeignKey(RoadmapItem, on_delete=models.CASCADE, related_name="round_entries")
    resolution = models.CharField(max_length=7, choices=Resolution.choices, blank=True)
    adopted_from = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                     null=True, blank=True, related_name="+")
    resolved_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                    null=True, blank=True, related_name="+")
    resolved_at = models.DateTimeField(null=True, blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["round", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["round", "item"], name="round_item_once"),
            models.CheckConstraint(condition=Q(resolution__in=["", *Resolution.values]),
                                   name="round_item_resolution_valid"),
            models.CheckConstraint(
                condition=Q(resolution=Resolution.ADOPTED, adopted_from__isnull=False)
                | (~Q(resolution=Resolution.ADOPTED) & Q(adopted_from__isnull=True)),
                name="round_item_adopted_names_its_pm",
            ),
        ]

    def __str__(self):
        return f"Item {self.item_id} in round {self.round_id}"

    def resolve(self, *, adopt_from, by, expected_version):
        """Settle a disagreement: adopt `adopt_from`'s answer as the item's triage (through
        record_triage, so the triage history names the round and a triage saved since
        `expected_version` is refused with EditConflict), or keep the current triage (None).

        RoundRefused before the round closes: the answers are blind until then.
        """
        if not self.round.is_closed:
            raise RoundRefused("Disagreements are settled once the round is closed.")
        with transaction.atomic():
            if adopt_from is None:
                self.resolution, self.adopted_from = Resolution.KEPT, None
            else:
                answer = RoundAnswer.objects.get(round=self.round, item=self.item,
                                                 rater=adopt_from)
                reason = (f"{person_label(adopt_from)}'s answer in calibration round "
                          f"“{self.round.name}”")
                self.item.record_triage(
                    **answer.as_triage(), triaged_by=by, expected_version=expected_version,
                    change_reason=reason[:REASON_MAX_LENGTH])
                self.resolution, self.adopted_from = Resolution.ADOPTED, adopt_from
            self.resolved_by, self.resolved_at = by, timezone.now()
            self._history_user = by
            self.save()


class RoundAnswer(models.Model):
    """One PM's blind answer to the two triage questions for one item of a round."""

    round = models.ForeignKey(Round, on_delete=models.CASCADE, related_name="answers")
    rater = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                              related_name="+")
    item = models.ForeignKey(RoadmapItem, on_delete=models.CASCADE, related_name="+")
    primary_beneficiaries = models.ManyToManyField(Persona, related_name="round_primary_for")
    beneficiary_class = models.CharField(max_length=9, choices=BeneficiaryClass.choices)
    whose_problem = models.CharField(max_length=8, choices=WhoseProblem.choices)
    value_for_other_side = models.TextField(
        "how it creates value for the other side", blank=True,
        max_length=VALUE_FOR_OTHER_SIDE_MAX_LENGTH)
    indirect_beneficiaries = models.ManyToManyField(Persona, related_name="round_indirect_for",
                                                    blank=True)
    metrics = models.ManyToManyField(SuccessMetric, related_name="round_answers", blank=True)
    customer_value = models.PositiveSmallIntegerField(null=True, blank=True,
                                                      choices=ValueLevel.choices)
    user_value = models.PositiveSmallIntegerField(null=True, blank=True,
                                                  choices=ValueLevel.choices)
    answered_at = models.DateTimeField()

    history = HistoricalRecords(m2m_fields=[primary_beneficiaries, indirect_beneficiaries,
                                            metrics])

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["round", "rater", "item"],
                                    name="round_answer_once_per_rater"),
            models.CheckConstraint(condition=Q(beneficiary_class__in=BeneficiaryClass.values),
                                   name="round_answer_class_valid"),
            models.CheckConstraint(condition=Q(whose_problem__in=WhoseProblem.values),
                                   name="round_answer_whose_problem_valid"),
            models.CheckConstraint(
                condition=~Q(beneficiary_class=BeneficiaryClass.BOTH)
                | Q(value_for_other_side=""),
                name="round_answer_both_has_no_other_side_value",
            ),
        ]

    def __str__(self):
        return f"{self.rater} on item {self.item_id} in round {self.round_id}"

    def as_triage(self):
        """The answer as record_triage's keyword arguments (reads the picks: prefetch them)."""
        return {
            "primary_beneficiaries": list(self.primary_beneficiaries.all()),
            "whose_problem": self.whose_problem,
            "value_for_other_side": self.value_for_other_side,
            "indirect_beneficiaries": list(self.indirect_beneficiaries.all()),
            "metrics": list(self.metrics.all()),
            "customer_value": self.customer_value, "user_value": self.user_value,
        }


def closed_rounds_answers():
    """The answers' history records the audit trail shows: those of closed rounds. An open
    round's answers are blind, to admins too (an admin may be a PM taking part)."""
    return Q(round_id__in=Round.objects.closed().values("pk"))


class AgreementTarget(models.Model):
    """The share of items on which every PM of a round gives the same class, below which the
    review dashboard says the team classifies inconsistently; one row, set by admins."""

    share = models.PositiveSmallIntegerField(
        "target agreement (%)", default=80,
        validators=[MinValueValidator(1), MaxValueValidator(100)],
        help_text="Say so on the review dashboard when the PMs of the last calibration round "
                  "agreed on the class of fewer than this share of its items.",
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name = verbose_name_plural = "calibration target"
        constraints = [
            models.CheckConstraint(condition=Q(share__gte=1, share__lte=100),
                                   name="agreement_target_is_a_percentage"),
        ]

    def __str__(self):
        return f"Calibration target: {self.share}%"

    @classmethod
    def current(cls):
        """The one row (a migration creates it); unsaved defaults if someone removed it.
        Reading never writes: the audit trail should not show a team lead creating it."""
        return cls.objects.order_by("pk").first() or cls()
