"""How the rows of an evidence file become notes: read through the mapping, checked (the
persona and company by name, the items by key), and matched to the notes already recorded,
so importing the same file again adds nothing.

The same engine as a backlog import (BacklogImport: upload, map, preview, commit in the
worker); this module is what differs. Everything the rows name is loaded in a fixed number
of queries, whatever the number of rows.
"""

from datetime import date, datetime

from django.db.models import Q
from django.utils import timezone

from evidence.models import TEXT_MAX_LENGTH, Company, Evidence, Importance, Source
from personas.models import Persona
from roadmap.models import RoadmapItem

from .items import ERROR, NEW, UNCHANGED, Plan, RowPlan, RowReader, check_link
from .sources import ItemField, normal

FIELDS = [
    ItemField("text", "What they said", "Required: the words, up to 5,000 characters."),
    ItemField("persona", "Who said it", "Required: a persona's name (so a side)."),
    ItemField("company", "Company", "A company's name."),
    ItemField("contact_name", "Contact"),
    ItemField("observed_on", "Date", "When it was said, as 2026-11-30; empty: today."),
    ItemField("source", "Source",
              "Interview, support ticket, sales call, survey, usage data or other."),
    ItemField("importance", "Importance",
              "Nice to have, would help, important, blocker, or 0 to 3."),
    ItemField("link", "Link", "Where it was said (http or https)."),
    ItemField("items", "Item keys",
              "The roadmap items it is about: each one's key (such as ACME-12) or id, "
              "separated by commas."),
]
LABELS = {f.name: f.label for f in FIELDS}
FIELDS_BY_NAME = {f.name: f for f in FIELDS}
COLUMNS = {
    "text": ("Text", "What they said", "Note", "Notes", "Evidence", "Quote", "Feedback",
             "Comment"),
    "persona": ("Persona", "Who said it", "Who"),
    "company": ("Company", "Account", "Customer", "Organisation", "Organization"),
    "contact_name": ("Contact", "Contact name"),
    "observed_on": ("Date", "Observed on", "When", "Said on"),
    "source": ("Source", "Channel"),
    "importance": ("Importance",),
    "link": ("Link", "URL", "Url"),
    "items": ("Item key", "Item keys", "Items", "Item", "Key", "Keys", "Item id", "Issue key"),
}
CONTACT_MAX_LENGTH = Evidence._meta.get_field("contact_name").max_length
SOURCES = {normal(label): value for value, label in Source.choices} | {
    normal(value): value for value in Source.values}
IMPORTANCES = {normal(label): value for value, label in Importance.choices} | {
    str(value): value for value in Importance.values}
BATCH = 1000


def guess_columns(headers):
    """{field: header} for the columns whose names say what they hold; each column once."""
    by_name = {normal(header): header for header in reversed(headers)}
    guessed, used = {}, set()
    for name, candidates in COLUMNS.items():
        for candidate in candidates:
            header = by_name.get(normal(candidate))
            if header and header not in used:
                guessed[name] = header
                used.add(header)
                break
    return guessed


class Lookups:
    """The personas, companies and items the rows name, and the notes they may repeat."""

    def __init__(self, table, reader):
        self.personas = {normal(p.name): p for p in Persona.objects.all()}
        self.companies = {normal(c.name): c for c in Company.objects.all()}
        keys = {key for _, cells in table.rows for key in split_keys(reader.text(cells, "items"))}
        ids = {int(key.removeprefix("#")) for key in keys
               if key.removeprefix("#").isascii() and key.removeprefix("#").isdigit()}
        self.by_key, self.by_pk = {}, {}
        found = RoadmapItem.objects.filter(Q(external_key__in=keys) | Q(pk__in=ids)).only(
            "pk", "title", "external_key").order_by("pk")
        for item in found:
            self.by_pk[item.pk] = item
            if item.external_key in keys:
                self.by_key.setdefault(item.external_key, []).append(item)
        texts = list({clean_text(reader.text(cells, "text")) for _, cells in table.rows})
        self.recorded = set()
        for start in range(0, len(texts), BATCH):
            for note in Evidence.objects.filter(text__in=texts[start:start + BATCH]).values_list(
                    "text", "persona_id", "company_id", "observed_on"):
                self.recorded.add(note)
                self.recorded.add(note[:3])  # a row without a date matches any date


def item_key(item):
    return item.external_key or f"#{item.pk}"


def split_keys(text):
    return [key for key in (part.strip() for part in str(text).replace(";", ",").split(","))
            if key]


def clean_text(text):
    return str(text).replace("\r\n", "\n").replace("\r", "\n").strip()


def plan_rows(table, mapping):
    """The plan for every row of `table` under `mapping`: a new note, one already recorded
    (unchanged), or errors naming their column."""
    reader = RowReader(table, mapping)
    lookups = Lookups(table, reader)
    seen, rows = {}, []
    for line, cells in table.rows:
        plan = RowPlan(line=line, cells=cells)
        rows.append(plan)
        values = _read_values(plan, cells, reader, lookups)
        plan.values, plan.title = values, " ".join(values["text"].split())
        plan.key = ", ".join(map(item_key, values["items"]))
        if plan.errors:
            plan.action = ERROR
            continue
        identity = (values["text"], values["persona"].pk,
                    values["company"].pk if values["company"] else None, values["observed_on"])
        if identity in seen:
            plan.error(reader.headers["text"], f"Line {seen[identity]} has the same note: each "
                                               "note once per file.")
            plan.action = ERROR
            continue
        seen[identity] = line
        if (identity if identity[3] else identity[:3]) in lookups.recorded:
            plan.action = UNCHANGED
            continue
        plan.action = NEW
        plan.changes = [[name, "—", shown] for name, shown in _described(values)]
    return Plan(rows=rows, new_products=[], not_in_file=[])


def _described(values):
    """(field, value as a person reads it) for the preview of a new note."""
    yield "persona", values["persona"].name
    if values["company"]:
        yield "company", values["company"].name
    if values["contact_name"]:
        yield "contact_name", values["contact_name"]
    yield "observed_on", (values["observed_on"] or timezone.localdate()).isoformat()
    yield "source", Source(values["source"]).label
    yield "importance", Importance(values["importance"]).label
    if values["link"]:
        yield "link", values["link"]
    if values["items"]:
        yield "items", "; ".join(f"{item_key(item)}: {item.title}" for item in values["items"])


def _read_values(plan, cells, reader, lookups):
    """The row's note, checked; each error names the column it comes from."""
    headers = reader.headers
    text = clean_text(reader.text(cells, "text"))
    if not text:
        plan.error(headers.get("text") or LABELS["text"], "No text: what did they say?")
    elif len(text) > TEXT_MAX_LENGTH:
        plan.error(headers["text"], f"The note is {len(text):,} characters long; at most "
                                    f"{TEXT_MAX_LENGTH:,} fit.")
    contact = " ".join(str(reader.text(cells, "contact_name")).split())
    if len(contact) > CONTACT_MAX_LENGTH:
        plan.error(headers["contact_name"], f"The contact is {len(contact)} characters long; "
                                            f"at most {CONTACT_MAX_LENGTH} fit.")
    return {
        "text": text,
        "persona": _persona(plan, reader.text(cells, "persona"), headers.get("persona"),
                            lookups),
        "company": _company(plan, reader.text(cells, "company"), headers.get("company"),
                            lookups),
        "contact_name": contact,
        "observed_on": _date(plan, reader.text(cells, "observed_on"), headers.get("observed_on")),
        "source": _choice(plan, reader.text(cells, "source"), headers.get("source"), SOURCES,
                          Source.OTHER, "source"),
        "importance": _choice(plan, reader.text(cells, "importance"), headers.get("importance"),
                              IMPORTANCES, Importance.WOULD_HELP, "importance"),
        "link": check_link(plan, reader.text(cells, "link"), headers.get("link")),
        "items": _items(plan, reader.text(cells, "items"), headers.get("items"), lookups),
    }


def _persona(plan, text, column, lookups):
    name = " ".join(str(text).split())
    persona = lookups.personas.get(normal(name)) if name else None
    if not name:
        plan.error(column or LABELS["persona"], "No persona: who said it?")
    elif persona is None:
        plan.error(column, f"No persona is called \u201c{name}\u201d.")
    elif persona.archived:
        plan.error(column, f"{persona.name} is archived and cannot be picked for new evidence.")
    else:
        return persona
    return None


def _company(plan, text, column, lookups):
    name = " ".join(str(text).split())
    if not name:
        return None
    company = lookups.companies.get(normal(name))
    if company is None:
        plan.error(column, f"No company is named \u201c{name}\u201d: ask an admin to add it, "
                           "or leave the cell empty.")
    elif company.archived:
        plan.error(column, f"{company.name} is archived and cannot be picked for new evidence.")
    else:
        return company
    return None


def _date(plan, text, column):
    text = str(text).strip()
    if not text:
        return None
    try:
        said = date.fromisoformat(text)
    except ValueError:
        try:
            said = datetime.fromisoformat(text).date()
        except ValueError:
            plan.error(column, f"\u201c{text[:40]}\u201d is not a date: write it as 2026-11-30.")
            return None
    if said > timezone.localdate():
        plan.error(column, f"{said.isoformat()} is in the future: when was it said?")
        return None
    return said


def _choice(plan, text, column, choices, default, what):
    text = " ".join(str(text).split())
    if not text:
        return default
    value = choices.get(normal(text))
    if value is None:
        plan.error(column, f"\u201c{text[:40]}\u201d is not a{'n' if what[0] == 'i' else ''} "
                           f"{what}: {FIELDS_BY_NAME[what].help}")
        return default
    return value


def _items(plan, text, column, lookups):
    items = []
    for key in split_keys(text):
        matches = lookups.by_key.get(key, [])
        number = key.removeprefix("#")
        if not matches and number.isascii() and number.isdigit():
            matches = [lookups.by_pk[int(number)]] if int(number) in lookups.by_pk else []
        if len(matches) > 1:
            plan.error(column, f"{len(matches)} items have the key {key}: use the item's id "
                               f"({', '.join(f'#{item.pk}' for item in matches)}).")
        elif not matches:
            plan.error(column, f"No roadmap item has the key or id \u201c{key[:40]}\u201d.")
        elif matches[0] not in items:
            items.append(matches[0])
    return items



def write(plan, *, recorded_by, reason):
    """Record the plan's new notes, each linked to its items, with one history record each."""
    notes = [Evidence(recorded_by=recorded_by, **{
        name: value for name, value in row.values.items() if name != "items" and (
            name != "observed_on" or value)}) for row in plan.rows if row.action == NEW]
    links = [[item.pk for item in row.values["items"]] for row in plan.rows if row.action == NEW]
    Evidence.record_many(list(zip(notes, links, strict=True)), recorded_by=recorded_by,
                         reason=reason)
