"""The product's own numbers: a success metric's value for a product and a month.

Readings are recorded (by admins, the API, a CSV), corrected with the version they were
read at, and withdrawn as an audited correction; never overwritten by a second reading.
"""

from datetime import date, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models import Exists, F, OuterRef, Q
from django.urls import reverse
from django.utils import timezone
from simple_history.models import HistoricalRecords

from personas.models import SuccessMetric
from roadmap.models import EditConflict, Product, RoadmapItem, Status, TriageMetric
from whobenefits.numbers import number_label

VALUE_DIGITS, VALUE_PLACES = 16, 2
# A month outside these years is a typo, not a reading.
FIRST_YEAR = 2000


def month_of(day):
    """The first day of `day`'s month: how a reading's period is stored."""
    return day.replace(day=1)


def this_month():
    return month_of(timezone.localdate())


def months_back(month, count):
    """The month `count` months before `month` (a first of the month)."""
    index = month.year * 12 + month.month - 1 - count
    return date(index // 12, index % 12 + 1, 1)


def period_label(period):
    return period.strftime("%Y-%m")


# What a withdrawal refused by MetricReading.withdraw()'s version check says, wherever it is.
WITHDRAW_REFUSED = ("Someone corrected {reading} since you opened it, so it was not withdrawn: "
                    "check its value, then try again.")


class MetricReadingQuerySet(models.QuerySet):
    def for_products(self, products):
        return self.filter(product__in=products)

    def since(self, month):
        return self.filter(period__gte=month)

    def for_list(self):
        """What the readings page shows, in one query."""
        return self.select_related("metric", "product", "recorded_by").order_by(
            "product__name", "metric__side", "metric__order", "metric__name", "-period")


class MetricReading(models.Model):
    """A success metric's value for a product and a month (revenue in March: 120,000)."""

    metric = models.ForeignKey(SuccessMetric, on_delete=models.PROTECT, related_name="readings",
                               verbose_name="success metric")
    product = models.ForeignKey(Product, on_delete=models.PROTECT, related_name="readings")
    # The first day of the month the value is for.
    period = models.DateField("month", help_text="The month the value is for, as 2026-11.")
    value = models.DecimalField(max_digits=VALUE_DIGITS, decimal_places=VALUE_PLACES)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                    related_name="+")
    recorded_at = models.DateTimeField(default=timezone.now)
    # Bumped by every correction: one made from an older version is refused.
    version = models.PositiveIntegerField(default=1)

    history = HistoricalRecords()
    objects = MetricReadingQuerySet.as_manager()

    class Meta:
        ordering = ["product", "metric", "-period"]
        constraints = [
            models.UniqueConstraint(fields=["metric", "product", "period"],
                                    name="one_reading_per_metric_product_month"),
            models.CheckConstraint(condition=Q(version__gte=1), name="reading_version_positive"),
        ]

    def __str__(self):
        return f"{self.metric} for {self.product}, {period_label(self.period)}"

    def get_absolute_url(self):
        return reverse("outcomes:reading-edit", args=[self.pk])

    def clean(self):
        # The admin's form: the same rules as record(), checked when the reading is new or
        # moves to another metric, product or month; its value whenever it is saved.
        if self.metric_id and (refused := self.metric.value_error(self.value)):
            raise ValidationError({"value": refused})
        if not (self.metric_id and self.product_id and self.period):
            return
        self.period = month_of(self.period)
        saved = MetricReading.objects.filter(pk=self.pk).values_list(
            "metric_id", "product_id", "period").first()
        if saved != (self.metric_id, self.product_id, self.period):
            MetricReading.check_new(metric=self.metric, product=self.product,
                                    period=self.period, exclude_pk=self.pk)

    @classmethod
    def check_new(cls, *, metric, product, period, value=None, exclude_pk=None):
        """The rules a new reading (or one moved to another month) must meet, as a
        ValidationError naming the field: each field's own (a value its metric can take)
        and one reading per month."""
        errors = {}
        if refused := metric.value_error(value):
            errors["value"] = refused
        if metric.archived:
            errors["metric"] = f"{metric.name} is archived: it takes no new readings."
        if period > this_month():
            errors["period"] = (f"{period_label(period)} has not started yet: readings are for "
                                "months that have begun.")
        elif period.year < FIRST_YEAR:
            errors["period"] = f"{period_label(period)} is before {FIRST_YEAR}: check the year."
        if not errors.keys() - {"value"}:
            taken = cls.objects.filter(metric=metric, product=product, period=period).exclude(
                pk=exclude_pk).first()
            if taken:
                errors["period"] = (
                    f"{metric.name} for {product.name} already has a reading for "
                    f"{period_label(period)} ({number_label(taken.value)}): correct that one "
                    "instead.")
        if errors:
            raise ValidationError(errors)

    @classmethod
    def record(cls, *, metric, product, period, value, recorded_by, reason=None):
        """Record a new reading; a ValidationError naming the field when the metric is
        archived or cannot take the value, the month is in the future or already has one."""
        period = month_of(period)
        with transaction.atomic():
            cls.check_new(metric=metric, product=product, period=period, value=value)
            reading = cls(metric=metric, product=product, period=period, value=value,
                          recorded_by=recorded_by)
            reading._history_user, reading._change_reason = recorded_by, reason
            reading.save()
        return reading

    def claim_version(self, expected_version):
        claimed = MetricReading.objects.filter(pk=self.pk, version=expected_version).update(
            version=F("version") + 1)
        if not claimed:
            raise EditConflict(MetricReading.objects.select_related("metric", "product").get(
                pk=self.pk))
        self.version = expected_version + 1

    def correct(self, *, value, expected_version, corrected_by, reason=""):
        """Replace the value unless someone corrected it since `expected_version` (then
        EditConflict with the reading as it is); on the audit trail with the reason. A value
        its metric cannot take is a ValidationError naming the value."""
        if refused := self.metric.value_error(value):
            raise ValidationError({"value": refused})
        with transaction.atomic():
            self.claim_version(expected_version)
            self.value = value
            self._history_user = corrected_by
            self._change_reason = (reason or "Corrected")[:100]
            self.save()

    def withdraw(self, *, expected_version, withdrawn_by, reason=""):
        """Delete the reading as an audited correction: the trail keeps its last value, who
        withdrew it and why. EditConflict (WITHDRAW_REFUSED to say) when someone corrected it
        since `expected_version`."""
        with transaction.atomic():
            self.claim_version(expected_version)
            self._history_user = withdrawn_by
            self._change_reason = (reason or "Withdrawn")[:100]
            self.delete()

    def last_change(self):
        """Who saved the reading last, and when: what a refused correction names."""
        record = self.history.select_related("history_user").order_by("-history_date").first()
        return (record.history_user, record.history_date) if record else (None, None)


# Did it move? ------------------------------------------------------------------------------

# How long after shipping the owner is asked whether the item's metrics moved, and how
# long a "too early" answer waits before asking again.
ASK_AFTER = timedelta(weeks=6)


class Verdict(models.TextChoices):
    MOVED = "moved", "Moved"
    DID_NOT_MOVE = "did_not_move", "Did not move"
    TOO_EARLY = "too_early", "Too early to tell"


def items_to_ask(items, *, now=None):
    """The shipped `items` whose triage named metrics, shipped at least six weeks ago, with
    no answer yet or a "too early" given six weeks ago or more: the owner's question."""
    now = now or timezone.now()
    asked = ItemOutcome.objects.filter(item=OuterRef("pk")).filter(
        ~Q(verdict=Verdict.TOO_EARLY) | Q(answered_at__gt=now - ASK_AFTER))
    return items.with_status(Status.SHIPPED).filter(
        Exists(TriageMetric.objects.filter(triage__item=OuterRef("pk"))),
        shipped_on__lte=timezone.localdate(now) - ASK_AFTER).exclude(Exists(asked))


class ItemOutcome(models.Model):
    """The owner's answer to "did its metrics move?" for a shipped item."""

    Verdict = Verdict

    item = models.OneToOneField(RoadmapItem, on_delete=models.CASCADE, related_name="outcome")
    verdict = models.CharField(max_length=12, choices=Verdict.choices)
    note = models.TextField(blank=True, max_length=2000,
                            help_text="What the numbers show: “Adoption up 8% in six weeks”.")
    answered_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                    related_name="+")
    answered_at = models.DateTimeField(default=timezone.now)
    version = models.PositiveIntegerField(default=1)

    history = HistoricalRecords()

    class Meta:
        constraints = [
            models.CheckConstraint(condition=Q(verdict__in=Verdict.values),
                                   name="outcome_verdict_valid"),
        ]

    def __str__(self):
        return f"{self.item}: {self.get_verdict_display().lower()}"

    @classmethod
    def answer(cls, item, *, verdict, note, answered_by, expected_version):
        """Record or change the answer for `item`; `expected_version` is the answer's (0 for
        none) when the form was opened: someone else's answer since raises EditConflict."""
        with transaction.atomic():
            current = cls.objects.select_for_update().filter(item=item).first()
            if current and current.version != expected_version:
                raise EditConflict(current)
            outcome = current or cls(item=item)
            if current:
                outcome.version += 1
            outcome.verdict, outcome.note = verdict, note
            outcome.answered_by, outcome.answered_at = answered_by, timezone.now()
            outcome._history_user = answered_by
            outcome.save()
        return outcome

    def last_change(self):
        record = self.history.select_related("history_user").order_by("-history_date").first()
        return (record.history_user, record.history_date) if record else (None, None)


# Telling people ----------------------------------------------------------------------------

DIGEST_EVERY = timedelta(days=7)


class EmailSettings(models.Model):
    """What one person is emailed: a PM hears when their item is challenged (on unless
    they switch it off); team leads subscribe to the weekly digest."""

    person = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                                  related_name="email_settings")
    challenge_emails = models.BooleanField(
        "email me when an item I own is challenged", default=True)
    weekly_digest = models.BooleanField(
        "send me the weekly digest", default=False,
        help_text="Every week: the traps, this quarter and next against their targets, the "
                  "warning signs in the product's metrics, items whose tag disagrees with the "
                  "evidence, and the challenges answered.")
    last_digest_at = models.DateTimeField(null=True, blank=True, editable=False)

    history = HistoricalRecords(excluded_fields=["last_digest_at"])

    class Meta:
        verbose_name = verbose_name_plural = "email settings"

    def __str__(self):
        return f"Email settings of {self.person}"

    @classmethod
    def of(cls, person):
        """`person`'s settings; the defaults, unsaved, for someone who never changed them."""
        return cls.objects.filter(person=person).first() or cls(person=person)

    def digest_due(self, now):
        return self.last_digest_at is None or now - self.last_digest_at >= DIGEST_EVERY - \
            timedelta(hours=1)  # a timer that fires a little early still sends
