"""What each tool's export looks like, and how its columns and values become item fields.

A layout names, per item field, the columns that usually hold it (first match wins) and
the tool's standard status (and priority) values, so a file from it maps without asking.
The PM can change every one of these on the mapping page.
"""

from dataclasses import dataclass, field

from roadmap.models import ExternalSource, Horizon, Status


@dataclass(frozen=True)
class ItemField:
    name: str
    label: str
    help: str = ""


# The item fields a column can fill, in the order the mapping page asks about them.
FIELDS = [
    ItemField("title", "Title", "Required: every row needs one."),
    ItemField("description", "Description"),
    ItemField("request_quote", "Originating request", "The request in the requester's words."),
    ItemField("status", "Status", "Each value is mapped to a status below."),
    ItemField("horizon", "Horizon", "Optional, e.g. priority or cycle; each value is mapped."),
    ItemField("target_quarter", "Target quarter",
              "A quarter (2027-Q1, Q1 2027), a fix version naming one, or a sprint or cycle "
              "with dates: the quarter of its end date."),
    ItemField("effort", "Effort", "Points, e.g. story points or an estimate."),
    ItemField("owner", "Owner", "A username, email address or full name."),
    ItemField("requesting_persona", "Requesting persona", "A persona's name."),
    ItemField("external_key", "Key", "What matches a row to its item when you import again."),
    ItemField("external_url", "Link", "A link back to the item in the tool."),
    ItemField("labels", "Labels", "Several columns of the same name are all read."),
]
FIELD_NAMES = [f.name for f in FIELDS]
LABELS = {f.name: f.label for f in FIELDS} | {"product": "Product"}
# Fields whose values are mapped one by one onto the app's choices.
VALUE_FIELDS = {"status": Status, "horizon": Horizon}


def normal(value):
    """How two spellings of one value compare: case and spacing do not count."""
    return " ".join(str(value).split()).casefold()


OWN_STATUSES = {normal(label): value for value, label in Status.choices} | {
    normal(value): value for value in Status.values}
OWN_HORIZONS = {normal(label): value for value, label in Horizon.choices}


@dataclass(frozen=True)
class Layout:
    source: str
    signatures: tuple = ()  # any one set of headers, all present, identifies the export
    columns: dict = field(default_factory=dict)
    statuses: dict = field(default_factory=dict)
    horizons: dict = field(default_factory=dict)

    @property
    def label(self):
        return ExternalSource(self.source).label

    def standard_value(self, field_name, value):
        """The app's choice for a source value by this tool's standard names, or None."""
        known = {"status": {**OWN_STATUSES, **self.statuses},
                 "horizon": {**OWN_HORIZONS, **self.horizons}}[field_name]
        return known.get(normal(value))


IDEA, P, W, S, D = Status.IDEA, Status.PLANNED, Status.IN_PROGRESS, Status.SHIPPED, Status.DROPPED
NOW, NEXT, LATER = Horizon.NOW, Horizon.NEXT, Horizon.LATER

SPREADSHEET = Layout(
    ExternalSource.SPREADSHEET,
    columns={
        "title": ("Title", "Name", "Summary", "Feature", "Item", "Subject"),
        "description": ("Description", "Details", "Body", "Notes"),
        "request_quote": ("Originating request", "Request", "Quote", "Request quote"),
        "status": ("Status", "State", "Stage"),
        "horizon": ("Horizon", "Timeframe", "When"),
        "effort": ("Effort", "Estimate", "Story points", "Points", "Size"),
        "target_quarter": ("Target quarter", "Quarter"),
        "owner": ("Owner", "Assignee", "Assigned to"),
        "requesting_persona": ("Requesting persona", "Persona", "Requester persona"),
        "external_key": ("Key", "ID", "Id", "Ref", "Reference", "Issue key", "Number"),
        "external_url": ("URL", "Link", "Url"),
        "labels": ("Labels", "Tags", "Label", "Tag"),
    },
    statuses={"new": IDEA, "open": IDEA, "backlog": IDEA, "to do": IDEA, "todo": IDEA,
              "doing": W, "started": W, "done": S, "complete": S, "completed": S,
              "released": S, "canceled": D, "cancelled": D, "won't do": D, "rejected": D},
)

LAYOUTS = {layout.source: layout for layout in [
    Layout(
        ExternalSource.JIRA,
        signatures=(("Summary", "Issue key"),),
        columns={
            "title": ("Summary",), "description": ("Description",), "status": ("Status",),
            "effort": ("Custom field (Story Points)", "Custom field (Story point estimate)",
                       "Story Points", "Story point estimate"),
            "owner": ("Assignee",), "external_key": ("Issue key",), "labels": ("Labels",),
            # A sprint column holds names without dates: the PM maps it when it has them.
            "target_quarter": ("Fix Version/s", "Fix versions"),
        },
        statuses={"backlog": IDEA, "to do": IDEA, "selected for development": P,
                  "in progress": W, "done": S},
        horizons={"highest": NOW, "high": NOW, "medium": NEXT, "low": LATER, "lowest": LATER},
    ),
    Layout(
        ExternalSource.LINEAR,
        signatures=(("ID", "Title", "Team"),),
        columns={
            "title": ("Title",), "description": ("Description",), "status": ("Status",),
            "effort": ("Estimate",), "owner": ("Assignee",), "external_key": ("ID",),
            "external_url": ("URL",), "labels": ("Labels",),
            # A cycle's end date, else its name (which may hold its dates).
            "target_quarter": ("Cycle End", "Cycle Name", "Cycle"),
        },
        statuses={"triage": IDEA, "backlog": IDEA, "todo": P, "in progress": W, "in review": W,
                  "done": S, "canceled": D, "cancelled": D, "duplicate": D},
        horizons={"urgent": NOW, "high": NOW, "medium": NEXT, "low": LATER,
                  "no priority": LATER},
    ),
    Layout(
        ExternalSource.GITHUB,
        signatures=(("number", "title", "state"),),
        columns={
            "title": ("title",), "description": ("body",), "status": ("state",),
            "owner": ("assignees",), "external_key": ("url",), "external_url": ("url",),
            "labels": ("labels",),
        },
        statuses={"open": IDEA, "closed": S},
    ),
    Layout(
        ExternalSource.PRODUCTBOARD,
        signatures=(("Feature name",), ("Feature ID",)),
        columns={
            "title": ("Feature name", "Name", "Feature"),
            "description": ("Feature description", "Description"),
            "status": ("Status", "Feature status"),
            "effort": ("Effort", "Estimate"),
            "owner": ("Owner", "Feature owner", "Owner email"),
            "external_key": ("Feature ID", "ID", "Productboard URL"),
            "external_url": ("Productboard URL", "URL", "Link"),
            "labels": ("Tags", "Labels"),
        },
        statuses={"new idea": IDEA, "candidate": IDEA, "planned": P, "in progress": W,
                  "released": S, "done": S, "won't do": D, "archived": D},
    ),
    Layout(
        ExternalSource.WHOBENEFITS,
        signatures=(("Item id", "Who benefits"),),
        columns={
            "title": ("Title",), "description": ("Description",),
            "request_quote": ("Originating request",), "status": ("Status",),
            "horizon": ("Horizon",), "effort": ("Effort",), "owner": ("Owner",),
            "requesting_persona": ("Requesting persona",), "external_key": ("Item id",),
            "external_url": ("External URL",), "labels": ("Labels",),
            "target_quarter": ("Target quarter",),
        },
    ),
    SPREADSHEET,
]}


def detect_source(headers):
    """The tool whose export has these headers; a plain spreadsheet when none fits."""
    present = {normal(header) for header in headers}
    for layout in LAYOUTS.values():
        if any(all(normal(name) in present for name in signature)
               for signature in layout.signatures):
            return layout.source
    return ExternalSource.SPREADSHEET


def guess_columns(headers, source):
    """{field: header} for the columns this source usually uses, then any column whose
    name says what it holds. Each column fills one field at most (Link may repeat Key)."""
    by_name = {normal(header): header for header in reversed(headers)}
    layout = LAYOUTS[source]
    guessed, used = {}, set()
    for candidates in (layout.columns, SPREADSHEET.columns):
        for name in FIELD_NAMES:
            if name in guessed:
                continue
            for candidate in candidates.get(name, ()):
                header = by_name.get(normal(candidate))
                if header and (header not in used or name == "external_url"):
                    guessed[name] = header
                    used.add(header)
                    break
    return guessed
