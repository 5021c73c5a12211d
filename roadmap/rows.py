"""The roadmap list's rows, each built once in Python.

Why not a template: the list is the page PMs open most, and its 50 rows through the template
engine (five includes, two reverse() and some seventy variable lookups a row) were two
thirds of its time; through format_html, whose checks for lazy text cost more than the
escaping, still a third (docs/benchmarks.md). html_of escapes every value it is given as
format_html and the template do. The class badge and an item's source look the same on
other pages: their partials in roadmap/item_list.html call the functions here.
"""

from html import escape

from django.contrib.auth import get_user_model
from django.urls import reverse
from django.utils import dateformat
from django.utils.safestring import SafeString
from django.utils.text import Truncator

from personas.models import Persona
from whobenefits.people import person

from .models import (
    BeneficiaryClass,
    ExternalSource,
    Horizon,
    Review,
    Status,
    Triage,
    WhoseProblem,
)

# Stands in for an item's id in the one reverse() a page makes per link.
_ANY_PK = 4242424242
NONE_SHOWN = SafeString('<span class="muted">—</span>')
# Labels by value, looked up once: get_FOO_display() rebuilds its dict on every call.
STATUSES, HORIZONS = dict(Status.choices), dict(Horizon.choices)
CLASSES, SOURCES = dict(BeneficiaryClass.choices), dict(ExternalSource.choices)
WHOSE_PROBLEMS = dict(WhoseProblem.choices)


def escaped(value):
    """`value` as HTML: escaped, unless it is HTML already (what format_html does to each
    argument, and the template to each variable)."""
    if hasattr(value, "__html__"):
        return value.__html__()
    return escape(str(value))


def html_of(format_string, *values):
    """format_html(), each value escaped unless it is HTML already."""
    return SafeString(format_string.format(*map(escaped, values)))


def joined(parts, separator=" "):
    """The parts (HTML, or text to escape) in one piece of HTML, the empty ones left out."""
    return SafeString(separator.join(escaped(part) for part in parts if part))


def url_for_each(name):
    """`name`'s URL for any item id (a function of the id), from one reverse() per page."""
    prefix, suffix = reverse(name, args=[_ANY_PK]).split(str(_ANY_PK))
    return lambda pk: f"{prefix}{pk}{suffix}"


def class_badge(triage):
    """Who benefits, and the warning when a one-sided item states no value for the other
    side; "Untriaged" without a triage."""
    if not triage:
        return SafeString('<span class="badge untriaged">Untriaged</span>')
    badge = html_of('<span class="badge class-{}">{}</span>', triage.beneficiary_class,
                    CLASSES.get(triage.beneficiary_class, triage.beneficiary_class))
    if triage.lacks_other_side_value:
        return SafeString(badge + ' <span class="badge warning" title="One-sided, no value '
                                  'stated for the other side">No value stated for the other '
                                  'side</span>')
    return badge


def review_badge(review):
    """Beside the class badge: a challenge and why, or that the PM answered it."""
    if review is None:
        return ""
    if review.is_open_challenge:
        return html_of('<span class="badge challenged">Challenged</span> '
                       '<span class="challenge-reason">{}</span>',
                       Truncator(review.comment).chars(140))
    if review.is_answered_challenge:
        return SafeString('<span class="badge answered">Challenge answered</span>')
    return ""


def item_source(item):
    """Where an imported item came from: its key (a link back when there is one) and its
    labels; "" for an item made here."""
    source = labels = ""
    named = SOURCES.get(item.external_source, item.external_source)
    if item.external_key:
        key = (html_of('<a href="{}" rel="noopener noreferrer">{}</a>', item.external_url,
                       item.external_key) if item.external_url else item.external_key)
        source = html_of('<span class="item-source">{} {}</span>', named, key)
    elif item.external_url:
        source = html_of('<a class="item-source" href="{}" rel="noopener noreferrer">{}</a>',
                         item.external_url, named or "Source")
    if item.labels:
        labels = html_of('<ul class="labels" aria-label="Labels">{}</ul>', joined(
            (html_of("<li>{}</li>", label) for label in item.labels), ""))
    return joined([source, labels])


class ListedTriage:
    """The triage a list row shows: its class and whether it states value for the other
    side, with Triage's own rules for them (and whose problem it is, read by the API)."""

    is_one_sided = Triage.is_one_sided
    lacks_other_side_value = Triage.lacks_other_side_value

    def __init__(self, beneficiary_class, value_for_other_side, whose_problem=None):
        self.beneficiary_class = beneficiary_class
        self.value_for_other_side = value_for_other_side
        self.whose_problem = whose_problem

    def get_beneficiary_class_display(self):
        return CLASSES.get(self.beneficiary_class, self.beneficiary_class)

    def get_whose_problem_display(self):
        return WHOSE_PROBLEMS.get(self.whose_problem, self.whose_problem)


class ListedReview:
    """The review a list row shows: its verdict, comment and answer, with Review's rules."""

    Verdict = Review.Verdict
    is_open_challenge = Review.is_open_challenge
    is_answered_challenge = Review.is_answered_challenge

    def __init__(self, verdict, comment, answered_at):
        self.verdict, self.comment, self.answered_at = verdict, comment, answered_at


class ListedItem:
    """One row of the list as read (a dict of LIST_FIELDS, or of the API's API_FIELDS):
    what the row and the extensions' load_rows read of an item (`pk`, the fields,
    current_triage(), current_review()), and what load_rows attaches to it."""

    def __init__(self, row, owner):
        self.__dict__.update(row)
        self.pk, self.owner = row["id"], owner
        self.triage = (ListedTriage(row["triage__beneficiary_class"],
                                    row["triage__value_for_other_side"],
                                    row.get("triage__whose_problem"))
                       if row["triage"] is not None else None)
        self.review = (ListedReview(row["review__verdict"], row["review__comment"],
                                    row["review__answered_at"])
                       if row["review"] is not None else None)

    def current_triage(self):
        return self.triage

    def current_review(self):
        return self.review


def listed_items(rows):
    """A ListedItem of each row of RoadmapItemQuerySet.for_list() (or for_api()); each
    owner made once, unsaved, to be named."""
    people, owners = get_user_model(), {}
    listed = []
    for row in rows:
        owner_id = row["owner"]
        if owner_id is not None and owner_id not in owners:
            owners[owner_id] = people(pk=owner_id, username=row["owner__username"],
                                      first_name=row["owner__first_name"],
                                      last_name=row["owner__last_name"])
        listed.append(ListedItem(row, owners.get(owner_id)))
    return listed


class ItemRows:
    """Builds the rows of one page of the list (ListedItems): what every row shares is
    worked out once."""

    def __init__(self, *, bulk, bulk_error, selected, can_triage, back_next, extensions):
        self.bulk, self.selected = bulk, selected
        self.described = SafeString(' aria-describedby="bulk-items-error"' if bulk_error else "")
        self.extensions = extensions
        self.detail_url = url_for_each("roadmap:item-detail")
        self.triage_url = url_for_each("roadmap:triage") if can_triage else None
        self.back_next = back_next
        self.personas_in_order = Persona.kept_in_order()

    def html(self, items):
        return joined((self.row(item) for item in items), "")

    def row(self, item):
        pk = item.pk
        return html_of(
            '<tr id="item-{}">\n{}<td data-label="Item"><a href="{}" class="item-title" '
            'id="item-title-{}">{}</a> <span class="product">{}</span> {}</td>\n'
            '<td data-label="Who benefits">{}</td>\n'
            '<td data-label="Primary personas">{}</td>\n'
            '<td data-label="Status">{}</td>\n'
            '<td data-label="Horizon">{}</td>\n'
            '<td data-label="Quarter" class="nowrap">{}</td>\n'
            '<td data-label="Effort" class="num">{}</td>\n'
            '<td data-label="Owner">{}</td>\n{}</tr>\n',
            pk, self.tick(item), self.detail_url(pk), pk, item.title, item.product__name,
            item_source(item), self.who_benefits(item), self.personas(item),
            self.status(item), HORIZONS.get(item.horizon, item.horizon),
            item.target_quarter or "—", "—" if item.effort is None else item.effort,
            person(item.owner, "—"),
            joined((e.list_row_cells(item) for e in self.extensions), ""))

    def tick(self, item):
        if not self.bulk:
            return ""
        return html_of(
            '<td class="tick-col"><input type="checkbox" name="bulk-items" value="{}:{}" '
            'id="tick-{}" aria-labelledby="item-title-{}"{}{}></td>\n',
            item.pk, item.version, item.pk, item.pk,
            SafeString(" checked" if item.pk in self.selected else ""), self.described)

    def who_benefits(self, item):
        triage = item.current_triage()
        action = ""
        if self.triage_url:
            action = html_of(
                '<a class="row-action" href="{}?next={}%23item-{}" aria-describedby='
                '"item-title-{}">{}</a>', self.triage_url(item.pk), self.back_next, item.pk,
                item.pk, "Re-triage" if triage else "Triage")
        return joined([class_badge(triage), review_badge(item.current_review()),
                       *(e.list_row_badges(item) for e in self.extensions), action])

    def personas(self, item):
        triage = item.current_triage()
        if triage is None:
            return NONE_SHOWN
        return html_of('<ul class="persona-chips">{}</ul>', joined((
            html_of('<li class="chip side-{}">{}</li>', persona.side, persona.name)
            for persona in self.primary_personas(item)), ""))

    def primary_personas(self, item):
        """The primary beneficiaries of an item loaded with_primary_ids(), in their order."""
        if not item.primary_ids:
            return []
        picked = {int(pk) for pk in item.primary_ids.split(",")}
        return [persona for pk, persona in self.personas_in_order.items() if pk in picked]

    def status(self, item):
        status = html_of('<span class="status status-{}">{}</span>', item.status,
                         STATUSES.get(item.status, item.status))
        if not item.shipped_on:
            return status
        return html_of('{} <time class="shipped-on" datetime="{}">{}</time>', status,
                       item.shipped_on.isoformat(), dateformat.format(item.shipped_on, "j M Y"))
