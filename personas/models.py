from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.text import slugify
from simple_history.models import HistoricalRecords


class Side(models.TextChoices):
    """The two sides of every roadmap question: who pays and who works in the product."""

    CUSTOMER = "customer", "Customers"
    USER = "user", "Users"

    @property
    def other(self):
        return Side.USER if self == Side.CUSTOMER else Side.CUSTOMER


SIDE_VALUES = Side.values


class SuccessMetricQuerySet(models.QuerySet):
    def active(self):
        return self.filter(archived=False)

    def on_side(self, side):
        return self.filter(side=side)


class SuccessMetric(models.Model):
    """A number that shows one side is better off: revenue, renewal rate, daily active users..."""

    Side = Side

    name = models.CharField(max_length=80, unique=True)
    side = models.CharField(max_length=8, choices=Side.choices)
    description = models.CharField(max_length=300, blank=True)
    order = models.PositiveSmallIntegerField(default=0)
    # Archived, never deleted: old triage answers still name it.
    archived = models.BooleanField(default=False)

    history = HistoricalRecords()
    objects = SuccessMetricQuerySet.as_manager()

    class Meta:
        ordering = ["side", "order", "name"]
        constraints = [
            models.CheckConstraint(condition=Q(side__in=SIDE_VALUES), name="metric_side_valid"),
        ]

    def __str__(self):
        return self.name


class Archetype(models.TextChoices):
    """What role a persona plays for the people who buy or use the product."""

    BUYER = "buyer", "Buyer"
    DECISION_MAKER = "decision_maker", "Decision-maker"
    ADMINISTRATOR = "administrator", "Administrator"
    CHAMPION = "champion", "Champion"
    END_USER = "end_user", "End user"
    POWER_USER = "power_user", "Power user"
    OCCASIONAL_USER = "occasional_user", "Occasional user"


class PersonaQuerySet(models.QuerySet):
    def active(self):
        return self.filter(archived=False)

    def on_side(self, side):
        return self.filter(side=side)


class Persona(models.Model):
    """Someone a roadmap item can benefit; on the customer side or on the user side."""

    Side = Side

    Archetype = Archetype

    name = models.CharField(max_length=80, unique=True)
    slug = models.SlugField(max_length=80, unique=True)
    side = models.CharField(max_length=8, choices=Side.choices)
    archetype = models.CharField(max_length=20, choices=Archetype.choices)
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
            models.CheckConstraint(condition=Q(side__in=SIDE_VALUES), name="persona_side_valid"),
            models.CheckConstraint(
                condition=Q(archetype__in=Archetype.values),
                name="persona_archetype_valid",
            ),
        ]

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        if not self.slug:
            self.slug = slugify(self.name)[:80]
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return reverse("personas:persona-list") + f"#persona-{self.slug}"

    def clean(self):
        # The beneficiary class stored on triage answers is derived from persona sides.
        if self.pk and self.side != Persona.objects.get(pk=self.pk).side and self.is_in_use():
            raise ValidationError({"side": "Roadmap items name this persona, so its side is "
                                           "fixed. Archive it and create a new one instead."})

    def is_in_use(self):
        """Whether any roadmap item names this persona (a few EXISTS queries)."""
        return (self.primary_for.exists() or self.indirect_for.exists()
                or self.requested_items.exists())
