"""How the rows of a backlog file become roadmap items: read through the mapping, checked,
matched to the items they update, and compared field by field.

A plan is what an import would do, row by row; the preview shows it and the commit writes
it. Everything the rows need (products, people, personas, the items they may update and
what was last imported into each) is loaded in a fixed number of queries, whatever the
number of rows.
"""

import hashlib
import json
import math
from dataclasses import dataclass, field
from datetime import datetime

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db.models import Exists, OuterRef

from personas.models import Persona
from roadmap import roles
from roadmap.models import (
    DESCRIPTION_MAX_LENGTH,
    EFFORT_MAX,
    REQUEST_QUOTE_MAX_LENGTH,
    TITLE_MAX_LENGTH,
    ExternalSource,
    Horizon,
    Product,
    RoadmapItem,
    Status,
)
from roadmap.quarters import quarter_in
from whobenefits.people import person_label
from whobenefits.spreadsheet import unescape_cell

from .sources import LABELS, LAYOUTS, VALUE_FIELDS, normal

NEW, UPDATE, UNCHANGED, ERROR = "new", "update", "unchanged", "error"
# The fields a source owns: an import sets them on new items and updates them later.
# Never the triage or the review, never the product or the key.
OWNED = ["title", "description", "request_quote", "status", "horizon", "target_quarter",
         "effort", "owner", "requesting_persona", "external_url", "labels"]
ATTRIBUTES = {"owner": "owner_id", "requesting_persona": "requesting_persona_id"}
KEY_MAX_LENGTH = 200
URL_MAX_LENGTH = 500
LABEL_MAX_LENGTH = 100
MAX_LABELS = 50
TEXT_LIMITS = {"title": TITLE_MAX_LENGTH, "description": DESCRIPTION_MAX_LENGTH,
               "request_quote": REQUEST_QUOTE_MAX_LENGTH}
KEEP_APP, TAKE_FILE = "app", "file"


@dataclass
class RowPlan:
    """What importing one row does: its action, the fields it changes (before, after), the
    fields both the app and the file changed since the last import, and its errors."""

    line: int
    cells: list
    action: str = NEW
    title: str = ""
    key: str = ""
    product_name: str = ""
    values: dict = field(default_factory=dict)
    changes: list = field(default_factory=list)  # [field, before, after] as people read them
    conflicts: list = field(default_factory=list)  # [field, app's, file's, taken from file]
    errors: list = field(default_factory=list)  # [column, message]
    item: RoadmapItem | None = None
    product: Product | None = None
    changed: list = field(default_factory=list)  # the fields to write
    restore: dict = field(default_factory=dict)  # what undo puts back

    def error(self, column, message):
        self.errors.append([column, message])


@dataclass
class Plan:
    rows: list
    new_products: list  # names of the products the import would create
    not_in_file: list  # ids of items from this source the file no longer lists

    def count(self, action):
        return sum(1 for row in self.rows if row.action == action)

    @property
    def conflicts(self):
        return sum(1 for row in self.rows if row.conflicts)

    def digest(self):
        """A fingerprint of what the plan does: a commit whose plan differs from the
        previewed one writes nothing."""
        summary = [(r.line, r.action, r.key, r.changes, r.conflicts, r.errors)
                   for r in self.rows]
        data = json.dumps([summary, self.new_products], default=str, ensure_ascii=False)
        return hashlib.sha256(data.encode()).hexdigest()


class Lookups:
    """The people, personas, products and items rows may name, each loaded once."""

    def __init__(self, products, source):
        self.source = source
        may_own = get_user_model().groups.through.objects.filter(
            user_id=OuterRef("pk"), group__name__in=[roles.PRODUCT_MANAGER, roles.ADMIN])
        self.people, self.person_by_id = {}, {}
        for person in get_user_model().objects.annotate(may_own=Exists(may_own)):
            self.person_by_id[person.pk] = person
            names = {person.username, person.email, person.get_full_name()}
            for name in {normal(n) for n in names if n}:
                self.people.setdefault(name, []).append(person)
        self.personas = {normal(p.name): p for p in Persona.objects.all()}
        self.persona_by_id = {p.pk: p for p in self.personas.values()}
        self.products = {}
        for product in Product.objects.all():
            self.products.setdefault(normal(product.name), product)
            self.products.setdefault(normal(product.slug), product)
        self.by_pk, self.by_key, self.by_title = {}, {}, {}
        self.items = list(RoadmapItem.objects.filter(product__in=products))
        for item in self.items:
            self.by_pk[item.pk] = item
            if item.external_key:
                self.by_key[(item.product_id, item.external_source, item.external_key)] = item
            else:
                self.by_title.setdefault((item.product_id, normal(item.title)), []).append(item)
        self.synced = {}

    def load_synced(self, model):
        """What the last import wrote into each item (`model` is ImportedItem)."""
        self.synced = dict(model.objects.filter(item__in=[i.pk for i in self.items])
                           .values_list("item_id", "values"))


def comparable(item, name):
    """An item's value of an owned field, as the plan compares it (ids for people)."""
    return getattr(item, ATTRIBUTES.get(name, name))


def shown(name, value, lookups):
    """How a person reads a field's value in the preview."""
    if value in (None, "", []):
        return "—"
    if name == "owner":
        person = lookups.person_by_id.get(value)
        return person_label(person) if person else "—"
    if name == "requesting_persona":
        persona = lookups.persona_by_id.get(value)
        return persona.name if persona else "—"
    if name == "status":
        return Status(value).label
    if name == "horizon":
        return Horizon(value).label
    if name == "labels":
        return ", ".join(value)
    return str(value)


class RowReader:
    """Reads one field of a row through the mapping: the first non-empty of the columns
    with the mapped header (labels: all of them)."""

    def __init__(self, table, mapping):
        self.mapping = mapping
        self.indexes = {name: table.columns(header)
                        for name, header in mapping.get("columns", {}).items() if header}
        self.headers = dict(mapping.get("columns", {}))
        self.unescape = mapping.get("source") == ExternalSource.WHOBENEFITS

    def mapped(self, name):
        return bool(self.indexes.get(name))

    def cells(self, row, name):
        values = []
        for index in self.indexes.get(name, []):
            cell = row[index] if index < len(row) else ""
            values.extend(cell if isinstance(cell, list) else [cell])
        if self.unescape:
            values = [unescape_cell(v) if isinstance(v, str) else v for v in values]
        return values

    def text(self, row, name):
        return next((v for v in self.cells(row, name) if str(v).strip()), "")


def plan_rows(table, mapping, *, product, imported_item_model):
    """The plan for every row of `table` under `mapping`, for `product` (None: each row's
    product comes from the mapped product column)."""
    source = mapping["source"]
    layout = LAYOUTS[source]
    reader = RowReader(table, mapping)
    product_header = mapping.get("product_column", "")
    product_indexes = table.columns(product_header) if product_header else []
    if product is not None:
        products = [product]
    else:
        named = {normal(row[i]) for _, row in table.rows for i in product_indexes
                 if i < len(row) and isinstance(row[i], str) and row[i].strip()}
        products = [p for p in Product.objects.all()
                    if normal(p.name) in named or normal(p.slug) in named]
    lookups = Lookups(products, source)
    lookups.load_synced(imported_item_model)
    updated_at = table.columns("Updated") if source == ExternalSource.WHOBENEFITS else []
    created_at = table.columns("Created") if source == ExternalSource.WHOBENEFITS else []
    seen, new_products, rows, matched = {}, {}, [], set()
    for line, cells in table.rows:
        plan = RowPlan(line=line, cells=cells)
        rows.append(plan)
        values = _read_values(plan, cells, reader, mapping, layout, lookups)
        plan.product = product
        if product is None:
            plan.product = _row_product(plan, cells, product_indexes, product_header, lookups,
                                        new_products)
        plan.product_name = plan.product.name if plan.product else plan.product_name
        plan.values = values
        plan.title = values.get("title", "")
        item = _match(plan, values, reader, cells, lookups, seen, source,
                      _cell_at(cells, created_at))
        if plan.errors:
            plan.action = ERROR
            continue
        if item is None:
            plan.action = NEW
            plan.changed = [name for name in OWNED if reader.mapped(name)]
            plan.changes = [[name, "—", shown(name, values[name], lookups)] for name in plan.changed
                            if values.get(name) not in (None, "", [])]
            continue
        matched.add(item.pk)
        plan.item = item
        _compare(plan, item, values, reader, mapping, lookups, _cell_at(cells, updated_at))
    not_in_file = [i.pk for i in lookups.items
                   if i.external_source == source and i.external_key and i.pk not in matched]
    return Plan(rows=rows, new_products=sorted(new_products.values()), not_in_file=not_in_file)


def _cell_at(cells, indexes):
    return next((cells[i] for i in indexes if i < len(cells) and cells[i]), "")


def _read_values(plan, cells, reader, mapping, layout, lookups):
    """The file's values of the mapped owned fields, checked; errors go on the plan."""
    headers = reader.headers
    values = {}
    for name, limit in TEXT_LIMITS.items():
        if not reader.mapped(name):
            continue
        text = str(reader.text(cells, name)).replace("\r\n", "\n").replace("\r", "\n")
        text = text.strip() if name == "title" else text.strip("\n ")
        if len(text) > limit:
            plan.error(headers[name], f"{LABELS[name]} is {len(text):,} characters long; "
                                      f"at most {limit:,} fit.")
        values[name] = text
    if not values.get("title"):
        plan.error(headers.get("title") or "Title", "No title: every row needs one.")
    for name, choices in VALUE_FIELDS.items():
        if reader.mapped(name):
            raw = " ".join(str(reader.text(cells, name)).split())
            if not raw:
                continue  # no value: a new item gets the default, an old one keeps its own
            chosen = mapping.get("values", {}).get(name, {}).get(raw)
            chosen = chosen or layout.standard_value(name, raw)
            if chosen in choices.values:
                values[name] = chosen
            else:
                plan.error(headers[name], f"{LABELS[name]} \u201c{raw}\u201d is not mapped to "
                                          f"a {LABELS[name].lower()} of the app.")
    if reader.mapped("effort"):
        values["effort"] = _effort(plan, reader.text(cells, "effort"), headers["effort"])
    if reader.mapped("target_quarter"):
        values["target_quarter"] = _quarter(plan, reader.text(cells, "target_quarter"),
                                            headers["target_quarter"])
    if reader.mapped("owner"):
        values["owner"] = _owner(plan, reader.text(cells, "owner"), headers["owner"], lookups,
                                 mapping.get("unknown_owner") == "unassigned")
    if reader.mapped("requesting_persona"):
        values["requesting_persona"] = _persona(
            plan, reader.text(cells, "requesting_persona"), headers["requesting_persona"],
            lookups)
    if reader.mapped("external_key"):
        key = str(reader.text(cells, "external_key")).strip()
        if len(key) > KEY_MAX_LENGTH:
            plan.error(headers["external_key"], f"The key is {len(key):,} characters long; "
                                                f"at most {KEY_MAX_LENGTH} fit.")
        values["external_key"] = key
    if reader.mapped("external_url"):
        values["external_url"] = check_link(plan, reader.text(cells, "external_url"),
                                            headers["external_url"])
    if reader.mapped("labels"):
        values["labels"] = _labels(plan, reader.cells(cells, "labels"), headers["labels"])
    return values


def _quarter(plan, text, column):
    """The quarter a fix version, sprint or cycle names: a quarter in it (2027-Q1, Q1 2027),
    else the quarter of the last date in it (a sprint's or cycle's end); "" for none."""
    text = " ".join(str(text).split())
    if not text:
        return ""
    try:
        return str(quarter_in(text))
    except ValidationError as error:
        plan.error(column, f"Target quarter: {error.messages[0]} Map another column, or none.")
        return ""


def _effort(plan, text, column):
    text = str(text).strip()
    if not text:
        return None
    try:
        number = float(text.replace(",", "."))
    except ValueError:
        plan.error(column, f"Effort \u201c{text}\u201d is not a number of points.")
        return None
    if not math.isfinite(number) or not 0 <= number <= EFFORT_MAX:
        plan.error(column, f"Effort {text} is out of range: 0 to {EFFORT_MAX} points.")
        return None
    if not number.is_integer():
        plan.error(column, f"Effort {text} is not a whole number of points.")
        return None
    return int(number)


def _owner(plan, text, column, lookups, leave_unassigned):
    text = " ".join(str(text).split())
    if not text:
        return None
    people = lookups.people.get(normal(text), [])
    if len(people) > 1:
        plan.error(column, f"{len(people)} people are called \u201c{text}\u201d: use their "
                           "username or email address.")
        return None
    person = people[0] if people else None
    problem = None
    if person is None:
        problem = f"No one here is called \u201c{text}\u201d (username, email or full name)."
    elif not person.is_active:
        problem = f"{person_label(person)} is deactivated."
    elif not person.may_own:
        problem = f"{person_label(person)} is not a product manager or admin, so cannot own items."
    if problem is None:
        return person.pk
    if not leave_unassigned:
        plan.error(column, problem)
    return None


def _persona(plan, text, column, lookups):
    text = " ".join(str(text).split())
    if not text:
        return None
    persona = lookups.personas.get(normal(text))
    if persona is None:
        plan.error(column, f"No persona is called \u201c{text}\u201d.")
        return None
    if persona.archived:
        plan.error(column, f"{persona.name} is archived and cannot be picked any more.")
        return None
    return persona.pk


def check_link(plan, text, column):
    """An http(s) link of at most 500 characters, or an error on the plan."""
    url = str(text).strip()
    if not url:
        return ""
    try:
        URLValidator(schemes=["http", "https"])(url)
    except ValidationError:
        plan.error(column, f"\u201c{url[:80]}\u201d is not a web address (http or https).")
        return ""
    if len(url) > URL_MAX_LENGTH:
        plan.error(column, f"The link is {len(url):,} characters long; at most "
                           f"{URL_MAX_LENGTH} fit.")
    return url


def _labels(plan, cells, column):
    labels = []
    for cell in cells:
        parts = [cell] if isinstance(cell, list) else str(cell).split(",")
        labels.extend(" ".join(str(part).split()) for part in parts)
    labels = list(dict.fromkeys(label for label in labels if label))
    too_long = [label for label in labels if len(label) > LABEL_MAX_LENGTH]
    if too_long:
        plan.error(column, f"A label is {len(too_long[0]):,} characters long; at most "
                           f"{LABEL_MAX_LENGTH} fit.")
    if len(labels) > MAX_LABELS:
        plan.error(column, f"{len(labels)} labels; at most {MAX_LABELS} fit.")
    return labels


def _row_product(plan, cells, indexes, header, lookups, new_products):
    name = " ".join(str(_cell_at(cells, indexes)).split())
    if not name:
        plan.error(header or "Product", "No product: each row names its product.")
        return None
    product = lookups.products.get(normal(name))
    if product is None:
        if len(name) > Product._meta.get_field("name").max_length:
            plan.error(header, "The product name is too long (at most 80 characters).")
        new_products.setdefault(normal(name), name)
        plan.product_name = new_products[normal(name)]
    return product


def _match(plan, values, reader, cells, lookups, seen, source, created_text):
    """The item this row updates, or None for a new one; duplicates are errors."""
    product = plan.product
    product_key = product.pk if product else normal(plan.product_name)
    key = values.get("external_key", "")
    if key:
        identity, described = (product_key, "key", key), f"the key {key}"
    else:
        identity, described = (product_key, "title", normal(plan.title)), "the same title"
    if plan.title or key:
        if identity in seen:
            plan.error(reader.headers.get("external_key") or reader.headers.get("title", ""),
                       f"Line {seen[identity]} has {described}: each item once per file.")
            return None
        seen[identity] = plan.line
    plan.key = key
    if product is None or plan.errors:
        return None
    if key and source == ExternalSource.WHOBENEFITS:
        return _match_export_row(plan, key, reader, lookups, created_text)
    if key:
        return lookups.by_key.get((product.pk, source, key))
    same_title = lookups.by_title.get((product.pk, normal(plan.title)), [])
    if len(same_title) > 1:
        plan.error(reader.headers.get("title", ""),
                   f"{len(same_title)} items in {product.name} are titled \u201c{plan.title}\u201d:"
                   " map a key column to tell them apart.")
        return None
    return same_title[0] if same_title else None


def _match_export_row(plan, key, reader, lookups, created_text):
    """A row of Who Benefits' own export names its item by id."""
    column = reader.headers["external_key"]
    if not key.isascii() or not key.isdigit():
        plan.error(column, f"Item id \u201c{key}\u201d is not a number.")
        return None
    item = lookups.by_pk.get(int(key))
    if item is None:
        plan.key = ""
        return None  # exported elsewhere, or since removed: a new item
    if item.product_id != plan.product.pk:
        plan.error(column, f"Item {key} is in another product; an import does not move items.")
        return None
    created = _parse_time(created_text)
    if created and abs((item.created_at - created).total_seconds()) >= 1:
        plan.error(column, f"Item {key} here is not the item of this export (it was created at "
                           "another time): the file comes from another Who Benefits.")
        return None
    return item


def _parse_time(text):
    try:
        moment = datetime.fromisoformat(str(text).strip())
    except ValueError:
        return None
    return moment if moment.tzinfo else None


def _compare(plan, item, values, reader, mapping, lookups, updated_text):
    """Which owned fields the row changes, and which both sides changed (conflicts).

    A three-way comparison against what the last import wrote (its base): a field the file
    left as it was keeps the app's value; a field the app left as it was takes the file's;
    a field both changed is a conflict, settled by the PM's choice (the app's value unless
    the PM takes the file's). An export row counts as the base when its item has not
    changed since the export.
    """
    base = lookups.synced.get(item.pk, {})
    exported_at = _parse_time(updated_text)
    unchanged_since_export = bool(exported_at) and item.updated_at <= exported_at
    decisions = mapping.get("conflicts", {})
    for name in OWNED:
        if name not in values:
            continue
        theirs, ours = values[name], comparable(item, name)
        if theirs == ours:
            continue
        if unchanged_since_export:
            known, base_value = True, ours
        else:
            known, base_value = name in base, base.get(name)
        if known and theirs == base_value:
            continue  # only the app changed it since: the app's value stays
        if known and ours == base_value:
            plan.changed.append(name)
            plan.changes.append([name, shown(name, ours, lookups), shown(name, theirs, lookups)])
            continue
        take = decisions.get(name) == TAKE_FILE
        plan.conflicts.append([name, shown(name, ours, lookups), shown(name, theirs, lookups),
                               take])
        if take:
            plan.changed.append(name)
            plan.changes.append([name, shown(name, ours, lookups), shown(name, theirs, lookups)])
    plan.action = UPDATE if plan.changed else UNCHANGED
