"""A backlog import and its rows: read the file, map it, preview, commit, undo.

Each step is a model method (views, tasks, the command and the API call the same ones);
the long ones run in the task worker. A commit writes everything in one transaction, so a
worker that dies halfway leaves the roadmap as it was.
"""

from datetime import date, timedelta

from django.conf import settings
from django.db import models, transaction
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from roadmap.models import ExternalSource, Product, RoadmapItem

from . import items as plans
from . import notes, readings
from .formats import FileProblem, read_table
from .sources import FIELDS, LABELS, LAYOUTS, detect_source, guess_columns

# An abandoned import's file is removed after this long.
KEEP_FILES_FOR = timedelta(days=1)
# A step that has not reported for this long ran in a worker that stopped (killed, or the
# machine went away); it shows as failed and can be run again.
STALE_AFTER = timedelta(minutes=5)
BATCH_SIZE = 500
# Columns with more distinct values than this are not offered for value mapping.
MAX_DISTINCT = 60


class ImportQuerySet(models.QuerySet):
    def visible_to(self, person):
        """Admins see every import; everyone else the ones they ran."""
        if person.has_perm("imports.view_all_imports"):
            return self
        return self.filter(created_by=person)

    def for_list(self):
        return self.select_related("product", "created_by").defer("content")


class BacklogImport(models.Model):
    """One upload of a backlog file, from reading it to the items it created or changed."""

    class State(models.TextChoices):
        READING = "reading", "Reading the file"
        MAPPING = "mapping", "Waiting for the mapping"
        PREVIEWING = "previewing", "Previewing"
        PREVIEWED = "previewed", "Ready to import"
        IMPORTING = "importing", "Importing"
        IMPORTED = "imported", "Imported"
        FAILED = "failed", "Failed"
        ABANDONED = "abandoned", "Abandoned"
        UNDOING = "undoing", "Undoing"
        UNDONE = "undone", "Undone"

    class Kind(models.TextChoices):
        ITEMS = "items", "Backlog items"
        NOTES = "notes", "Evidence notes"
        READINGS = "readings", "Metric readings"

    RUNNING = [State.READING, State.PREVIEWING, State.IMPORTING, State.UNDOING]
    UNFINISHED = [State.READING, State.MAPPING, State.PREVIEWING, State.PREVIEWED, State.FAILED]

    # What the rows become: roadmap items, or evidence notes linked to items by key.
    kind = models.CharField(max_length=8, choices=Kind.choices, default=Kind.ITEMS)
    product = models.ForeignKey(
        Product, on_delete=models.PROTECT, null=True, blank=True, related_name="imports",
        help_text="Empty: each row names its product in a column (or the rows are notes).",
    )
    source = models.CharField(max_length=12, choices=ExternalSource.choices)
    file_name = models.CharField(max_length=255)
    file_size = models.PositiveIntegerField()
    # The file itself, in the database so a worker on any machine can read it; removed once
    # imported or abandoned.
    content = models.BinaryField(null=True, editable=False)
    encoding = models.CharField(max_length=20, blank=True)
    delimiter = models.CharField(max_length=2, blank=True)
    headers = models.JSONField(default=list)
    profile = models.JSONField(default=list)
    mapping = models.JSONField(default=dict)
    create_products = models.BooleanField(default=False)
    skip_errors = models.BooleanField(default=False)

    status = models.CharField(max_length=10, choices=State.choices, default=State.READING)
    failed_step = models.CharField(max_length=10, blank=True)
    error = models.TextField(blank=True)
    notice = models.TextField(blank=True)
    progress = models.PositiveSmallIntegerField(default=0)
    # Each queued step carries this number; a step queued before a newer one changes nothing.
    attempt = models.PositiveIntegerField(default=0)
    heartbeat_at = models.DateTimeField(null=True, blank=True)

    new_count = models.PositiveIntegerField(default=0)
    updated_count = models.PositiveIntegerField(default=0)
    unchanged_count = models.PositiveIntegerField(default=0)
    error_count = models.PositiveIntegerField(default=0)
    conflict_count = models.PositiveIntegerField(default=0)
    not_in_file = models.JSONField(default=list)
    new_products = models.JSONField(default=list)
    created_products = models.JSONField(default=list)
    preview_digest = models.CharField(max_length=64, blank=True)

    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
        related_name="+", help_text="Empty for the command line.",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    imported_at = models.DateTimeField(null=True, blank=True)
    undone_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
        related_name="+",
    )
    undone_at = models.DateTimeField(null=True, blank=True)

    objects = ImportQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        permissions = [
            ("run_import", "Can import backlog files"),
            ("view_all_imports", "Can see everyone's imports"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(progress__lte=100), name="import_progress_pct"),
        ]

    def __str__(self):
        return f"Import #{self.pk}: {self.file_name}"

    def get_absolute_url(self):
        return reverse("imports:import-detail", args=[self.pk])

    @property
    def reason(self):
        """What the audit trail says for each change this import makes."""
        what = self.get_kind_display() if self.rows_module else self.get_source_display()
        return f"Import #{self.pk} ({what}: {self.file_name})"[:100]

    @property
    def is_notes(self):
        return self.kind == self.Kind.NOTES

    @property
    def is_readings(self):
        return self.kind == self.Kind.READINGS

    @property
    def rows_module(self):
        """What the rows become when they are not items: the module with their rules
        (notes.py, readings.py), or None for a backlog."""
        return {self.Kind.NOTES: notes, self.Kind.READINGS: readings}.get(self.kind)

    @property
    def fields(self):
        """The fields a column can fill, in the order the mapping page asks about them."""
        return self.rows_module.FIELDS if self.rows_module else FIELDS

    @property
    def is_running(self):
        return self.status in self.RUNNING

    @property
    def is_stale(self):
        """Running, but its worker stopped reporting: it died, and wrote nothing."""
        last = self.heartbeat_at or self.updated_at
        return self.is_running and last is not None and timezone.now() - last > STALE_AFTER

    @property
    def layout(self):
        return LAYOUTS[self.source]

    STEPS = ["Upload", "Map the columns", "Preview", "Import", "Result"]
    STEP_OF = {State.READING: 1, State.MAPPING: 1, State.PREVIEWING: 2, State.PREVIEWED: 2,
               State.IMPORTING: 3, State.IMPORTED: 4, State.UNDOING: 4, State.UNDONE: 4}

    @property
    def steps(self):
        """(label, "done", "current" or "todo") for the steps along the top of its pages."""
        current = self.STEP_OF.get(self.failed_step or self.status, 0)
        return [(label, "done" if n < current else "current" if n == current else "todo")
                for n, label in enumerate(self.STEPS)]

    def as_data(self):
        """The import as plain data (for the API and scripts): where it is, its counts."""
        return {
            "id": self.pk, "kind": self.kind, "status": self.status,
            "status_label": self.get_status_display(),
            "progress": self.progress, "stale": self.is_stale, "error": self.error,
            "product": self.product.slug if self.product else None,
            "source": self.source, "file_name": self.file_name,
            "counts": {"new": self.new_count, "updated": self.updated_count,
                       "unchanged": self.unchanged_count, "errors": self.error_count,
                       "conflicts": self.conflict_count, "not_in_file": len(self.not_in_file)},
            "new_products": self.new_products,
            "created_at": self.created_at, "imported_at": self.imported_at,
        }

    # Starting and queueing steps.

    @classmethod
    def start(cls, *, data, file_name, product, source="", created_by=None, kind=Kind.ITEMS):
        """A new import of `data` (bytes); its file is read by the worker."""
        if kind != cls.Kind.ITEMS:
            source = ExternalSource.SPREADSHEET  # any table: the columns are mapped
        return cls.objects.create(
            kind=kind, product=product, source=source, file_name=file_name[:255],
            file_size=len(data), content=data, created_by=created_by,
            status=cls.State.READING,
        )

    def queue_reading(self):
        """Queue the first step for the worker, and the file's removal a day later unless
        it is imported by then."""
        from .tasks import abandon_unfinished

        self.queue(self.State.READING)
        transaction.on_commit(lambda: abandon_unfinished.using(
            run_after=timezone.now() + KEEP_FILES_FOR).enqueue(self.pk))

    def queue(self, status):
        """Move to a running `status` and queue its step for the worker."""
        from .tasks import run_step  # the task module imports this one

        self.status, self.progress, self.error, self.failed_step = status, 0, "", ""
        self.heartbeat_at = timezone.now()
        BacklogImport.objects.filter(pk=self.pk).update(
            status=status, progress=0, error="", failed_step="", heartbeat_at=self.heartbeat_at,
            attempt=F("attempt") + 1, updated_at=timezone.now())
        self.refresh_from_db(fields=["attempt"])
        transaction.on_commit(lambda: run_step.enqueue(self.pk, self.attempt))

    def run_again(self):
        """Queue the step that failed (or whose worker died) once more."""
        step = self.failed_step or self.status
        self.queue(step if step in self.RUNNING else self.State.READING)

    def report(self, progress):
        """Progress of the running step, visible at once to the page that polls it."""
        BacklogImport.objects.filter(pk=self.pk).update(
            progress=min(progress, 100), heartbeat_at=timezone.now())

    def fail(self, message, step):
        BacklogImport.objects.filter(pk=self.pk).update(
            status=self.State.FAILED, error=message, failed_step=step, progress=0,
            updated_at=timezone.now())
        self.status, self.error, self.failed_step = self.State.FAILED, message, step

    def run_step(self, attempt):
        """Run the queued step (the task calls this). A step superseded by a newer one, or
        for an import that moved on, does nothing."""
        if self.attempt != attempt or not self.is_running:
            return
        step = {self.State.READING: self.analyse, self.State.PREVIEWING: self.preview,
                self.State.IMPORTING: self.commit, self.State.UNDOING: self.undo}[self.status]
        status = self.status
        try:
            step()
        except FileProblem as problem:
            self.fail(str(problem), status)
        except Exception:
            self.fail("Something went wrong on our side while this step ran; nothing was "
                      "written. Run it again, or tell an admin if it keeps failing.", status)
            raise

    # The steps.

    def read(self):
        """The file as a table (FileProblem when it cannot be read)."""
        if self.content is None:
            raise FileProblem("The file was removed: upload it again.")
        return read_table(bytes(self.content), encoding=self.encoding,
                          delimiter=self.delimiter)

    def analyse(self):
        """Read the file: detect its source, profile its columns, propose a mapping."""
        table = self.read()
        if not self.source:
            self.source = detect_source(table.headers)
        self.encoding, self.delimiter = table.encoding, table.delimiter
        self.headers = table.headers
        self.profile = profile(table)
        self.mapping = self.proposed_mapping()
        self.notice = " ".join(table.notes)
        self.status, self.progress = self.State.MAPPING, 100
        self.save()

    def proposed_mapping(self):
        """The mapping remembered for this product and source, for the columns this file
        has; else the columns guessed from their names."""
        if self.rows_module:
            return {"source": self.source,
                    "columns": self.rows_module.guess_columns(self.headers)}
        saved = SavedMapping.objects.filter(product=self.product, source=self.source).first()
        guessed = guess_columns(self.headers, self.source)
        mapping = {"source": self.source, "columns": guessed, "values": {},
                   "unknown_owner": "error", "conflicts": {},
                   "product_column": _first_header(self.headers, ["Product"])}
        if saved:
            remembered = saved.mapping
            mapping["columns"] = {name: header for name, header in
                                  remembered.get("columns", {}).items()
                                  if header in self.headers}
            for key in ("values", "unknown_owner", "conflicts"):
                mapping[key] = remembered.get(key, mapping[key])
            if remembered.get("product_column") in self.headers:
                mapping["product_column"] = remembered["product_column"]
        return mapping

    def remember_mapping(self):
        if self.rows_module:
            return  # the next notes file is guessed afresh: they come from anywhere
        SavedMapping.objects.update_or_create(
            product=self.product, source=self.source, defaults={"mapping": self.mapping})

    def plan(self, table=None):
        if self.rows_module:
            return self.rows_module.plan_rows(table or self.read(), self.mapping)
        return plans.plan_rows(table or self.read(), self.mapping, product=self.product,
                               imported_item_model=ImportedItem)

    def preview(self):
        """The dry run: what each row would do, stored as this import's rows. Writes nothing
        to the roadmap."""
        table = self.read()
        self.report(30)
        plan = self.plan(table)
        self.report(70)
        with transaction.atomic():
            self._store_plan(plan)
            self.status, self.progress = self.State.PREVIEWED, 100
            self.save()

    def _store_plan(self, plan):
        self.rows.all().delete()
        ImportRow.objects.bulk_create(
            [ImportRow.from_plan(self, row) for row in plan.rows], batch_size=BATCH_SIZE)
        self.new_count, self.updated_count = plan.count(plans.NEW), plan.count(plans.UPDATE)
        self.unchanged_count, self.error_count = plan.count(plans.UNCHANGED), plan.count(
            plans.ERROR)
        self.conflict_count = plan.conflicts
        self.not_in_file = plan.not_in_file
        self.new_products = plan.new_products
        self.preview_digest = plan.digest()

    def can_commit(self):
        """Why this preview cannot be imported yet, or "" when it can."""
        if self.status != self.State.PREVIEWED:
            return "Only a finished preview can be imported."
        if self.error_count and not self.skip_errors:
            return (f"{self.error_count} row{'s' if self.error_count != 1 else ''} have errors: "
                    "fix the file, or choose to import the valid rows and skip them.")
        if self.new_products and not self.create_products:
            return "Confirm the products this import creates."
        if not (self.new_count or self.updated_count or self.conflict_count):
            if self.is_notes:
                return "Nothing to import: every note is recorded already or has errors."
            if self.is_readings:
                return "Nothing to import: every reading is recorded already or has errors."
            return "Nothing to import: every row is unchanged or has errors."
        return ""

    def confirm(self, *, skip_errors, create_products):
        """The PM's go: queue the commit (with the choices the preview asked for)."""
        self.skip_errors, self.create_products = skip_errors, create_products
        problem = self.can_commit()
        if problem:
            return problem
        BacklogImport.objects.filter(pk=self.pk).update(
            skip_errors=skip_errors, create_products=create_products)
        self.queue(self.State.IMPORTING)
        return ""

    def commit(self):
        """Write the previewed plan: every row or none, in one transaction. If the roadmap
        changed since the preview so that the plan differs, write nothing and show the new
        preview instead."""
        table = self.read()
        self.report(20)
        with transaction.atomic():
            locked = BacklogImport.objects.select_for_update().get(pk=self.pk)
            if locked.status != self.State.IMPORTING or locked.attempt != self.attempt:
                return
            plan = self.plan(table)
            if plan.digest() != self.preview_digest:
                self._store_plan(plan)
                self.status, self.progress = self.State.PREVIEWED, 100
                self.notice = ("The roadmap changed since the preview, so nothing was imported. "
                               "Here is the preview as it is now.")
                self.save()
                return
            self._write(plan)
            self.status, self.progress, self.imported_at = self.State.IMPORTED, 100, timezone.now()
            self.content, self.notice = None, ""
            self.save()

    def _write(self, plan):
        reason, by = self.reason, self.created_by
        if self.rows_module:
            self.rows_module.write(plan, recorded_by=by, reason=reason)
            self._store_plan(plan)
            return
        products = self._create_products(plan) if plan.new_products else {}
        now = timezone.now()
        created, updated = [], []
        for row in plan.rows:
            if row.action == plans.NEW:
                product = row.product or products[plans.normal(row.product_name)]
                row.item = RoadmapItem(product=product, source_import=self.pk)
                if row.key:
                    row.item.external_source, row.item.external_key = self.source, row.key
                _apply(row.item, row.values, row.changed)
                row.item.take_product_defaults()  # bulk_create skips save()
                row.item.take_shipped_date()
                created.append(row.item)
            elif row.action == plans.UPDATE:
                row.restore = {"fields": {name: _raw(row.item, name) for name in row.changed},
                               "shipped_on": _day(row.item.shipped_on)}
                _apply(row.item, row.values, row.changed)
                row.item.take_shipped_date()  # bulk_update skips save()
                row.item.version += 1
                row.item.updated_at = now
                updated.append(row.item)
        bulk_create_with_history(created, RoadmapItem, batch_size=BATCH_SIZE,
                                 default_user=by, default_change_reason=reason)
        if updated:
            fields = sorted({plans.ATTRIBUTES.get(name, name) for row in plan.rows
                             if row.action == plans.UPDATE for name in row.changed})
            bulk_update_with_history(updated, RoadmapItem,
                                     [*fields, "shipped_on", "version", "updated_at"],
                                     batch_size=BATCH_SIZE, default_user=by,
                                     default_change_reason=reason)
        # What this import wrote becomes each item's base for the next one (also where the
        # PM kept the app's values: the file's are then the ones the app has seen).
        synced = [row for row in plan.rows if row.action in (plans.NEW, plans.UPDATE)
                  or (row.action == plans.UNCHANGED and row.conflicts)]
        previous = {item_id: [values, by] for item_id, values, by in ImportedItem.objects.filter(
            item__in=[row.item.pk for row in synced if row.action != plans.NEW])
            .values_list("item_id", "values", "backlog_import_id")}
        for row in synced:
            if row.action != plans.NEW:
                row.restore = {**row.restore, "synced": previous.get(row.item.pk)}
        ImportedItem.objects.bulk_create(
            [ImportedItem(item=row.item, backlog_import=self, values={
                name: value for name, value in row.values.items() if name in plans.OWNED})
             for row in synced],
            batch_size=BATCH_SIZE, update_conflicts=True, unique_fields=["item"],
            update_fields=["values", "backlog_import"])
        self._store_plan(plan)

    def _create_products(self, plan):
        created = {}
        for name in plan.new_products:
            product = Product(name=name)
            product._history_user, product._change_reason = self.created_by, self.reason
            product.save()
            created[plans.normal(name)] = product
        self.created_products = [p.pk for p in created.values()]
        return created

    # Undo.

    def undo_problem(self, person):
        """Why `person` cannot undo this import now, or "" when they can."""
        if self.status != self.State.IMPORTED:
            return "Only an import that went through can be undone."
        if self.is_notes:
            return ("Evidence is never deleted, so a notes import is not undone: correct or "
                    "unlink a wrong note on its page.")
        if self.is_readings:
            return ("Readings are corrected, not undone: correct or withdraw a wrong one on "
                    "the readings page.")
        if person != self.created_by and not person.has_perm("imports.view_all_imports"):
            return "Only the person who ran this import, or an admin, can undo it."
        touched = self.rows.filter(item__isnull=False).exclude(
            item__version=F("item_version")).select_related("item")[:5]
        if touched:
            titles = ", ".join(f"\u201c{row.item.title}\u201d" for row in touched)
            return (f"Items were triaged or edited since this import ({titles}), so it can no "
                    "longer be undone.")
        return ""

    def start_undo(self, person):
        problem = self.undo_problem(person)
        if problem:
            return problem
        self.undone_by = person
        BacklogImport.objects.filter(pk=self.pk).update(undone_by=person)
        self.queue(self.State.UNDOING)
        return ""

    def undo(self):
        """Remove what the import created and restore what it changed, in one transaction,
        each change on the audit trail."""
        reason, by = f"Undo of import #{self.pk}", self.undone_by
        with transaction.atomic():
            rows = list(self.rows.filter(item__isnull=False).select_related("item"))
            locked = {i.pk: i for i in RoadmapItem.objects.select_for_update().filter(
                pk__in=[row.item_id for row in rows])}
            if any(locked[row.item_id].version != row.item_version for row in rows):
                self.fail("Items were triaged or edited since this import, so it can no longer "
                          "be undone. Nothing was changed.", "")
                self.status = self.State.IMPORTED
                BacklogImport.objects.filter(pk=self.pk).update(status=self.State.IMPORTED)
                return
            restored, now = [], timezone.now()
            for row in rows:
                item = locked[row.item_id]
                if row.action == plans.NEW:
                    item._history_user, item._change_reason = by, reason
                    item.delete()
                    continue
                if row.action == plans.UNCHANGED:
                    _restore_synced(item, row)
                    continue
                for name, value in row.restore.get("fields", {}).items():
                    setattr(item, plans.ATTRIBUTES.get(name, name), value)
                if "shipped_on" in row.restore:  # the day it had shipped on, not today
                    item.shipped_on = row.restore["shipped_on"] and date.fromisoformat(
                        row.restore["shipped_on"])
                    item.take_shipped_date()
                item.version += 1
                item.updated_at = now
                restored.append((item, row))
            fields = sorted({plans.ATTRIBUTES.get(n, n) for _, row in restored
                             for n in row.restore.get("fields", {})})
            if restored:
                bulk_update_with_history([i for i, _ in restored], RoadmapItem,
                                         [*fields, "shipped_on", "version", "updated_at"],
                                         default_user=by,
                                         default_change_reason=reason, batch_size=BATCH_SIZE)
            for item, row in restored:
                _restore_synced(item, row)
            for product in Product.objects.filter(pk__in=self.created_products):
                if not product.items.exists():
                    product._history_user, product._change_reason = by, reason
                    product.delete()
            self.status, self.undone_at, self.progress = self.State.UNDONE, timezone.now(), 100
            self.save()

    def abandon(self):
        """Drop the file of an import that was never imported (after a day, or on request)."""
        if self.status not in self.UNFINISHED:
            return False
        self.status, self.content = self.State.ABANDONED, None
        self.save()
        self.rows.all().delete()
        return True


def _restore_synced(item, row):
    synced = row.restore.get("synced")
    if synced is None:
        ImportedItem.objects.filter(item=item).delete()
    else:
        values, by = synced
        ImportedItem.objects.filter(item=item).update(values=values, backlog_import_id=by)


def _first_header(headers, names):
    wanted = {plans.normal(n) for n in names}
    return next((h for h in headers if plans.normal(h) in wanted), "")


def _day(value):
    """A date as the JSON of a row's restore keeps it."""
    return value.isoformat() if value else None


def _raw(item, name):
    return getattr(item, plans.ATTRIBUTES.get(name, name))


def _apply(item, values, names):
    for name in names:
        if name in values:
            setattr(item, plans.ATTRIBUTES.get(name, name), values[name])


def profile(table):
    """Per column: its header, how many rows fill it, a few examples and, for columns with
    few distinct values, each value with its count (for mapping statuses and horizons)."""
    columns = {}
    for header in dict.fromkeys(table.headers):
        columns[header] = {"name": header, "filled": 0, "samples": [], "values": {}}
    indexes = [(i, columns[h]) for i, h in enumerate(table.headers)]
    for _, cells in table.rows:
        for index, column in indexes:
            cell = cells[index] if index < len(cells) else ""
            text = ", ".join(cell) if isinstance(cell, list) else " ".join(str(cell).split())
            if not text:
                continue
            column["filled"] += 1
            if len(column["samples"]) < 3 and text[:80] not in column["samples"]:
                column["samples"].append(text[:80])
            values = column["values"]
            if values is not None:
                values[text] = values.get(text, 0) + 1
                if len(values) > MAX_DISTINCT or len(text) > 80:
                    column["values"] = None
    return list(columns.values())


class ImportRow(models.Model):
    """One row of the file: what importing it does (or did), with its changes and errors."""

    class Action(models.TextChoices):
        NEW = plans.NEW, "New"
        UPDATE = plans.UPDATE, "Updated"
        UNCHANGED = plans.UNCHANGED, "Unchanged"
        ERROR = plans.ERROR, "Error"

    backlog_import = models.ForeignKey(BacklogImport, on_delete=models.CASCADE,
                                       related_name="rows")
    line = models.PositiveIntegerField()
    action = models.CharField(max_length=9, choices=Action.choices)
    title = models.CharField(max_length=200, blank=True)
    key = models.CharField(max_length=200, blank=True)
    product_name = models.CharField(max_length=80, blank=True)
    changes = models.JSONField(default=list)
    conflicts = models.JSONField(default=list)
    errors = models.JSONField(default=list)
    # The row as the file had it, for the CSV of skipped rows (the file itself is removed).
    cells = models.JSONField(default=list)
    item = models.ForeignKey(RoadmapItem, on_delete=models.SET_NULL, null=True, blank=True,
                             related_name="+")
    # The item's version right after the import: undo only while it is still this one.
    item_version = models.PositiveIntegerField(null=True, blank=True)
    restore = models.JSONField(default=dict)

    class Meta:
        ordering = ["line"]
        constraints = [models.UniqueConstraint(fields=["backlog_import", "line"],
                                               name="import_row_line_unique")]

    def __str__(self):
        return f"Line {self.line}: {self.get_action_display()}"

    @classmethod
    def from_plan(cls, backlog_import, row):
        module = backlog_import.rows_module
        labels = module.LABELS if module else LABELS
        return cls(
            backlog_import=backlog_import, line=row.line, action=row.action,
            title=row.title[:200], key=row.key[:200], product_name=row.product_name[:80],
            changes=[[labels[n], before, after] for n, before, after in row.changes],
            conflicts=[[LABELS[n], app, file, taken] for n, app, file, taken in row.conflicts],
            errors=row.errors,
            cells=row.cells if row.action == plans.ERROR else [],
            item=row.item if row.item is not None and row.item.pk else None,
            item_version=row.item.version if row.item is not None and row.item.pk else None,
            restore=row.restore,
        )


class ImportedItem(models.Model):
    """What the last import wrote into an item, field by field: the base that tells an
    edit made in the app since from a change in the source."""

    item = models.OneToOneField(RoadmapItem, on_delete=models.CASCADE, related_name="+")
    backlog_import = models.ForeignKey(BacklogImport, on_delete=models.CASCADE,
                                       related_name="+")
    values = models.JSONField(default=dict)

    def __str__(self):
        return f"Item {self.item_id} as import #{self.backlog_import_id} left it"


class SavedMapping(models.Model):
    """The last mapping used for a product and source: the next import starts from it."""

    product = models.ForeignKey(Product, on_delete=models.CASCADE, null=True, blank=True,
                                related_name="+")
    source = models.CharField(max_length=12, choices=ExternalSource.choices)
    mapping = models.JSONField(default=dict)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["product", "source"], name="saved_mapping_unique"),
            models.UniqueConstraint(fields=["source"], condition=Q(product__isnull=True),
                                    name="saved_mapping_unique_without_product"),
        ]

    def __str__(self):
        return f"Mapping for {self.product or 'products from a column'} from {self.source}"


