from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models, transaction
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify
from simple_history import register
from simple_history.models import HistoricalRecords

from personas.models import Persona, Side, SuccessMetric

VALUE_FOR_OTHER_SIDE_MAX_LENGTH = 1000
REVIEW_COMMENT_MAX_LENGTH = 2000


class BeneficiaryClass(models.TextChoices):
    """Who an item benefits, derived from the sides of its primary beneficiaries."""

    CUSTOMERS = "customers", "Customers only"
    USERS = "users", "Users only"
    BOTH = "both", "Both"

    @classmethod
    def from_sides(cls, sides):
        sides = set(sides)
        if not sides:
            raise ValueError("An item with no beneficiaries has no class: it is untriaged.")
        if sides == {Side.CUSTOMER}:
            return cls.CUSTOMERS
        if sides == {Side.USER}:
            return cls.USERS
        return cls.BOTH

    @property
    def benefiting_side(self):
        """The one side a one-sided class benefits; None for both."""
        return {self.CUSTOMERS: Side.CUSTOMER, self.USERS: Side.USER}.get(self)


class Product(models.Model):
    """A product area or team roadmap that owns roadmap items."""

    name = models.CharField(max_length=80, unique=True)
    slug = models.SlugField(max_length=80, unique=True)
    description = models.CharField(max_length=300, blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        if not self.slug:
            self.slug = slugify(self.name)[:80]
        super().save(*args, **kwargs)


class Status(models.TextChoices):
    IDEA = "idea", "Idea"
    PLANNED = "planned", "Planned"
    IN_PROGRESS = "in_progress", "In progress"
    SHIPPED = "shipped", "Shipped"
    DROPPED = "dropped", "Dropped"


class Horizon(models.TextChoices):
    NOW = "now", "Now"
    NEXT = "next", "Next"
    LATER = "later", "Later"


class RoadmapItemQuerySet(models.QuerySet):
    def for_product(self, product):
        return self.filter(product=product)

    def in_horizon(self, horizon):
        return self.filter(horizon=horizon)

    def with_status(self, status):
        return self.filter(status=status)

    def untriaged(self):
        return self.filter(triage__isnull=True)

    def triaged(self):
        return self.filter(triage__isnull=False)

    def of_class(self, beneficiary_class):
        return self.filter(triage__beneficiary_class=beneficiary_class)

    def one_sided_without_value(self):
        """Items that benefit one side and do not say how they help the other."""
        return self.filter(
            triage__beneficiary_class__in=[BeneficiaryClass.CUSTOMERS, BeneficiaryClass.USERS],
            triage__value_for_other_side="",
        )

    def for_list(self):
        """What the roadmap list shows, in a fixed number of queries."""
        return self.select_related("product", "owner", "triage", "review").prefetch_related(
            "triage__primary_beneficiaries"
        )


class RoadmapItem(models.Model):
    """A piece of work on a product's roadmap, and the request it came from."""

    Status = Status

    Horizon = Horizon

    product = models.ForeignKey(Product, on_delete=models.PROTECT, related_name="items")
    title = models.CharField(max_length=200)
    description = models.TextField(blank=True, max_length=5000)
    request_quote = models.TextField(
        "originating request", blank=True, max_length=2000,
        help_text="The request in the requester's own words.",
    )
    requesting_persona = models.ForeignKey(
        Persona, on_delete=models.PROTECT, null=True, blank=True, related_name="requested_items",
    )
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.IDEA)
    horizon = models.CharField(max_length=5, choices=Horizon.choices, default=Horizon.LATER)
    effort = models.PositiveSmallIntegerField(
        null=True, blank=True, help_text="Estimated effort in points (optional)."
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
        related_name="owned_items",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    # Bumped by every change to the item or its triage: a save that names an older
    # version is refused instead of overwriting someone else's work.
    version = models.PositiveIntegerField(default=1)

    history = HistoricalRecords(excluded_fields=["updated_at"])
    objects = RoadmapItemQuerySet.as_manager()

    class Meta:
        ordering = ["product__name", "title", "pk"]
        permissions = [
            ("triage_roadmapitem", "Can triage roadmap items"),
            ("review_roadmapitem", "Can review roadmap items"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=Status.values),
                name="item_status_valid",
            ),
            models.CheckConstraint(
                condition=Q(horizon__in=Horizon.values),
                name="item_horizon_valid",
            ),
            models.CheckConstraint(condition=Q(version__gte=1), name="item_version_positive"),
        ]
        indexes = [models.Index(fields=["product", "horizon", "status"])]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("roadmap:item-detail", args=[self.pk])

    def current_triage(self):
        """The triage answer, or None when untriaged. Reads self.triage: select_related it."""
        try:
            return self.triage
        except Triage.DoesNotExist:
            return None

    def current_review(self):
        """The team lead's review, or None. Reads self.review: select_related it."""
        try:
            return self.review
        except Review.DoesNotExist:
            return None

    @property
    def beneficiary_class(self):
        triage = self.current_triage()
        return triage.beneficiary_class if triage else None

    def claim_version(self, expected_version):
        """Bump the version if it is still `expected_version`; else raise EditConflict."""
        claimed = RoadmapItem.objects.filter(pk=self.pk, version=expected_version).update(
            version=F("version") + 1, updated_at=timezone.now()
        )
        if not claimed:
            raise EditConflict(RoadmapItem.objects.get(pk=self.pk))
        self.version = expected_version + 1

    def record_triage(
        self, *, primary_beneficiaries, whose_problem, triaged_by, expected_version,
        value_for_other_side="", indirect_beneficiaries=(), metrics=(),
    ):
        """Save the triage answer (or clear it), bump the version and record history.

        No primary beneficiaries returns the item to untriaged. Raises EditConflict when
        someone else saved the item since `expected_version`, ValidationError when the
        answer breaks a rule the form should have caught.
        """
        primary = list(primary_beneficiaries)
        indirect = list(indirect_beneficiaries)
        metrics = list(metrics)
        with transaction.atomic():
            self.claim_version(expected_version)
            if not primary:
                self._clear_triage(triaged_by)
                return None
            triage = self.current_triage() or Triage(item=self)
            triage.set_answer(
                primary, whose_problem, value_for_other_side, indirect, metrics, triaged_by
            )
            self._mark_challenge_answered(triaged_by)
            return triage

    def _clear_triage(self, triaged_by):
        triage = self.current_triage()
        if triage is not None:
            triage._history_user = triaged_by
            triage.delete()
            # Forget the cached relation so self.current_triage() says untriaged.
            self._state.fields_cache.pop("triage", None)
        self._mark_challenge_answered(triaged_by)

    def _mark_challenge_answered(self, answered_by):
        review = self.current_review()
        if review and review.verdict == Review.Verdict.CHALLENGED and not review.answered_at:
            review.answered_at = timezone.now()
            review._history_user = answered_by
            review.save(update_fields=["answered_at"])

    def record_review(self, *, verdict, comment, reviewed_by):
        """Accept or challenge the item's current triage; one review per item, history kept."""
        if self.current_triage() is None:
            raise ValidationError("Only a triaged item can be reviewed.")
        comment = comment.strip()
        if verdict == Review.Verdict.CHALLENGED and not comment:
            raise ValidationError({"comment": "Say why you challenge this item."})
        review = self.current_review() or Review(item=self)
        review.verdict = verdict
        review.comment = comment
        review.reviewed_by = reviewed_by
        review.reviewed_at = timezone.now()
        review.answered_at = None
        review._history_user = reviewed_by
        review.save()
        return review


class EditConflict(Exception):
    """Someone else saved the item after this edit began; `current` is the item as it is now."""

    def __init__(self, current):
        super().__init__(f"Roadmap item {current.pk} is at version {current.version}.")
        self.current = current


class TriagePrimaryBeneficiary(models.Model):
    triage = models.ForeignKey("Triage", on_delete=models.CASCADE)
    # PROTECT: a persona that roadmap items name is archived, never deleted.
    persona = models.ForeignKey(Persona, on_delete=models.PROTECT)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["triage", "persona"], name="unique_primary_persona")
        ]

    def __str__(self):
        return f"{self.persona} on triage {self.triage_id}"


class TriageIndirectBeneficiary(models.Model):
    triage = models.ForeignKey("Triage", on_delete=models.CASCADE)
    persona = models.ForeignKey(Persona, on_delete=models.PROTECT)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["triage", "persona"], name="unique_indirect_persona")
        ]

    def __str__(self):
        return f"{self.persona} on triage {self.triage_id}"


class TriageMetric(models.Model):
    triage = models.ForeignKey("Triage", on_delete=models.CASCADE)
    metric = models.ForeignKey(SuccessMetric, on_delete=models.PROTECT)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["triage", "metric"], name="unique_triage_metric")
        ]

    def __str__(self):
        return f"{self.metric} on triage {self.triage_id}"


class TriageQuerySet(models.QuerySet):
    def with_personas(self):
        return self.prefetch_related("primary_beneficiaries", "indirect_beneficiaries", "metrics")


class Triage(models.Model):
    """The PM's answer to the two triage questions for one roadmap item."""

    item = models.OneToOneField(RoadmapItem, on_delete=models.CASCADE, related_name="triage")
    primary_beneficiaries = models.ManyToManyField(
        Persona, through=TriagePrimaryBeneficiary, related_name="primary_for",
    )
    # Derived from the primary beneficiaries' sides by set_answer(), the one write path;
    # stored so the dashboard can count classes in the database.
    beneficiary_class = models.CharField(max_length=9, choices=BeneficiaryClass.choices)
    whose_problem = models.CharField(
        max_length=8, choices=[(Side.CUSTOMER, "Customer problem"), (Side.USER, "User problem")],
    )
    value_for_other_side = models.TextField(
        "how it creates value for the other side", blank=True,
        max_length=VALUE_FOR_OTHER_SIDE_MAX_LENGTH,
    )
    indirect_beneficiaries = models.ManyToManyField(
        Persona, through=TriageIndirectBeneficiary, related_name="indirect_for", blank=True,
    )
    metrics = models.ManyToManyField(
        SuccessMetric, through=TriageMetric, related_name="triages", blank=True,
        verbose_name="success metrics",
    )
    triaged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    triaged_at = models.DateTimeField()

    history = HistoricalRecords(
        m2m_fields=[primary_beneficiaries, indirect_beneficiaries, metrics]
    )
    objects = TriageQuerySet.as_manager()

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(beneficiary_class__in=BeneficiaryClass.values),
                name="triage_class_valid",
            ),
            models.CheckConstraint(
                condition=Q(whose_problem__in=[Side.CUSTOMER, Side.USER]),
                name="triage_whose_problem_valid",
            ),
            # Question 2 only exists for one-sided items.
            models.CheckConstraint(
                condition=~Q(beneficiary_class=BeneficiaryClass.BOTH) | Q(value_for_other_side=""),
                name="triage_both_has_no_other_side_value",
            ),
        ]

    def __str__(self):
        return f"Triage of {self.item_id}: {self.get_beneficiary_class_display()}"

    @property
    def is_one_sided(self):
        return self.beneficiary_class != BeneficiaryClass.BOTH

    @property
    def lacks_other_side_value(self):
        """One-sided with no stated value for the other side: a warning for the team lead."""
        return self.is_one_sided and not self.value_for_other_side

    @property
    def other_side(self):
        side = BeneficiaryClass(self.beneficiary_class).benefiting_side
        return side.other if side else None

    def set_answer(self, primary, whose_problem, value_for_other_side, indirect, metrics,
                   triaged_by):
        """Write the answer and its persona and metric picks as one history record."""
        beneficiary_class = BeneficiaryClass.from_sides(p.side for p in primary)
        benefiting_side = beneficiary_class.benefiting_side
        if benefiting_side is None:
            value_for_other_side, indirect = "", []
        elif any(p.side == benefiting_side for p in indirect):
            raise ValidationError(
                {"indirect_beneficiaries": "Indirect beneficiaries must be on the other side."}
            )
        self.beneficiary_class = beneficiary_class
        self.whose_problem = whose_problem
        self.value_for_other_side = value_for_other_side.strip()
        self.triaged_by = triaged_by
        self.triaged_at = timezone.now()
        # One history record for the whole answer: skip the records the save and each
        # many-to-many change would write, then save once more with everything in place.
        self.skip_history_when_saving = True
        try:
            self.save()
            self.primary_beneficiaries.set(primary)
            self.indirect_beneficiaries.set(indirect)
            self.metrics.set(metrics)
        finally:
            del self.skip_history_when_saving
        self._history_user = triaged_by
        self.save(update_fields=["triaged_at"])

    def replace_persona(self, old, new, *, changed_by, reason):
        """Name `new` wherever this answer names `old`, as one history record (persona merge)."""
        def swapped(personas):
            picked = [new if p.pk == old.pk else p for p in personas]
            return list(dict.fromkeys(picked))  # a merge can make two picks one

        primary = swapped(self.primary_beneficiaries.all())
        indirect = swapped(self.indirect_beneficiaries.all())
        self.skip_history_when_saving = True
        try:
            self.primary_beneficiaries.set(primary)
            self.indirect_beneficiaries.set(indirect)
        finally:
            del self.skip_history_when_saving
        self._history_user, self._change_reason = changed_by, reason
        self.save()


class Review(models.Model):
    """A team lead's verdict on an item's triage: accepted, or challenged with a reason."""

    class Verdict(models.TextChoices):
        ACCEPTED = "accepted", "Accepted"
        CHALLENGED = "challenged", "Challenged"

    item = models.OneToOneField(RoadmapItem, on_delete=models.CASCADE, related_name="review")
    verdict = models.CharField(max_length=10, choices=Verdict.choices)
    comment = models.TextField(blank=True, max_length=REVIEW_COMMENT_MAX_LENGTH)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    reviewed_at = models.DateTimeField()
    # Set when the PM re-triages a challenged item, for the team lead to look again.
    answered_at = models.DateTimeField(null=True, blank=True)

    history = HistoricalRecords()

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(verdict__in=["accepted", "challenged"]),
                name="review_verdict_valid",
            ),
            models.CheckConstraint(
                condition=~Q(verdict="challenged", comment=""),
                name="review_challenge_has_comment",
            ),
        ]

    def __str__(self):
        return f"{self.get_verdict_display()}: {self.item_id}"

    @property
    def is_open_challenge(self):
        return self.verdict == self.Verdict.CHALLENGED and self.answered_at is None


class ReviewThresholds(models.Model):
    """The shares of one-sided work that trigger the two trap warnings; one row, set by admins."""

    class Scope(models.TextChoices):
        NOW = "now", "Now horizon"
        NOW_AND_NEXT = "now_next", "Now and next horizons"

    buyers_only_share = models.PositiveSmallIntegerField(
        "building only for buyers above (%)", default=50,
        validators=[MinValueValidator(0), MaxValueValidator(100)],
        help_text="Warn when customers-only items pass this share of the triaged items in scope.",
    )
    users_only_share = models.PositiveSmallIntegerField(
        "building only for users above (%)", default=50,
        validators=[MinValueValidator(0), MaxValueValidator(100)],
        help_text="Warn when users-only items pass this share of the triaged items in scope.",
    )
    scope = models.CharField(max_length=8, choices=Scope.choices, default=Scope.NOW_AND_NEXT)

    history = HistoricalRecords()

    class Meta:
        verbose_name = verbose_name_plural = "review thresholds"
        constraints = [
            models.CheckConstraint(
                condition=Q(buyers_only_share__lte=100) & Q(users_only_share__lte=100),
                name="threshold_shares_are_percentages",
            ),
            models.CheckConstraint(
                condition=Q(scope__in=["now", "now_next"]), name="threshold_scope_valid"
            ),
        ]

    def __str__(self):
        return "Review thresholds"

    @classmethod
    def current(cls):
        """The one row, created with the defaults the first time it is asked for."""
        return cls.objects.get_or_create(pk=1)[0]


class PersonHistoricalRecords(HistoricalRecords):
    """History of the people who sign in, without a record for every login."""

    def post_save(self, instance, created, using=None, **kwargs):
        # Django saves last_login alone at each login; the security log has logins.
        if kwargs.get("update_fields") == frozenset({"last_login"}):
            return
        super().post_save(instance, created, using=using, **kwargs)


# Role changes are group membership changes: track auth's User with its groups, so the
# audit trail shows who gave whom which role. The historical tables live in this app
# (roles are defined here); the password hash and last login never enter the trail.
register(
    get_user_model(), app="roadmap", records_class=PersonHistoricalRecords,
    m2m_fields=["groups"], excluded_fields=["password", "last_login"],
)
