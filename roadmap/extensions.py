"""What a higher app (evidence) adds to roadmap's pages, without roadmap importing it.

The higher app subclasses RoadmapExtension, overrides the hooks it needs and registers one
instance from its AppConfig.ready(). Roadmap's views, forms, exports and seed_demo call
every registered extension; with none registered they behave as they did before. Each hook
runs a fixed number of queries, whatever the number of items.
"""

from dataclasses import dataclass


@dataclass(frozen=True)
class Column:
    """A column an extension adds to the roadmap list; `sort` is its key in ?sort=."""

    sort: str
    label: str
    description: str = ""


@dataclass(frozen=True)
class Suggestion:
    """A value (0-3) the evidence suggests for the triage, and the arithmetic behind it."""

    value: int
    label: str
    reasons: tuple = ()


@dataclass(frozen=True)
class Flag:
    """What an extension adds to one product's line in the dashboard's verdict: its words,
    and the id of the heading below that explains them."""

    product_id: int
    product_name: str
    text: str
    anchor: str
    warning: bool = True


class RoadmapExtension:
    """The hooks, each doing nothing until a subclass overrides it."""

    # The item page: a template (a partial) shown after the triage, and what it reads.
    item_panel = ""

    def item_context(self, request, item):
        return {}

    # The roadmap list: columns (headers, sort keys), a row's cells and badges (HTML built
    # with format_html: roadmap/rows.py says why), extra filter fields and what they do, the
    # sort orders, and the rows' data.
    list_columns = ()

    def list_row_cells(self, item):
        """One <td> per column of list_columns, after load_rows."""
        return ""

    def list_row_badges(self, item):
        """Badges beside the item's class badge, after load_rows; "" for none."""
        return ""

    def list_filter_fields(self):
        """{name: form field} added to the roadmap list's filters."""
        return {}

    def filter_list(self, items, data):
        """`items` narrowed by this extension's valid filters in `data`."""
        return items

    def sort_list(self, items, key, descending):
        """`items` ordered by one of this extension's column keys."""
        return items

    def load_rows(self, items):
        """Attach what the cells show to each item of one page (or one export chunk): model
        instances, or the list's rows (roadmap.rows.ListedItem), so read only their `pk`."""

    # The roadmap list: a panel above the filters for the signed-in person (like "Challenged
    # items you own"), and what it reads.
    list_panel = ""

    def list_context(self, request):
        return {}

    # The triage: suggestions for the values the PM sets, never applied by themselves.
    def triage_suggestions(self, item):
        """{"customer_value": Suggestion, "user_value": Suggestion} or {}."""
        return {}

    # The review dashboard: a template shown after the value map, and what it reads.
    dashboard_panel = ""

    def dashboard_context(self, request, items, balance):
        """`items` are the dashboard's filtered items; `balance` their RoadmapBalance, whose
        counts a panel reuses rather than scanning the items again."""
        return {}

    # The dashboard's table of contents: (heading id, words) of each section of the panel.
    dashboard_contents = ()

    def dashboard_flags(self, context):
        """Flags for the verdict's product lines, read from what dashboard_context returned
        (`context`): no query of their own."""
        return []

    # The API's item: extra fields ({name: schema type}), and their values for one item
    # after load_rows (run on each page of items, as for the list): by default the item's
    # attributes of those names.
    api_item_fields = {}

    def api_item_values(self, item):
        """{name: value} of api_item_fields for one item; plain values (dicts for schemas)
        are checked fastest."""
        return {name: getattr(item, name) for name in self.api_item_fields}

    # The CSV and spreadsheet export.
    def export_headers(self):
        return []

    def export_values(self, item):
        """This extension's cells of one item's row (after load_rows on its chunk)."""
        return []

    # Demo data, after roadmap's own; and its removal, before roadmap's (seed_demo --remove).
    def seed_demo(self, command):
        pass

    def remove_demo(self, demo, *, by):
        """Remove this app's demo content when all of it goes (`demo.products` is None);
        returns what it removed, in words ("60 evidence notes")."""
        return []


_registered = []


def register(extension):
    """Add `extension` (a RoadmapExtension) once; called from an AppConfig.ready()."""
    if not any(type(e) is type(extension) for e in _registered):
        _registered.append(extension)


def registered():
    return list(_registered)
