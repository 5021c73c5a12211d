from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models import Count, IntegerField, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils.text import slugify
from simple_history.models import HistoricalRecords

from whobenefits import changes


class Side(models.TextChoices):
    """The two sides of every roadmap question: who pays and who works in the product."""

    CUSTOMER = "customer", "Customers"
    USER = "user", "Users"

    @property
    def other(self):
        return Side.USER if self == Side.CUSTOMER else Side.CUSTOMER

    @property
    def persona_sides(self):
        """The persona sides on this side: its own, and pays and uses."""
        return [PersonaSide(self.value), PersonaSide.BOTH]


class PersonaSide(models.TextChoices):
    """Where a persona stands: on one side, or on both when whoever pays also works in the
    product every day (a self-serve plan, a consumer app, a small team)."""

    CUSTOMER = Side.CUSTOMER.value, "Customers"
    USER = Side.USER.value, "Users"
    BOTH = "both", "Pays and uses"

    @property
    def sides(self):
        """The sides (customers, users) a persona on this side is on."""
        return list(Side) if self == PersonaSide.BOTH else [Side(self.value)]


# Higher apps whose rows name personas (evidence notes) register here, from their
# AppConfig.ready(): a check that their rows fix a persona's side, and how a merge moves
# their rows to the persona kept. personas never imports them.
IN_USE_CHECKS = []
MERGE_MOVES = []


class SuccessMetricQuerySet(models.QuerySet):
    def active(self):
        return self.filter(archived=False)

    def on_side(self, side):
        return self.filter(side=side)


def count_of(model, **lookups):
    """A correlated subquery counting `model` rows that point at the outer row."""
    rows = model.objects.filter(**lookups).order_by().values(*lookups).annotate(n=Count("*"))
    return Coalesce(Subquery(rows.values("n"), output_field=IntegerField()), 0)


class MetricKind(models.TextChoices):
    """What kind of number a metric is, which says what its readings can be."""

    AMOUNT = "amount", "An amount or a count (0 or more): revenue, daily active users"
    SHARE = "share", "A share in percent (0 to 100): renewal rate, feature adoption"
    CHANGE = "change", "A change or a score that can be below zero: net revenue change, NPS"


class SuccessMetric(models.Model):
    """A number that shows one side is better off: revenue, renewal rate, daily active users..."""

    Side = Side
    Kind = MetricKind

    name = models.CharField(max_length=80, unique=True)
    side = models.CharField(max_length=8, choices=Side.choices)
    kind = models.CharField(
        max_length=6, choices=MetricKind.choices, default=MetricKind.AMOUNT,
        help_text="Revenue, counts and shares are never below zero, so a negative reading of "
                  "them is refused as a typo; only a change or a score takes one.")
    description = models.CharField(max_length=300, blank=True)
    order = models.PositiveSmallIntegerField(default=0)
    # Archived, never deleted: old triage answers still name it.
    archived = models.BooleanField(default=False)

    history = HistoricalRecords()
    objects = SuccessMetricQuerySet.as_manager()

    class Meta:
        ordering = ["side", "order", "name"]
        constraints = [
            models.CheckConstraint(condition=Q(side__in=Side.values), name="metric_side_valid"),
            models.CheckConstraint(condition=Q(kind__in=MetricKind.values),
                                   name="metric_kind_valid"),
        ]

    def __str__(self):
        return self.name

    def clean(self):
        # Triage answers picked this metric for its side; a flip would silently change them.
        if self.pk and self.side != SuccessMetric.objects.get(pk=self.pk).side and self.is_in_use():
            raise ValidationError({"side": "Triage answers use this metric, so its side is "
                                           "fixed. Archive it and create a new one instead."})
        # A new kind must fit the readings it has (outcomes' rows, through the reverse
        # relation); readings from before kinds existed are kept as they are otherwise.
        if self.pk and self.kind != SuccessMetric.objects.get(pk=self.pk).kind:
            readings = self.readings.all()
            if self.kind != MetricKind.CHANGE and readings.filter(value__lt=0).exists():
                raise ValidationError({"kind": "Some of its readings are below zero: correct "
                                               "them first, or keep it a change or a score."})
            if self.kind == MetricKind.SHARE and readings.filter(value__gt=100).exists():
                raise ValidationError({"kind": "Some of its readings are above 100: correct "
                                               "them first, or make it an amount."})

    def value_error(self, value):
        """Why `value` cannot be a reading of this metric, or "" when it can: the one rule
        the readings page, the admin, the API and the CSV import share."""
        if self.kind == MetricKind.CHANGE or value is None:
            return ""
        if self.kind == MetricKind.SHARE and not 0 <= value <= 100:
            return f"{self.name} is a share in percent: enter a value from 0 to 100."
        if value < 0:
            return (f"{self.name} cannot be below zero: enter 0 or more (if it can, an admin "
                    "makes it a change or a score).")
        return ""

    def is_in_use(self):
        """Whether any triage answer picked this metric (one EXISTS query)."""
        return self.triages.exists()


class BuiltInArchetype(models.TextChoices):
    """The archetypes every installation has (migration 0003 creates them); admins add more."""

    BUYER = "buyer", "Buyer"
    DECISION_MAKER = "decision_maker", "Decision-maker"
    ADMINISTRATOR = "administrator", "Administrator"
    CHAMPION = "champion", "Champion"
    END_USER = "end_user", "End user"
    POWER_USER = "power_user", "Power user"
    OCCASIONAL_USER = "occasional_user", "Occasional user"


class Archetype(models.Model):
    """What role a persona plays for the people who buy or use the product, on a side: the
    built-in ones (buyer, end user...) and those admins add (security officer, procurement,
    a self-hosting operator, the customers' own customers)."""

    BuiltIn = BuiltInArchetype

    # What personas store (the built-in keys are the values they always had); fixed once made.
    key = models.SlugField(max_length=20, unique=True,
                           help_text="Made from the name; it cannot change later.")
    name = models.CharField(max_length=80, unique=True)
    side = models.CharField(max_length=8, choices=PersonaSide.choices)
    description = models.CharField(max_length=300, blank=True)
    order = models.PositiveSmallIntegerField(default=0)
    built_in = models.BooleanField(default=False, editable=False)

    history = HistoricalRecords()

    class Meta:
        ordering = ["-built_in", "order", "name"]
        constraints = [
            models.CheckConstraint(condition=Q(side__in=PersonaSide.values),
                                   name="archetype_side_valid"),
        ]

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        if not self.key:
            self.key = slugify(self.name)[:20]
        super().save(*args, **kwargs)


class PersonaQuerySet(models.QuerySet):
    def active(self):
        return self.filter(archived=False)

    def on_side(self, side):
        """The personas on `side` (customers or users), those who pay and use included."""
        return self.filter(side__in=Side(side).persona_sides)

    def with_usage(self):
        """Annotate how many items name each persona: primary, indirect, requesting.

        Correlated subqueries, so the whole list stays one query and no join multiplies rows.
        """
        return self.annotate(
            primary_count=count_of(Persona.primary_for.through, persona=OuterRef("pk")),
            indirect_count=count_of(Persona.indirect_for.through, persona=OuterRef("pk")),
            requested_count=count_of(
                Persona.requested_items.field.model, requesting_persona=OuterRef("pk")
            ),
        )


class Persona(models.Model):
    """Someone a roadmap item can benefit: a customer, a user, or one who pays and uses."""

    Side = PersonaSide

    name = models.CharField(max_length=80, unique=True)
    slug = models.SlugField(max_length=80, unique=True)
    side = models.CharField(
        max_length=8, choices=PersonaSide.choices,
        help_text="Pays and uses: whoever pays also works in the product every day (a "
                  "self-serve plan, a consumer app, a small team). Rare in B2B.",
    )
    # The key, not the id: the column keeps the values it had before archetypes were rows.
    archetype = models.ForeignKey(
        Archetype, to_field="key", db_column="archetype", on_delete=models.PROTECT,
        related_name="personas",
    )
    description = models.CharField(max_length=300, blank=True)
    concerns = models.TextField(blank=True, help_text="What this persona cares about.")
    metrics = models.ManyToManyField(
        SuccessMetric, blank=True, related_name="personas",
        verbose_name="success metrics", help_text="The success metrics this persona watches.",
    )
    order = models.PositiveSmallIntegerField(default=0)
    # Archived, never deleted: roadmap items that name it keep their meaning.
    archived = models.BooleanField(default=False)

    history = HistoricalRecords(m2m_fields=[metrics])
    objects = PersonaQuerySet.as_manager()

    class Meta:
        ordering = ["side", "order", "name"]
        constraints = [
            models.CheckConstraint(condition=Q(side__in=PersonaSide.values),
                                   name="persona_side_valid"),
        ]

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        if not self.slug:
            self.slug = slugify(self.name)[:80]
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return reverse("personas:persona-list") + f"#persona-{self.slug}"

    @classmethod
    def kept_in_order(cls):
        """{id: persona} of every persona, archived ones too, in their order; kept until
        one changes (whobenefits/changes.py), for lists that name personas by id. Read
        only: they are shared."""
        return changes.kept.get_or_compute(
            "personas-in-order", lambda: {persona.pk: persona for persona in cls.objects.all()},
            reads=["personas_"])

    @property
    def sides(self):
        """The sides it is on: one, or both for a persona who pays and uses."""
        return PersonaSide(self.side).sides

    @property
    def only_side(self):
        """The one side it is on; None for a persona who pays and uses."""
        sides = self.sides
        return sides[0] if len(sides) == 1 else None

    def clean(self):
        # The beneficiary class stored on triage answers is derived from persona sides.
        if self.pk and self.side != Persona.objects.get(pk=self.pk).side and self.is_in_use():
            raise ValidationError({"side": "Roadmap items name this persona, so its side is "
                                           "fixed. Archive it and create a new one instead."})

    def is_in_use(self):
        """Whether any roadmap item names this persona (a few EXISTS queries)."""
        return (self.primary_for.exists() or self.indirect_for.exists()
                or self.requested_items.exists() or any(check(self) for check in IN_USE_CHECKS))

    def merge_into(self, kept, *, merged_by):
        """Move every tag, request, indirect mention (and what higher apps registered in
        MERGE_MOVES: evidence notes) of this persona to `kept`; archive it.

        One transaction; every triage, item and persona it touches gets a history record by
        `merged_by` whose change reason names the merge. Affected items get a new version,
        so a triage form opened before the merge cannot put this persona back.
        """
        if kept.pk == self.pk:
            raise ValidationError("Pick two different personas to merge.")
        if kept.side != self.side:
            # Moving tags across sides would change the items' beneficiary class.
            raise ValidationError(
                f"“{self}” and “{kept}” are on different sides; only personas on the "
                "same side can be merged."
            )
        reason = f"Merged persona “{self.name}” into “{kept.name}”"
        Triage = Persona.primary_for.field.model
        RoadmapItem = Persona.requested_items.field.model
        with transaction.atomic():
            # Lock the items first: a PM saving a triage meanwhile waits, then sees a new version.
            named_in = Triage.objects.filter(
                Q(primary_beneficiaries=self) | Q(indirect_beneficiaries=self)
            ).values("item_id")
            items = list(RoadmapItem.objects.select_for_update().filter(
                Q(pk__in=named_in) | Q(requesting_persona=self)))
            triages = Triage.objects.filter(pk__in=named_in.values("pk")).prefetch_related(
                "primary_beneficiaries", "indirect_beneficiaries")
            for triage in triages:
                triage.replace_persona(self, kept, changed_by=merged_by, reason=reason)
            for move in MERGE_MOVES:
                move(self, kept, merged_by=merged_by, reason=reason)
            for item in items:
                if item.requesting_persona_id == self.pk:
                    item.requesting_persona = kept
                item.version += 1
                item._history_user, item._change_reason = merged_by, reason
                item.save()
            kept.skip_history_when_saving = True  # one record for the kept persona, below
            try:
                kept.metrics.add(*self.metrics.all())
            finally:
                del kept.skip_history_when_saving
            kept._history_user, kept._change_reason = merged_by, reason
            kept.save()
            self.archived = True
            self._history_user, self._change_reason = merged_by, reason
            self.save()
