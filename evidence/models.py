"""Evidence: who asked for a roadmap item, on which side, and what is at stake.

A Company is a customer account (its revenue and renewal); an Evidence note is a request or
an observation in the words of someone who said it, through a persona, so on a side. The
numbers per item and side (demand.py) are counted from these rows in the database.
"""

from datetime import timedelta
from decimal import Decimal

from django.apps import apps
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import (
    MaxLengthValidator,
    MaxValueValidator,
    MinValueValidator,
    URLValidator,
)
from django.db import models, transaction
from django.db.models import Count, Exists, F, OuterRef, Q, Sum, Value
from django.db.models.functions import Coalesce, Lower
from django.urls import reverse
from django.utils import timezone
from simple_history.models import HistoricalRecords

from personas.models import Persona, Side
from roadmap.models import EditConflict, Horizon, RoadmapItem, Status

TEXT_MAX_LENGTH = 5000
# "In the next 90 days": renewals at stake, and the window listening coverage looks at.
RENEWAL_WINDOW = timedelta(days=90)
LISTENING_WINDOW = timedelta(days=90)


class Segment(models.TextChoices):
    ENTERPRISE = "enterprise", "Enterprise"
    MID_MARKET = "mid_market", "Mid-market"
    SMALL_BUSINESS = "small_business", "Small business"


class CompanyQuerySet(models.QuerySet):
    def active(self):
        return self.filter(archived=False)

    def named(self, name):
        """The company with this name, whatever its case and surrounding spaces."""
        return self.filter(name__iexact=" ".join(name.split()))

    def renewing_within(self, window=RENEWAL_WINDOW, today=None):
        """Active companies whose renewal date is before today + `window`, overdue included."""
        today = today or timezone.localdate()
        return self.active().filter(renewal_date__lte=today + window)

    def at_risk(self, today=None):
        """Renewing within 90 days (or overdue), asking for items of which none is planned
        before later: every linked item is later, untriaged or dropped."""
        linked = EvidenceLink.objects.filter(evidence__company=OuterRef("pk"))
        moving = linked.exclude(roadmapitem__status=Status.DROPPED).exclude(
            roadmapitem__horizon=Horizon.LATER).filter(roadmapitem__triage__isnull=False)
        return self.renewing_within(today=today).filter(Exists(linked)).exclude(Exists(moving))


class Company(models.Model):
    """A customer account: what it pays, how many seats, when it renews."""

    Segment = Segment

    name = models.CharField(max_length=120)
    segment = models.CharField(max_length=14, choices=Segment.choices, blank=True)
    plan = models.CharField(max_length=80, blank=True)
    arr = models.DecimalField(
        "annual recurring revenue", max_digits=14, decimal_places=2, default=Decimal(0),
        validators=[MinValueValidator(Decimal(0))],
        help_text="Per year, in the currency the CURRENCY setting names (USD by default).",
    )
    seats = models.PositiveIntegerField(null=True, blank=True)
    renewal_date = models.DateField(
        null=True, blank=True, help_text="A date in the past shows as overdue.")
    # Archived, never deleted: its evidence keeps naming it.
    archived = models.BooleanField(
        default=False, help_text="Archived companies keep their evidence but are not offered "
                                 "for new notes, and their revenue is not counted.")

    history = HistoricalRecords()
    objects = CompanyQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "companies"
        constraints = [
            models.UniqueConstraint(Lower("name"), name="company_name_unique",
                                    violation_error_message="A company with this name exists."),
            models.CheckConstraint(condition=Q(arr__gte=0), name="company_arr_not_negative"),
            models.CheckConstraint(condition=Q(segment__in=["", *Segment.values]),
                                   name="company_segment_valid"),
        ]
        indexes = [models.Index(fields=["renewal_date"])]

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        self.name = " ".join(self.name.split())
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return reverse("evidence:company-detail", args=[self.pk])

    def renews_in(self, today=None):
        """Days until the renewal (negative when overdue), or None without a date."""
        if self.renewal_date is None:
            return None
        return (self.renewal_date - (today or timezone.localdate())).days

    def merge_into(self, kept, *, merged_by):
        """Move every note of this company to `kept` and archive this one, in one
        transaction; each note moved gets a history record naming the merge."""
        if kept.pk == self.pk:
            raise ValidationError("Pick two different companies to merge.")
        reason = f"Merged company “{self.name}” into “{kept.name}”"
        with transaction.atomic():
            for note in Evidence.objects.select_for_update().filter(company=self):
                note.company = kept
                note.version += 1
                note._history_user, note._change_reason = merged_by, reason
                note.save()
            self.archived = True
            self._history_user, self._change_reason = merged_by, reason
            self.save()


class Source(models.TextChoices):
    INTERVIEW = "interview", "Interview"
    SUPPORT_TICKET = "support_ticket", "Support ticket"
    SALES_CALL = "sales_call", "Sales call"
    SURVEY = "survey", "Survey"
    USAGE_DATA = "usage_data", "Usage data"
    OTHER = "other", "Other"


class Importance(models.IntegerChoices):
    """How much it matters to whoever said it. A note weighs 1 + its importance."""

    NICE_TO_HAVE = 0, "Nice to have"
    WOULD_HELP = 1, "Would help"
    IMPORTANT = 2, "Important"
    BLOCKER = 3, "Blocker"

    @property
    def weight(self):
        return self.value + 1


class WebLinkField(models.URLField):
    """A link to where the note came from: http or https only."""

    default_validators = [URLValidator(
        schemes=["http", "https"], message="Enter a web link starting with http:// or https://.")]


class EvidenceQuerySet(models.QuerySet):
    def unlinked(self):
        """The inbox: notes not linked to any roadmap item yet."""
        return self.filter(~Exists(EvidenceLink.objects.filter(evidence=OuterRef("pk"))))

    def for_item(self, item):
        return self.filter(items=item)

    def for_list(self):
        """What a list of notes shows, in a fixed number of queries."""
        return self.select_related("persona", "company", "recorded_by")

    def newest_first(self):
        return self.order_by("-observed_on", "-pk")


class Evidence(models.Model):
    """A request or an observation, in the words of the persona (so the side) who said it."""

    Source = Source
    Importance = Importance

    # The fields a note's form edits, and what a refused edit compares.
    DETAILS = ["text", "persona", "company", "contact_name", "source", "link", "importance",
               "observed_on"]

    # The limit checked on every database and by the model, not only by the form's widget.
    text = models.TextField("what they said", max_length=TEXT_MAX_LENGTH,
                            validators=[MaxLengthValidator(TEXT_MAX_LENGTH)])
    persona = models.ForeignKey(
        Persona, on_delete=models.PROTECT, related_name="evidence",
        verbose_name="who said it", help_text="The persona, so the side, of whoever said it.",
    )
    company = models.ForeignKey(
        Company, on_delete=models.PROTECT, null=True, blank=True, related_name="evidence")
    contact_name = models.CharField("contact", max_length=120, blank=True)
    source = models.CharField(max_length=14, choices=Source.choices, default=Source.INTERVIEW)
    link = WebLinkField(max_length=500, blank=True)
    importance = models.PositiveSmallIntegerField(
        choices=Importance.choices, default=Importance.WOULD_HELP,
        validators=[MaxValueValidator(Importance.BLOCKER)],
    )
    observed_on = models.DateField("date", default=timezone.localdate)
    # An item is never deleted in the app (dropped is a status); an undone import deletes
    # the items it created, and their notes go back to the inbox.
    items = models.ManyToManyField(
        RoadmapItem, related_name="evidence", blank=True, verbose_name="roadmap items")
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)
    # Bumped by every change: an edit or a link made from an older version is refused.
    version = models.PositiveIntegerField(default=1)

    history = HistoricalRecords(m2m_fields=[items])
    objects = EvidenceQuerySet.as_manager()

    class Meta:
        ordering = ["-observed_on", "-pk"]
        verbose_name_plural = "evidence"
        constraints = [
            models.CheckConstraint(condition=Q(importance__lte=Importance.BLOCKER),
                                   name="evidence_importance_valid"),
            models.CheckConstraint(condition=Q(source__in=Source.values),
                                   name="evidence_source_valid"),
            models.CheckConstraint(condition=Q(version__gte=1),
                                   name="evidence_version_positive"),
        ]
        indexes = [
            models.Index(fields=["observed_on"]),
            # The roadmap list's revenue column reads the company of its page's few hundred
            # notes from this index alone, not by reading every note (50,000 in the bench).
            models.Index(fields=["id", "company"], name="evidence_company_of_note"),
        ]

    def __str__(self):
        text = " ".join(self.text.split())
        return text if len(text) <= 60 else text[:59] + "…"

    def get_absolute_url(self):
        return reverse("evidence:evidence-edit", args=[self.pk])

    @property
    def weight(self):
        return Importance(self.importance).weight

    def clean(self):
        if self.observed_on and self.observed_on > timezone.localdate():
            raise ValidationError({"observed_on": "The date is in the future: when was it "
                                                  "said?"})

    @classmethod
    def record(cls, *, recorded_by, items=(), **details):
        """A new note, linked to `items`, as one history record naming `recorded_by`."""
        note = cls(recorded_by=recorded_by, **details)
        note.full_clean()
        with transaction.atomic():
            note.skip_history_when_saving = True
            try:
                note.save()
                note.items.set(items)
            finally:
                del note.skip_history_when_saving
            note._history_user = recorded_by
            note.save()
            note.history.update(history_type="+")
            ItemDemand.refresh(item.pk for item in items)
        return note

    @classmethod
    def record_many(cls, notes, *, recorded_by, reason):
        """New notes in bulk (an import): `notes` are (unsaved note, item ids) pairs. Each
        gets one history record naming `recorded_by` and `reason`, with its links, as
        record() gives it; in one transaction, a fixed number of queries per 500 notes."""
        # django-simple-history's table of each history record's links.
        linked_then = apps.get_model("evidence", "HistoricalEvidence_items")
        with transaction.atomic():
            created = cls.objects.bulk_create([note for note, _ in notes], batch_size=500)
            links = EvidenceLink.objects.bulk_create(
                [EvidenceLink(evidence_id=note.pk, roadmapitem_id=item)
                 for note, (_, items) in zip(created, notes, strict=True) for item in items],
                batch_size=500)
            records = {record.id: record for record in cls.history.bulk_history_create(
                created, default_user=recorded_by, default_change_reason=reason,
                batch_size=500)}
            linked_then.objects.bulk_create(
                [linked_then(history=records[link.evidence_id], id=link.id,
                             evidence_id=link.evidence_id, roadmapitem_id=link.roadmapitem_id)
                 for link in links], batch_size=500)
            ItemDemand.refresh(link.roadmapitem_id for link in links)
        return created

    def claim_version(self, expected_version):
        claimed = Evidence.objects.filter(pk=self.pk, version=expected_version).update(
            version=F("version") + 1)
        if not claimed:
            raise EditConflict(Evidence.objects.select_related("persona", "company").get(
                pk=self.pk))
        self.version = expected_version + 1

    def save_edit(self, *, expected_version, edited_by, items=None):
        """Save the changed details (and the linked items, when given) unless someone saved
        the note since `expected_version`: then raise EditConflict with the note as it is."""
        with transaction.atomic():
            self.claim_version(expected_version)
            linked_before = self.linked_item_ids()
            self.skip_history_when_saving = True
            try:
                self.save()
                if items is not None:
                    self.items.set(items)
            finally:
                del self.skip_history_when_saving
            self._history_user = edited_by
            self.save()
            ItemDemand.refresh(linked_before | self.linked_item_ids())

    def linked_item_ids(self):
        return set(EvidenceLink.objects.filter(evidence=self).values_list("roadmapitem",
                                                                         flat=True))

    def link_to(self, item, *, linked_by):
        """Link this note to `item` (nothing changes when it already is); one history record.

        Adding a link never overwrites anyone's work, so it takes no version."""
        with transaction.atomic():
            if self.items.filter(pk=item.pk).exists():
                return False
            Evidence.objects.filter(pk=self.pk).update(version=F("version") + 1)
            self.skip_history_when_saving = True
            try:
                self.items.add(item)
            finally:
                del self.skip_history_when_saving
            self.refresh_from_db(fields=["version"])
            self._history_user = linked_by
            self.save()
            ItemDemand.refresh([item.pk])
        return True

    def unlink_from(self, item, *, unlinked_by):
        """Take `item` off this note; the note itself stays (in the inbox if it was the last)."""
        with transaction.atomic():
            if not self.items.filter(pk=item.pk).exists():
                return False
            Evidence.objects.filter(pk=self.pk).update(version=F("version") + 1)
            self.skip_history_when_saving = True
            try:
                self.items.remove(item)
            finally:
                del self.skip_history_when_saving
            self.refresh_from_db(fields=["version"])
            self._history_user = unlinked_by
            self.save()
            ItemDemand.refresh([item.pk])
        return True

    def last_change(self):
        """Who saved the note last, and when: what a refused edit names."""
        record = self.history.select_related("history_user").order_by("-history_date").first()
        return (record.history_user, record.history_date) if record else (None, None)


# One note linked to one item: the many-to-many table, with `evidence` and `roadmapitem`.
EvidenceLink = Evidence.items.through

# The persona sides whose notes count for each side of the line: a note from someone who
# pays and uses counts for both.
COUNTS_FOR = {side: side.persona_sides for side in Side}


def side_totals(links):
    """Notes and score per side for these EvidenceLink rows, grouped by item. A note weighs
    1 + its importance."""
    customer = Q(evidence__persona__side__in=COUNTS_FOR[Side.CUSTOMER])
    user = Q(evidence__persona__side__in=COUNTS_FOR[Side.USER])
    weight, zero = F("evidence__importance") + 1, Value(0)
    return links.order_by().values(item=F("roadmapitem")).annotate(
        notes=Count("evidence"),
        customer_notes=Count("evidence", filter=customer),
        customer_score=Coalesce(Sum(weight, filter=customer), zero),
        user_notes=Count("evidence", filter=user),
        user_score=Coalesce(Sum(weight, filter=user), zero),
    )


class ItemDemand(models.Model):
    """An item's notes and score per side, kept up to date by every write that links,
    unlinks or changes a note (refresh, in the same transaction), so the list, the dashboard
    and the mismatch read one row per item instead of summing every link."""

    COUNTS = ["notes", "customer_notes", "customer_score", "user_notes", "user_score"]

    item = models.OneToOneField(RoadmapItem, on_delete=models.CASCADE, primary_key=True,
                                related_name="counted_demand")
    notes = models.PositiveIntegerField(default=0)
    customer_notes = models.PositiveIntegerField(default=0)
    customer_score = models.PositiveIntegerField(default=0)
    user_notes = models.PositiveIntegerField(default=0)
    user_score = models.PositiveIntegerField(default=0)

    def __str__(self):
        return f"Demand for item {self.item_id}"

    @classmethod
    def refresh(cls, item_ids):
        """Count the notes of these items again. The items are locked first, so two writes
        to one item at once count one after the other, never from a stale snapshot."""
        item_ids = sorted(set(item_ids))
        if not item_ids:
            return
        with transaction.atomic():
            list(RoadmapItem.objects.select_for_update().filter(pk__in=item_ids).order_by(
                "pk").values_list("pk", flat=True))
            counted = [cls(item_id=row["item"], **{name: row[name] for name in cls.COUNTS})
                       for row in side_totals(EvidenceLink.objects.filter(
                           roadmapitem__in=item_ids))]
            cls.objects.filter(item__in=item_ids).exclude(
                item__in=[row.item_id for row in counted]).delete()
            cls.objects.bulk_create(counted, update_conflicts=True, unique_fields=["item"],
                                    update_fields=cls.COUNTS, batch_size=1000)


def move_persona_evidence(merged, kept, *, merged_by, reason):
    """A persona merge moves its notes to the persona kept (registered with personas).
    Both are on one side, so no item's demand changes."""
    for note in Evidence.objects.select_for_update().filter(persona=merged):
        note.persona = kept
        note.version += 1
        note._history_user, note._change_reason = merged_by, reason
        note.save()


def persona_has_evidence(persona):
    """Notes name this persona: its side is fixed, as for items that name it."""
    return persona.evidence.exists()
