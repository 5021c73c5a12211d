
import copy
from collections import namedtuple
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import EmptyResultSet, ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import IntegrityError, connections, models, transaction
from django.db.models import (
    Case,
    CharField,
    Count,
    Exists,
    F,
    IntegerField,
    OuterRef,
    Prefetch,
    Q,
    StringAgg,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Cast, Coalesce
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify
from simple_history.models import HistoricalRecords

from personas.models import Persona, PersonaSide, Side, SuccessMetric
from whobenefits import changes

from . import roles  # noqa: F401  (registers the history of people and their roles)
from .quarters import QuarterField

TITLE_MAX_LENGTH = 200
DESCRIPTION_MAX_LENGTH = 5000
REQUEST_QUOTE_MAX_LENGTH = 2000
VALUE_FOR_OTHER_SIDE_MAX_LENGTH = 1000
REVIEW_COMMENT_MAX_LENGTH = 2000
EFFORT_MAX = 1000


class BeneficiaryClass(models.TextChoices):
    """Who an item benefits, derived from the sides of its primary beneficiaries."""

    CUSTOMERS = "customers", "Customers only"
    USERS = "users", "Users only"
    BOTH = "both", "Both"

    @classmethod
    def from_sides(cls, persona_sides):
        """The class personas on `persona_sides` make: one who pays and uses is on both."""
        sides = {side for persona_side in persona_sides for side in PersonaSide(persona_side).sides}
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


class WhoseProblem(models.TextChoices):
    """Triage question 1's other half: whose problem the item solves (a side's value)."""

    CUSTOMER = Side.CUSTOMER.value, "Customer problem"
    USER = Side.USER.value, "User problem"


class ValueLevel(models.IntegerChoices):
    """How much an item is worth to one side, as the PM judges it in the triage."""

    NONE = 0, "None"
    LOW = 1, "Low"
    MEDIUM = 2, "Medium"
    HIGH = 3, "High"


class Verdict(models.TextChoices):
    ACCEPTED = "accepted", "Accepted"
    CHALLENGED = "challenged", "Challenged"


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


class ProductQuerySet(models.QuerySet):
    def personas(self):
        """The personas of these products and those shared by all (no product lists them)."""
        own = Product.personas.through.objects.filter(persona=OuterRef("pk"))
        return Persona.objects.filter(~Exists(own) | Exists(own.filter(product__in=self)))

    def picked(self, products, *, all_but_demo=False):
        """`products`; with `all_but_demo`, every product but the demo's too."""
        from .demo import demo_products  # it imports this module

        chosen = Q(pk__in=[p.pk for p in products])
        if all_but_demo:
            chosen |= ~Q(pk__in=demo_products())
        return self.filter(chosen)


class Product(models.Model):
    """A product area or team roadmap that owns roadmap items."""

    name = models.CharField(max_length=80, unique=True)
    slug = models.SlugField(max_length=80, unique=True)
    description = models.CharField(max_length=300, blank=True)
    default_horizon = models.CharField(
        max_length=5, choices=Horizon.choices, default=Horizon.LATER,
        help_text="The horizon a new item of this product gets unless someone picks another.",
    )
    uses_horizons = models.BooleanField(
        "plans in horizons", default=True,
        help_text="Untick for a team that does not plan in now, next and later: all its items "
                  "then count in the trap warnings and the persona flags, later ones too.",
    )
    # Most personas are shared by every product; one listed here belongs to its products only.
    personas = models.ManyToManyField(
        Persona, blank=True, related_name="products", verbose_name="its own personas",
        help_text="Personas of this product only (and of any other product that lists them). "
                  "A persona no product lists is shared by all products.",
    )

    history = HistoricalRecords(m2m_fields=[personas])
    objects = ProductQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(condition=Q(default_horizon__in=Horizon.values),
                                   name="product_default_horizon_valid"),
        ]

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        if not self.slug:
            self.slug = slugify(self.name)[:80]
        super().save(*args, **kwargs)


class ExternalSource(models.TextChoices):
    """The tool an imported item came from."""

    JIRA = "jira", "Jira"
    LINEAR = "linear", "Linear"
    GITHUB = "github", "GitHub"
    PRODUCTBOARD = "productboard", "Productboard"
    WHOBENEFITS = "whobenefits", "Who Benefits export"
    SPREADSHEET = "spreadsheet", "Spreadsheet"


# Open work: what the review dashboard and its coverage sections count as planned.
OPEN_STATUSES = [Status.IDEA, Status.PLANNED, Status.IN_PROGRESS]
# A persona that no now or next item names is neglected for the foreseeable future.
NEAR_HORIZONS = [Horizon.NOW, Horizon.NEXT]
UNTRIAGED = "untriaged"
# One row of reach(): how many items of one horizon name a persona (relation "primary" or
# "indirect") or a metric ("metric"), and whether their product plans in horizons.
Reach = namedtuple("Reach", ["relation", "target_id", "horizon", "uses_horizons", "items"])


def counted_in(horizons, *, horizon, uses_horizons):
    """Whether a warning that looks at `horizons` counts an item in `horizon`: every item of
    a product that plans without horizons counts (Product.uses_horizons)."""
    return horizon in horizons or not uses_horizons


# One-sided items that do not say how they help the other side: a warning for the team lead.
LACKS_OTHER_SIDE_VALUE = Q(
    triage__beneficiary_class__in=[BeneficiaryClass.CUSTOMERS, BeneficiaryClass.USERS],
    triage__value_for_other_side="",
)


def horizon_rank():
    """Now, next, later as 0, 1, 2: their order, not the alphabet's."""
    return Case(*[When(horizon=h, then=Value(i)) for i, h in enumerate(Horizon.values)],
                output_field=IntegerField())


class QueueOrder(models.TextChoices):
    """The orders a PM can walk the triage queue in."""

    OLDEST = "oldest", "Oldest first"
    NEWEST = "newest", "Newest first"
    PRODUCT = "product", "By product"
    HORIZON = "horizon", "By horizon (now first)"


# Each order's sort keys, the last one unique (the pk), so the walk never repeats an item.
QUEUE_ORDERS = {
    QueueOrder.OLDEST: ["created_at", "pk"],
    QueueOrder.NEWEST: ["-created_at", "-pk"],
    QueueOrder.PRODUCT: ["product__name", "created_at", "pk"],
    QueueOrder.HORIZON: ["horizon_rank", "created_at", "pk"],
}


# What a row of the roadmap list reads (RoadmapItemQuerySet.for_list()).
LIST_FIELDS = (
    "id", "version", "title", "product__name", "external_source", "external_key",
    "external_url", "labels", "status", "horizon", "target_quarter", "effort", "shipped_on",
    "owner", "owner__username", "owner__first_name", "owner__last_name",
    "triage", "triage__beneficiary_class", "triage__value_for_other_side",
    "review", "review__verdict", "review__comment", "review__answered_at", "primary_ids",
)

# And what an item of the API reads beside them (RoadmapItemQuerySet.for_api()).
API_FIELDS = (
    *LIST_FIELDS[:-1], "product", "description", "request_quote", "requesting_persona",
    "requesting_persona__name", "triage__whose_problem", "created_at", "updated_at",
)


class RoadmapItemQuerySet(models.QuerySet):
    def for_product(self, product):
        return self.filter(product=product)

    def for_products(self, products, *, all_but_demo=False):
        """Items of `products`; with `all_but_demo`, of every product but the demo's too."""
        if len(products) == 1 and not all_but_demo:
            return self.filter(product=products[0])  # a constant: the index below applies
        return self.filter(product__in=Product.objects.picked(products,
                                                               all_but_demo=all_but_demo))

    def in_horizon(self, horizon):
        return self.filter(horizon=horizon)

    def targeting(self, quarter):
        """Items planned for `quarter` (a Quarter or its text, 2027-Q1)."""
        return self.filter(target_quarter=str(quarter))

    def planned_for(self, quarters):
        """Items targeted at any of `quarters`, not dropped: the quarters' plan."""
        return self.filter(target_quarter__in=[str(q) for q in quarters]).exclude(
            status=Status.DROPPED)

    def quarter_mix(self):
        """Items and effort (points) per target quarter, product and class (or "untriaged"),
        and the points of one-sided items that state no value for the other side
        (points_lacking), in one GROUP BY query."""
        return (
            self.order_by()
            .annotate(benefits=Coalesce("triage__beneficiary_class", Value(UNTRIAGED)))
            .values("target_quarter", "product_id", "product__name", "benefits")
            .annotate(items=Count("pk"), points=Sum("effort"),
                      points_lacking=Sum("effort", filter=LACKS_OTHER_SIDE_VALUE))
            .order_by()
        )

    def shipped_in(self, quarter):
        """Items whose shipped date falls in `quarter` (a Quarter)."""
        return self.filter(shipped_on__range=(quarter.first_day, quarter.last_day))

    def with_status(self, status):
        return self.filter(status=status)

    def untriaged(self):
        return self.filter(triage__isnull=True)

    def from_import(self, number):
        """The items import #`number` created."""
        return self.filter(source_import=number)

    def of_class(self, beneficiary_class):
        return self.filter(triage__beneficiary_class=beneficiary_class)

    def one_sided_without_value(self):
        """Items that benefit one side and do not say how they help the other."""
        return self.filter(LACKS_OTHER_SIDE_VALUE)

    def for_list(self):
        """What the roadmap list shows, in one query, as rows (dicts of LIST_FIELDS), not
        model instances: making the page's 250 instances (items, products, owners, triages,
        reviews) cost more than reading them. roadmap/rows.py builds the rows and names the
        personas from their ids. Filter and order before: this ends the queryset."""
        return self.with_primary_ids().values(*LIST_FIELDS)

    def for_api(self):
        """The API's items as rows (dicts of API_FIELDS), as for_list() the list's: the API
        reads their primary personas' ids in one narrow query of its own, in their order."""
        return self.values(*API_FIELDS)

    def with_primary_ids(self):
        """Each item with `primary_ids`: its primary beneficiaries' ids as text ("3,7", in
        no order; None untriaged), read in the item's own statement instead of a prefetch of
        full personas."""
        picks = (TriagePrimaryBeneficiary.objects.filter(triage=OuterRef("triage")).order_by()
                 .values("triage").annotate(ids=StringAgg(Cast("persona", CharField()),
                                                          Value(","))).values("ids"))
        return self.annotate(primary_ids=Subquery(picks))

    def for_triage_form(self):
        """An item with its request and answer, as the triage form reads it (the form loads
        the answer's picks with the personas and metrics it offers)."""
        return self.select_related(
            "product", "owner", "requesting_persona__archetype", "triage__triaged_by",
            "review__reviewed_by",
        )

    def for_triage(self):
        """An item with its request and whole answer, picks included, as the item page
        shows it."""
        return self.for_triage_form().prefetch_related(
            "triage__primary_beneficiaries", "triage__indirect_beneficiaries", "triage__metrics"
        )

    def triage_queue(self, order=None):
        """The untriaged items in the order the triage queue walks them (a QueueOrder)."""
        return self.untriaged().annotate(horizon_rank=horizon_rank()).order_by(
            *QUEUE_ORDERS[order or QueueOrder.OLDEST])

    def after_in_queue(self, pk, order=None):
        """Those of these items (a triage_queue in `order`) that come after item `pk`, which
        the PM saved or skipped: its sort keys are compared, so the walk goes on where it was
        even though that item has left the queue. All of them when there is no such item."""
        keys = QUEUE_ORDERS[order or QueueOrder.OLDEST]
        names = [key.removeprefix("-") for key in keys]
        anchor = RoadmapItem.objects.annotate(horizon_rank=horizon_rank()).filter(
            pk=pk).values(*names).first()
        if anchor is None:
            return self
        later = Q()
        for position, key in enumerate(keys):  # (a, b) after (x, y): a > x, or a = x and b > y
            name = names[position]
            step = Q(**{f"{name}__{'lt' if key.startswith('-') else 'gt'}": anchor[name]})
            later |= step & Q(**{earlier: anchor[earlier] for earlier in names[:position]})
        return self.filter(later)

    def created_since(self, moment):
        return self.filter(created_at__gt=moment)

    def by_horizon(self):
        """Now, next, later (their order, not the alphabet's), then product and title."""
        return self.order_by(horizon_rank(), "product__name", "title", "pk")

    def open(self):
        """Planned work: neither shipped nor dropped."""
        return self.filter(status__in=OPEN_STATUSES)

    def owned_by(self, owner):
        return self.filter(owner=owner)

    def for_review(self):
        """What a review panel shows of an item: its product, owner, triage and review."""
        return self.select_related("product", "owner", "triage", "review__reviewed_by")

    def challenged(self):
        return self.filter(review__verdict=Verdict.CHALLENGED)

    def challenges_answered_first(self):
        """The challenged items, those the PM answered by a re-triage first (the team lead's
        move), then the newest challenge first."""
        return self.challenged().order_by(
            F("review__answered_at").desc(nulls_last=True), "-review__reviewed_at")

    def open_challenges(self):
        """Challenged and not yet answered by a re-triage: the PM's move."""
        return self.challenged().filter(review__answered_at__isnull=True)

    def class_mix(self):
        """Items and effort per product, horizon and beneficiary class, in one GROUP BY query.

        Rows: product_id, product__name, product__uses_horizons, horizon, benefits (a class
        or "untriaged"), items, estimated (items with an effort), effort, lacking (one-sided
        items that state no value for the other side) and challenged (items a team lead
        challenged).
        """
        return (
            self.order_by()
            .annotate(benefits=Coalesce("triage__beneficiary_class", Value(UNTRIAGED)))
            .values("product_id", "product__name", "product__uses_horizons", "horizon",
                    "benefits")
            .annotate(
                items=Count("pk"), estimated=Count("effort"), effort=Sum("effort"),
                lacking=Count("pk", filter=LACKS_OTHER_SIDE_VALUE),
                challenged=Count("pk", filter=Q(review__verdict=Verdict.CHALLENGED)),
            )
            .order_by()
        )

    def reach(self):
        """How many of these items name each persona (as primary or indirect beneficiary)
        and each metric, per horizon: Reach rows of (relation, target_id, horizon,
        uses_horizons, items), relation being "primary", "indirect" or "metric".

        Hand-written SQL because the ORM cannot share one filtered set between three
        GROUP BYs: the items and their triages are joined once, in a CTE, and each join
        table is counted against it. Three ORM queries did that join three times.
        """
        try:
            scoped, params = (
                self.order_by().filter(triage__isnull=False)
                .values(triage_pk=F("triage__pk"), item_horizon=F("horizon"),
                        uses_horizons=F("product__uses_horizons"))
                .query.get_compiler(self.db).as_sql()
            )
        except EmptyResultSet:  # e.g. .none(): nothing to count
            return []
        quote = connections[self.db].ops.quote_name
        counts = []
        for relation, through, target in [
            ("primary", TriagePrimaryBeneficiary, "persona"),
            ("indirect", TriageIndirectBeneficiary, "persona"),
            ("metric", TriageMetric, "metric"),
        ]:
            table = quote(through._meta.db_table)
            column = quote(through._meta.get_field(target).column)
            triage = quote(through._meta.get_field("triage").column)
            # Only quoted names go into the SQL, never a value.
            counts.append(
                f"SELECT '{relation}', t.{column}, s.item_horizon, s.uses_horizons,"  # noqa: S608
                f" COUNT(*) FROM {table} t JOIN scoped s ON s.triage_pk = t.{triage}"
                f" GROUP BY t.{column}, s.item_horizon, s.uses_horizons"
            )
        with connections[self.db].cursor() as cursor:
            cursor.execute(f"WITH scoped AS ({scoped}) " + " UNION ALL ".join(counts), params)
            return [Reach(*row) for row in cursor.fetchall()]

    def for_export(self):
        """Everything a CSV row or the printed page shows, in a fixed number of queries."""
        return self.select_related(
            "product", "owner", "triage", "review", "requesting_persona").prefetch_related(
            "triage__primary_beneficiaries", "triage__indirect_beneficiaries", "triage__metrics")

    def edit_each(self, changes, *, expected_versions, edited_by):
        """Set `changes` ({detail: value}, of DETAILS) on the items of `expected_versions`
        ({pk: the version the person saw}), each as its own save_edit, so each is on the
        history; an item someone else saved since is refused, never overwritten.

        Returns a BulkEdit: the items changed, those already so, those refused, and those
        whose new product already has an item with their key from their source.
        """
        values = {self.model._meta.get_field(name).attname: getattr(value, "pk", value)
                  for name, value in changes.items()}
        outcome = BulkEdit([], [], [], [])
        with transaction.atomic():
            for item in self.filter(pk__in=expected_versions).order_by("title", "pk"):
                if all(getattr(item, name) == value for name, value in values.items()):
                    outcome.unchanged.append(item)
                    continue
                for name, value in values.items():
                    setattr(item, name, value)
                item._change_reason = BULK_EDIT_REASON
                try:
                    item.save_edit(expected_version=expected_versions[item.pk],
                                   edited_by=edited_by)
                except EditConflict:
                    outcome.refused.append(item)
                except IntegrityError:  # item_external_key_unique; its savepoint is undone
                    outcome.clashing.append(item)
                else:
                    outcome.changed.append(item)
        return outcome


BULK_EDIT_REASON = "Bulk edit on the roadmap list"
# What RoadmapItemQuerySet.edit_each did to each item it was given.
BulkEdit = namedtuple("BulkEdit", ["changed", "unchanged", "refused", "clashing"])


class RoadmapItem(models.Model):
    """A piece of work on a product's roadmap, and the request it came from."""

    Status = Status

    Horizon = Horizon

    # What an edit of the item's details changes (its triage has a form of its own): the
    # fields of the edit forms, and what a refused edit compares.
    DETAILS = ["title", "product", "description", "request_quote", "requesting_persona",
               "status", "horizon", "target_quarter", "shipped_on", "effort", "owner"]

    product = models.ForeignKey(Product, on_delete=models.PROTECT, related_name="items")
    title = models.CharField(max_length=TITLE_MAX_LENGTH)
    description = models.TextField(blank=True, max_length=DESCRIPTION_MAX_LENGTH)
    request_quote = models.TextField(
        "originating request", blank=True, max_length=REQUEST_QUOTE_MAX_LENGTH,
        help_text="The request in the requester's own words.",
    )
    requesting_persona = models.ForeignKey(
        Persona, on_delete=models.PROTECT, null=True, blank=True, related_name="requested_items",
    )
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.IDEA)
    # No default of its own: a new item takes its product's (save() and take_product_defaults).
    horizon = models.CharField(max_length=5, choices=Horizon.choices)
    target_quarter = QuarterField(blank=True, db_index=True)
    # Set by take_shipped_date() when the status becomes shipped; a PM may correct it.
    shipped_on = models.DateField(
        "shipped on", null=True, blank=True,
        help_text="Set to today when the item is marked shipped; correct it if it shipped "
                  "on another day.",
    )
    effort = models.PositiveSmallIntegerField(
        null=True, blank=True, help_text="Estimated effort in points (optional).",
        # The same limit on every database (SQLite would store any size).
        validators=[MaxValueValidator(EFFORT_MAX)],
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
        related_name="owned_items",
    )
    # Where an imported item came from: the tool, the item's key there (Jira issue key,
    # Linear ID, GitHub issue URL), which matches it when the backlog is imported again, a
    # link back, and its labels. Empty for items created here.
    external_source = models.CharField(
        "source", max_length=12, choices=ExternalSource.choices, blank=True)
    external_key = models.CharField("key in the source", max_length=200, blank=True)
    external_url = models.URLField("link to the source", max_length=500, blank=True)
    labels = models.JSONField(default=list, blank=True)
    # The number of the import that created the item, for "the items from import #12".
    source_import = models.PositiveIntegerField(null=True, blank=True, editable=False)
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
            # Only a shipped item has a shipped date (take_shipped_date keeps it so).
            models.CheckConstraint(
                condition=Q(status=Status.SHIPPED) | Q(shipped_on__isnull=True),
                name="item_shipped_on_only_when_shipped",
            ),
            models.CheckConstraint(condition=Q(effort__lte=EFFORT_MAX),
                                   name="item_effort_at_most_max"),
            models.CheckConstraint(
                condition=Q(external_source__in=["", *ExternalSource.values]),
                name="item_external_source_valid",
            ),
            # One item per key and source in a product: importing again never duplicates.
            models.UniqueConstraint(
                fields=["product", "external_source", "external_key"],
                condition=~Q(external_key=""), name="item_external_key_unique",
            ),
        ]
        indexes = [
            models.Index(fields=["product", "horizon", "status"]),
            models.Index(fields=["source_import"]),
            # A page of one product's list, in title order, without sorting every match.
            models.Index(fields=["product", "horizon", "title", "id"]),
            models.Index(fields=["product", "title", "id"]),
            # The PM's shipped items, oldest first, for "Did it move?" on the list (outcomes).
            models.Index(fields=["owner", "shipped_on", "id"], name="item_shipped_by_owner",
                         condition=Q(status=Status.SHIPPED)),
        ]

    def __str__(self):
        return self.title

    def save(self, *args, **kwargs):
        self.take_product_defaults()
        self.take_shipped_date()
        # The item and its history record are one write: a request killed between the two
        # (a gunicorn worker timeout, the database going away) leaves neither.
        with transaction.atomic(using=kwargs.get("using"), savepoint=False):
            super().save(*args, **kwargs)

    def get_absolute_url(self):
        return reverse("roadmap:item-detail", args=[self.pk])

    def clean(self):
        # Before the constraints are checked: leaving shipped clears the date.
        self.take_shipped_date()

    def take_product_defaults(self):
        """Give an item with no horizon its product's default (for bulk_create, which skips
        save()). Reads self.product."""
        if not self.horizon:
            self.horizon = self.product.default_horizon

    def take_shipped_date(self):
        """A shipped item has a shipped date: today unless someone set one. An item that
        leaves shipped (reopened, or dropped after all) loses it, and gets a new one if it
        ships again; its history keeps the old one. Called by save() (and before
        bulk_create, which skips it)."""
        if self.status == Status.SHIPPED:
            self.shipped_on = self.shipped_on or timezone.localdate()
        else:
            self.shipped_on = None

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

    def claim_version(self, expected_version):
        """Bump the version if it is still `expected_version`; else raise EditConflict."""
        claimed = RoadmapItem.objects.filter(pk=self.pk, version=expected_version).update(
            version=F("version") + 1, updated_at=timezone.now()
        )
        if not claimed:
            raise EditConflict(RoadmapItem.objects.get(pk=self.pk))
        self.version = expected_version + 1

    def save_edit(self, *, expected_version, edited_by):
        """Save the changed details unless someone saved details since `expected_version`.

        Raises EditConflict, like record_triage; writes one history record naming `edited_by`.
        """
        with transaction.atomic():
            self.claim_version(self.check_edit(expected_version))
            self._history_user = edited_by
            self.save()

    def check_edit(self, expected_version):
        """Lock this item for the rest of the transaction and return its current version;
        raise EditConflict if someone saved its details since `expected_version`.

        Each details save writes a history record with its version. A triage bumps the
        version without one: it leaves the details alone, so it does not block an edit.
        """
        current = RoadmapItem.objects.select_for_update().values_list(
            "version", flat=True).get(pk=self.pk)
        if current != expected_version and self.history.filter(
                version__gt=expected_version).exists():
            raise EditConflict(RoadmapItem.objects.get(pk=self.pk))
        return current

    def last_change(self):
        """Who last saved the item's details, its triage or its review, and when (3 queries).

        What a refused concurrent save names; (None, None) when nothing is recorded.
        """
        latest_of_each = [
            history.select_related("history_user").order_by("-history_date").first()
            for history in (self.history.all(), Triage.history.filter(item_id=self.pk),
                            Review.history.filter(item_id=self.pk))
        ]
        latest = max(filter(None, latest_of_each), key=lambda r: r.history_date, default=None)
        return (latest.history_user, latest.history_date) if latest else (None, None)

    def triage_history(self):
        """Every triage change, newest first, with who, when, before and after (4 queries)."""
        from .history import HISTORICAL_PICKS, TriageChange, TriageSnapshot  # imports models

        records = Triage.history.filter(item_id=self.pk).select_related(
            "history_user"
        ).prefetch_related(*(
            Prefetch(f"{name}_set", queryset=Triage.history.model._meta.get_field(name)
                     .related_model.objects.select_related(related))
            for name, related in HISTORICAL_PICKS
        )).order_by("history_date", "history_id")
        changes, before = [], None
        for record in records:
            after = None if record.history_type == "-" else TriageSnapshot.from_record(record)
            changes.append(TriageChange(record, before, after))
            before = after
        return changes[::-1]

    def record_triage(
        self, *, primary_beneficiaries, whose_problem, triaged_by, expected_version,
        value_for_other_side="", indirect_beneficiaries=(), metrics=(), customer_value=None,
        user_value=None, change_reason="",
    ):
        """Save the triage answer (or clear it), bump the version and record history.

        No primary beneficiaries returns the item to untriaged. Raises EditConflict when
        someone else saved the item since `expected_version`, ValidationError when the
        answer breaks a rule the form should have caught. `change_reason` goes on the history
        record (where the answer came from: a calibration round's).
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
            triage.customer_value, triage.user_value = customer_value, user_value
            triage._change_reason = change_reason or None
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
        if review and review.verdict == Verdict.CHALLENGED and not review.answered_at:
            review.answered_at = timezone.now()
            review._history_user = answered_by
            review.save(update_fields=["answered_at"])

    def record_review(self, *, verdict, comment, reviewed_by, expected_version,
                      expected_review_version):
        """Accept or challenge the item's current triage; one review per item, history kept.

        `expected_version` is the item's version and `expected_review_version` the review's
        (0 for none) when the team lead read them: raises EditConflict when the item was
        re-triaged or someone else reviewed it since, so two leads never silently overwrite
        each other. ValidationError when the item is untriaged or a challenge has no reason.
        """
        comment = comment.strip()
        if verdict == Verdict.CHALLENGED and not comment:
            raise ValidationError({"comment": "Say why you challenge this item."})
        with transaction.atomic():
            # Lock the item row: concurrent reviews of one item queue here (PostgreSQL);
            # SQLite's IMMEDIATE transactions already serialise writers.
            current = RoadmapItem.objects.select_for_update().get(pk=self.pk)
            review = Review.objects.filter(item=current).first()
            if current.version != expected_version or (
                (review.version if review else 0) != expected_review_version
            ):
                raise EditConflict(current)
            if not Triage.objects.filter(item=current).exists():
                raise ValidationError("Only a triaged item can be reviewed: triage it first.")
            review = review or Review(item=self, version=0)
            review.verdict = verdict
            review.comment = comment
            review.reviewed_by = reviewed_by
            review.reviewed_at = timezone.now()
            review.answered_at = None
            review.version += 1
            review._history_user = reviewed_by
            review.save()
            for hook in REVIEW_HOOKS:  # once committed: a higher app's (a PM's email)
                transaction.on_commit(lambda hook=hook: hook(review))
        self._state.fields_cache["review"] = review
        return review


# Higher apps that react to a saved review register here from their AppConfig.ready() (the
# owner's email when an item is challenged); roadmap never imports them. Each is called
# with the review once its transaction commits.
REVIEW_HOOKS = []


class EditConflict(Exception):
    """Someone else saved the item after this edit began; `current` is the item as it is now.

    Raised by every write that takes an `expected_version` (save_edit, check_edit,
    record_triage, record_review), never an overwrite. A form turns it into its refusal
    (whobenefits.forms.VersionedForm); an API answers 409 with `current` and the rows of
    roadmap.history's differences functions.
    """

    def __init__(self, current):
        super().__init__(f"Roadmap item {current.pk} is at version {current.version}.")
        self.current = current


class TriagePick(models.Model):
    """One persona or metric a triage answer picks; `picked` names the field."""

    triage = models.ForeignKey("Triage", on_delete=models.CASCADE)

    class Meta:
        abstract = True

    def __str__(self):
        return f"{getattr(self, self.picked)} on triage {self.triage_id}"


class TriagePrimaryBeneficiary(TriagePick):
    # PROTECT: a persona that roadmap items name is archived, never deleted.
    persona = models.ForeignKey(Persona, on_delete=models.PROTECT)
    picked = "persona"

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["triage", "persona"], name="unique_primary_persona")
        ]


class TriageIndirectBeneficiary(TriagePick):
    persona = models.ForeignKey(Persona, on_delete=models.PROTECT)
    picked = "persona"

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["triage", "persona"], name="unique_indirect_persona")
        ]


class TriageMetric(TriagePick):
    metric = models.ForeignKey(SuccessMetric, on_delete=models.PROTECT)
    picked = "metric"

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["triage", "metric"], name="unique_triage_metric")
        ]


class Triage(models.Model):
    """The PM's answer to the two triage questions for one roadmap item."""

    item = models.OneToOneField(RoadmapItem, on_delete=models.CASCADE, related_name="triage")
    primary_beneficiaries = models.ManyToManyField(
        Persona, through=TriagePrimaryBeneficiary, related_name="primary_for",
    )
    # Derived from the primary beneficiaries' sides by set_answer(), the one write path;
    # stored so the dashboard can count classes in the database.
    beneficiary_class = models.CharField(max_length=9, choices=BeneficiaryClass.choices)
    whose_problem = models.CharField(max_length=8, choices=WhoseProblem.choices)
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
    # The PM's judgement of what the item is worth to each side (0-3), unset until given.
    # The evidence suggests values; only the PM sets them.
    customer_value = models.PositiveSmallIntegerField(
        null=True, blank=True, choices=ValueLevel.choices)
    user_value = models.PositiveSmallIntegerField(null=True, blank=True, choices=ValueLevel.choices)
    triaged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    triaged_at = models.DateTimeField()

    history = HistoricalRecords(
        m2m_fields=[primary_beneficiaries, indirect_beneficiaries, metrics]
    )

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(beneficiary_class__in=BeneficiaryClass.values),
                name="triage_class_valid",
            ),
            models.CheckConstraint(
                condition=Q(whose_problem__in=WhoseProblem.values),
                name="triage_whose_problem_valid",
            ),
            models.CheckConstraint(
                condition=Q(customer_value__lte=ValueLevel.HIGH)
                & Q(user_value__lte=ValueLevel.HIGH),
                name="triage_values_valid",
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
        self.beneficiary_class, value_for_other_side, indirect = settle_answer(
            primary, value_for_other_side, indirect)
        self.whose_problem = whose_problem
        self.value_for_other_side = value_for_other_side
        self.triaged_by = triaged_by
        self.triaged_at = timezone.now()
        save_with_picks(self, {"primary_beneficiaries": primary,
                               "indirect_beneficiaries": indirect, "metrics": metrics},
                        by=triaged_by, touched="triaged_at")

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


def settle_answer(primary, value_for_other_side, indirect):
    """The class `primary` makes, and question 2's answer and indirect beneficiaries as an
    answer keeps them: none for a both-sided item. The rules of every two-question answer
    (a triage, a calibration round's); ValidationError for an indirect beneficiary on the
    side the item benefits."""
    beneficiary_class = BeneficiaryClass.from_sides(p.side for p in primary)
    benefiting_side = beneficiary_class.benefiting_side
    if benefiting_side is None:
        return beneficiary_class, "", []
    if any(benefiting_side in p.sides for p in indirect):
        raise ValidationError(
            {"indirect_beneficiaries": "Indirect beneficiaries must be on the other side."})
    return beneficiary_class, value_for_other_side.strip(), list(indirect)


def save_with_picks(answer, picks, *, by, touched):
    """Save `answer` and set its many-to-many `picks` ({field: objects}) as one history
    record naming `by`: the records the save and each many-to-many change would write are
    skipped, then it is saved once more (its field `touched` only) with everything in place."""
    first = answer._state.adding
    answer.skip_history_when_saving = True
    try:
        answer.save()
        for name, objects in picks.items():
            getattr(answer, name).set(objects)
    finally:
        del answer.skip_history_when_saving
    answer._history_user = by
    answer.save(update_fields=[touched])
    if first:  # that second save recorded a change; it is the answer's creation
        answer.history.update(history_type="+")


class Review(models.Model):
    """A team lead's verdict on an item's triage: accepted, or challenged with a reason."""

    Verdict = Verdict

    item = models.OneToOneField(RoadmapItem, on_delete=models.CASCADE, related_name="review")
    verdict = models.CharField(max_length=10, choices=Verdict.choices)
    comment = models.TextField(blank=True, max_length=REVIEW_COMMENT_MAX_LENGTH)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    reviewed_at = models.DateTimeField()
    # Set when the PM re-triages a challenged item, for the team lead to look again.
    answered_at = models.DateTimeField(null=True, blank=True)
    # Bumped by every review: a review form that read an older one is refused.
    version = models.PositiveIntegerField(default=1)

    history = HistoricalRecords()

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(verdict__in=Verdict.values),
                name="review_verdict_valid",
            ),
            models.CheckConstraint(
                condition=~Q(verdict=Verdict.CHALLENGED, comment=""),
                name="review_challenge_has_comment",
            ),
        ]

    def __str__(self):
        return f"{self.get_verdict_display()}: {self.item_id}"

    @property
    def is_open_challenge(self):
        return self.verdict == self.Verdict.CHALLENGED and self.answered_at is None

    @property
    def is_answered_challenge(self):
        """Challenged, then re-triaged: waiting for the team lead to look again."""
        return self.verdict == self.Verdict.CHALLENGED and self.answered_at is not None

    def exchange(self):
        """The review's story, oldest first: each verdict and each answering re-triage.

        One query over the history records.
        """
        from .history import ReviewEvent  # it imports this module

        events = []
        answered_at = None
        for record in self.history.select_related("reviewed_by", "history_user").order_by(
            "history_date", "history_id"
        ):
            if record.answered_at and record.answered_at != answered_at:
                events.append(ReviewEvent(
                    "answered", record.history_user, record.answered_at,
                    "Re-triaged in answer to the challenge.",
                ))
            elif not record.answered_at:
                events.append(ReviewEvent(
                    record.verdict, record.reviewed_by, record.reviewed_at, record.comment
                ))
            answered_at = record.answered_at
        return events


class QueueVisit(models.Model):
    """When a PM was last in the triage queue: what came in since is new to them.

    Bookkeeping like a login's date, so not on the audit trail.
    """

    # A visit ends after this long without a queue request; the next one is a new visit.
    GAP = timedelta(hours=1)

    pm = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                              related_name="+")
    last_seen_at = models.DateTimeField()  # the latest queue request
    previous_visit_ended_at = models.DateTimeField(null=True, blank=True)

    def __str__(self):
        return f"{self.pm} in the triage queue at {self.last_seen_at}"

    @classmethod
    def record(cls, pm):
        """Note that `pm` is in the queue now; return when their previous visit ended (None
        on their first): the items created since are new to them, for the whole visit."""
        now = timezone.now()
        visit, first = cls.objects.get_or_create(pm=pm, defaults={"last_seen_at": now})
        if not first:
            if now - visit.last_seen_at > cls.GAP:
                visit.previous_visit_ended_at = visit.last_seen_at
            visit.last_seen_at = now
            visit.save(update_fields=["last_seen_at", "previous_visit_ended_at"])
        return visit.previous_visit_ended_at


class ThresholdScope(models.TextChoices):
    NOW = "now", "Now horizon"
    NOW_AND_NEXT = "now_next", "Now and next horizons"


class ReviewThresholds(models.Model):
    """The shares of one-sided work that trigger the two trap warnings; one row, set by admins."""

    Scope = ThresholdScope

    customers_only_share = models.PositiveSmallIntegerField(
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
    # "The tag disagrees with the evidence": a one-sided item whose evidence weight comes
    # mostly from the other side. Read by the evidence app; kept here, beside the traps.
    evidence_share = models.PositiveSmallIntegerField(
        "tag disagrees with the evidence at (%)", default=70,
        validators=[MinValueValidator(1), MaxValueValidator(100)],
        help_text="Flag an item tagged for one side when at least this share of its evidence "
                  "weight comes from the other side.",
    )
    evidence_min_notes = models.PositiveSmallIntegerField(
        "…with at least (notes)", default=2, validators=[MinValueValidator(1)],
        help_text="Flag it only when at least this many evidence notes are linked to it.",
    )
    # The two warning signs in the product's own metrics (read by the outcomes app): a
    # side's metrics rise or fall when their average change over the last three months
    # reaches these shares.
    metrics_rising_at = models.PositiveSmallIntegerField(
        "a side's metrics are rising from (% change)", default=5,
        validators=[MinValueValidator(1), MaxValueValidator(100)],
        help_text="Over the last three months, on average across the side's metrics.",
    )
    metrics_falling_at = models.PositiveSmallIntegerField(
        "…and falling from (% drop)", default=5,
        validators=[MinValueValidator(1), MaxValueValidator(100)],
        help_text="Customer metrics rising while user metrics fall: high revenue with poor "
                  "engagement. User metrics rising while customer metrics are flat or "
                  "falling: high engagement with weak monetisation.",
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name = verbose_name_plural = "review thresholds"
        constraints = [
            models.CheckConstraint(
                condition=Q(customers_only_share__lte=100) & Q(users_only_share__lte=100),
                name="threshold_shares_are_percentages",
            ),
            models.CheckConstraint(
                condition=Q(evidence_share__gte=1, evidence_share__lte=100)
                & Q(evidence_min_notes__gte=1),
                name="threshold_evidence_valid",
            ),
            models.CheckConstraint(
                condition=Q(scope__in=ThresholdScope.values), name="threshold_scope_valid"
            ),
        ]

    def __str__(self):
        return "Review thresholds"

    @classmethod
    def current(cls):
        """The one row (a migration creates it); unsaved defaults if someone removed it.
        Kept until it is written (whobenefits/changes.py): most pages read it, few change it.

        Reading never writes: the audit trail should not show a team lead creating it.
        """
        kept = changes.kept.get_or_compute(
            "review-thresholds", lambda: cls.objects.order_by("pk").first() or cls(),
            reads=["roadmap_reviewthresholds"])
        return copy.copy(kept)  # the caller's own, to change and save


def share_field(label, default, help_text):
    """A share in percent, 0-100."""
    return models.PositiveSmallIntegerField(
        label, default=default, help_text=help_text,
        validators=[MinValueValidator(0), MaxValueValidator(100)])


class BalanceTargetQuerySet(models.QuerySet):
    def for_quarters(self, quarters):
        """{quarter text: target} for `quarters`, each its own target or else the default
        (unsaved defaults if someone removed it); one query."""
        found = {target.quarter: target
                 for target in self.filter(quarter__in=["", *map(str, quarters)])}
        default = found.get("") or BalanceTarget()
        return {str(q): found.get(str(q), default) for q in quarters}


class BalanceTarget(models.Model):
    """The balance team leads want a quarter's plan to have: the share of items for both
    sides, the most of each one-sided class, and the effort that serves each side (see
    roadmap.targets). The row without a quarter is the default for quarters without one."""

    quarter = QuarterField(blank=True, unique=True,
                           help_text="Empty for the default of quarters without their own.")
    min_both_share = share_field(
        "items for both, at least (%)", 30,
        "The least share of the quarter's triaged items that benefit both sides.")
    max_customers_share = share_field(
        "customers only, at most (%)", 40,
        "The largest share of the quarter's triaged items that benefit customers only.")
    max_users_share = share_field(
        "users only, at most (%)", 40,
        "The largest share of the quarter's triaged items that benefit users only.")
    min_customer_effort_share = share_field(
        "effort serving customers, at least (%)", 50,
        "Effort of items for customers or both, or for users with a stated value for "
        "customers, as a share of the quarter's estimated effort.")
    min_user_effort_share = share_field(
        "effort serving users, at least (%)", 50,
        "Effort of items for users or both, or for customers with a stated value for users, "
        "as a share of the quarter's estimated effort.")
    # Bumped by every save: a form opened before someone else's save is refused.
    version = models.PositiveIntegerField(default=1)

    history = HistoricalRecords()
    objects = BalanceTargetQuerySet.as_manager()

    SHARES = ["min_both_share", "max_customers_share", "max_users_share",
              "min_customer_effort_share", "min_user_effort_share"]

    class Meta:
        ordering = ["quarter"]
        permissions = [("set_balancetarget", "Can set balance targets")]
        constraints = [
            models.CheckConstraint(
                condition=Q(min_both_share__lte=100) & Q(max_customers_share__lte=100)
                & Q(max_users_share__lte=100) & Q(min_customer_effort_share__lte=100)
                & Q(min_user_effort_share__lte=100),
                name="balance_target_shares_are_percentages",
            ),
        ]

    def __str__(self):
        return f"Balance targets for {self.quarter}" if self.quarter else \
            "Default balance targets"

    @property
    def is_default(self):
        return not self.quarter

    def save_shares(self, shares, *, expected_version, set_by):
        """Save `shares` ({field: percent}) unless someone saved since `expected_version`
        (None for a quarter that had no targets of its own); raises EditConflict, never
        overwrites. One history record naming `set_by`."""
        with transaction.atomic():
            current = BalanceTarget.objects.select_for_update().filter(
                quarter=self.quarter).first()
            if (current.version if current else None) != expected_version:
                raise EditConflict(current or self)
            target = current or self
            for name, value in shares.items():
                setattr(target, name, value)
            target.version = (expected_version or 0) + 1
            target._history_user = set_by
            try:
                with transaction.atomic():
                    target.save()
            except IntegrityError:  # someone gave this quarter its targets meanwhile
                raise EditConflict(BalanceTarget.objects.get(quarter=self.quarter)) from None
        return target

    def clean(self):
        # A one-sided maximum and the minimum for both contradict each other when a plan at
        # that maximum leaves less room for "both" than the minimum asks. A share out of
        # 0-100 has its own error beside it; comparing it too would only repeat it.
        one_sided = ["max_customers_share", "max_users_share"]
        if any(not 0 <= getattr(self, name) <= 100 for name in ["min_both_share", *one_sided]):
            return
        room = {name: 100 - getattr(self, name) for name in one_sided}
        errors = {name: f"A plan with this share leaves at most {left}% for both, below the "
                        f"{self.min_both_share}% minimum for both: lower one of them."
                  for name, left in room.items() if left < self.min_both_share}
        if errors:
            raise ValidationError(errors)

    def last_change(self):
        """Who saved these targets last, and when (what a refused save names)."""
        record = self.history.select_related("history_user").order_by("-history_date").first()
        return (record.history_user, record.history_date) if record else (None, None)


class QuarterPlan(models.Model):
    """Plan against reality's plan for a quarter that has begun (roadmap/reality.py): its
    items per product and class as the history records in force on its first day had them.
    Kept, not recomputed on every view: those records change only when history is rewritten,
    which renews the history stamp (whobenefits/changes.py) the rows were counted under. A
    row of product 0 says the quarter was counted (a quarter may have no plan at all)."""

    quarter = models.CharField(max_length=7)
    starts_at = models.DateTimeField()  # its first moment, in the time zone it was read in
    product_id = models.BigIntegerField()  # as the records name it: no foreign key
    benefits = models.CharField(max_length=16, blank=True)
    items = models.PositiveIntegerField()
    history_stamp = models.CharField(max_length=32, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["starts_at", "history_stamp", "product_id",
                                            "benefits"], name="one_count_per_quarter_plan"),
        ]

    def __str__(self):
        return f"{self.quarter}: {self.items} {self.benefits or 'counted'}"


class TallyQuerySet(models.QuerySet):
    """Tallies narrowed as the dashboard's filters narrow items (ReviewFilterForm.scope and
    filter): the same fields, so the same methods."""

    for_product = RoadmapItemQuerySet.for_product
    for_products = RoadmapItemQuerySet.for_products
    in_horizon = RoadmapItemQuerySet.in_horizon
    with_status = RoadmapItemQuerySet.with_status
    open = RoadmapItemQuerySet.open
    owned_by = RoadmapItemQuerySet.owned_by


# What a class mix row of the tallies is per (its counts: TALLY_MIX_COUNTS).
TALLY_MIX = ("product_id", "product__name", "product__uses_horizons", "horizon", "benefits")
TALLY_MIX_COUNTS = ("items", "estimated", "effort", "lacking", "challenged")


class ItemTallyQuerySet(TallyQuerySet):
    def class_mix(self):
        """RoadmapItemQuerySet.class_mix's rows, from the tallies."""
        return self.order_by().values(*TALLY_MIX).annotate(**self._mix_counts()).order_by()

    def class_and_value_mix(self):
        """class_mix's rows, each split by its items' customer value, user value and whether
        they are open (is_open): the value map counts those from the same scan
        (RoadmapBalance.value_counts), where a second scan of the tallies took 15-28 ms at
        50,000 items."""
        return (
            self.order_by()
            .annotate(is_open=Case(When(status__in=OPEN_STATUSES, then=Value(True)),
                                   default=Value(False)))
            .values(*TALLY_MIX, "customer_value", "user_value", "is_open")
            .annotate(**self._mix_counts())
            .order_by()
        )

    @staticmethod
    def _mix_counts():
        return {"items": Count("pk"), "estimated": Count("effort"), "effort": Sum("effort"),
                "lacking": Count("pk", filter=Q(lacking=True)),
                "challenged": Count("pk", filter=Q(challenged=True))}


class PickTallyQuerySet(TallyQuerySet):
    def reach(self):
        """RoadmapItemQuerySet.reach's rows, from the tallies."""
        rows = (self.order_by().values_list("relation", "target_id", "horizon",
                                            "product__uses_horizons")
                .annotate(items=Count("pk")).order_by())
        return [Reach(*row) for row in rows]


def _tallied(model, **kwargs):
    """A reference the tallies keep without a constraint: the triggers of roadmap/tally.py
    remove a tally with its item, in the same statement."""
    return models.ForeignKey(model, on_delete=models.DO_NOTHING, db_constraint=False,
                             related_name="+", **kwargs)


class ItemTally(models.Model):
    """What the dashboard counts of one item, kept by the database (roadmap/tally.py)."""

    item = models.OneToOneField(RoadmapItem, primary_key=True, on_delete=models.DO_NOTHING,
                                db_constraint=False, related_name="+")
    product = _tallied(Product, db_index=False)
    owner = _tallied(settings.AUTH_USER_MODEL, null=True, db_index=False)
    status = models.CharField(max_length=12)
    horizon = models.CharField(max_length=5)
    benefits = models.CharField(max_length=9)  # its class, or UNTRIAGED
    effort = models.PositiveSmallIntegerField(null=True)
    lacking = models.BooleanField()  # LACKS_OTHER_SIDE_VALUE
    challenged = models.BooleanField()
    customer_value = models.PositiveSmallIntegerField(null=True)
    user_value = models.PositiveSmallIntegerField(null=True)

    objects = ItemTallyQuerySet.as_manager()

    def __str__(self):
        return f"{self.benefits} item {self.item_id}"


class PickTally(models.Model):
    """One persona (relation "primary" or "indirect") or metric ("metric") an item's triage
    picks, with what the dashboard's filters read, kept by the database (roadmap/tally.py)."""

    item = _tallied(RoadmapItem)  # indexed: a trigger retallies by item
    relation = models.CharField(max_length=8)
    target_id = models.BigIntegerField()
    product = _tallied(Product, db_index=False)
    owner = _tallied(settings.AUTH_USER_MODEL, null=True, db_index=False)
    status = models.CharField(max_length=12)
    horizon = models.CharField(max_length=5)

    objects = PickTallyQuerySet.as_manager()

    def __str__(self):
        return f"{self.relation} {self.target_id} of item {self.item_id}"
