"""The roadmap list's rows, each built once in Python with format_html.

Why not a template: the list is the page PMs open most, and its 50 rows through the template
engine (five includes, two reverse() and some seventy variable lookups a row) were two
thirds of its time (docs/benchmarks.md). format_html escapes every value it is given, as the
template did. The class badge and an item's source look the same on other pages: their
partials in roadmap/item_list.html call the functions here.
"""

from django.urls import reverse
from django.utils import dateformat
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe
from django.utils.text import Truncator

from whobenefits.people import person

# Stands in for an item's id in the one reverse() a page makes per link.
_ANY_PK = 4242424242
NONE_SHOWN = mark_safe('<span class="muted">—</span>')


def joined(parts, separator=""):
    """The parts in one piece of HTML, each escaped unless it is HTML already."""
    return format_html_join(separator, "{}", ((part,) for part in parts))


def url_for_each(name):
    """`name`'s URL for any item id (a function of the id), from one reverse() per page."""
    prefix, suffix = reverse(name, args=[_ANY_PK]).split(str(_ANY_PK))
    return lambda pk: f"{prefix}{pk}{suffix}"


def class_badge(triage):
    """Who benefits, and the warning when a one-sided item states no value for the other
    side; "Untriaged" without a triage."""
    if not triage:
        return mark_safe('<span class="badge untriaged">Untriaged</span>')
    badge = format_html('<span class="badge class-{}">{}</span>', triage.beneficiary_class,
                        triage.get_beneficiary_class_display())
    if triage.lacks_other_side_value:
        badge += mark_safe(' <span class="badge warning" title="One-sided, no value stated for '
                           'the other side">No value stated for the other side</span>')
    return badge


def review_badge(review):
    """Beside the class badge: a challenge and why, or that the PM answered it."""
    if review is None:
        return ""
    if review.is_open_challenge:
        return format_html('<span class="badge challenged">Challenged</span> '
                           '<span class="challenge-reason">{}</span>',
                           Truncator(review.comment).chars(140))
    if review.is_answered_challenge:
        return mark_safe('<span class="badge answered">Challenge answered</span>')
    return ""


def item_source(item):
    """Where an imported item came from: its key (a link back when there is one) and its
    labels; "" for an item made here."""
    parts = []
    if item.external_key:
        key = (format_html('<a href="{}" rel="noopener noreferrer">{}</a>', item.external_url,
                           item.external_key) if item.external_url else item.external_key)
        parts.append(format_html('<span class="item-source">{} {}</span>',
                                 item.get_external_source_display(), key))
    elif item.external_url:
        parts.append(format_html(
            '<a class="item-source" href="{}" rel="noopener noreferrer">{}</a>',
            item.external_url, item.get_external_source_display() or "Source"))
    if item.labels:
        parts.append(format_html('<ul class="labels" aria-label="Labels">{}</ul>',
                                 format_html_join("", "<li>{}</li>",
                                                  ((label,) for label in item.labels))))
    return joined(parts, " ")


class ItemRows:
    """Builds the rows of one page of the list: what every row shares is worked out once."""

    def __init__(self, *, bulk, bulk_error, selected, can_triage, back_next, extensions):
        self.bulk, self.bulk_error, self.selected = bulk, bulk_error, selected
        self.extensions = extensions
        self.detail_url = url_for_each("roadmap:item-detail")
        self.triage_url = url_for_each("roadmap:triage") if can_triage else None
        self.back_next = back_next

    def html(self, items):
        return joined(self.row(item) for item in items)

    def row(self, item):
        pk = item.pk
        return format_html(
            '<tr id="item-{}">\n{}<td data-label="Item"><a href="{}" class="item-title" '
            'id="item-title-{}">{}</a> <span class="product">{}</span> {}</td>\n'
            '<td data-label="Who benefits">{}</td>\n'
            '<td data-label="Primary personas">{}</td>\n'
            '<td data-label="Status">{}</td>\n'
            '<td data-label="Horizon">{}</td>\n'
            '<td data-label="Quarter" class="nowrap">{}</td>\n'
            '<td data-label="Effort" class="num">{}</td>\n'
            '<td data-label="Owner">{}</td>\n{}</tr>\n',
            pk, self.tick(item), self.detail_url(pk), pk, item.title, item.product.name,
            item_source(item), self.who_benefits(item), self.personas(item),
            self.status(item), item.get_horizon_display(), item.target_quarter or "—",
            "—" if item.effort is None else item.effort, person(item.owner, "—"),
            joined(e.list_row_cells(item) for e in self.extensions))

    def tick(self, item):
        if not self.bulk:
            return ""
        return format_html(
            '<td class="tick-col"><input type="checkbox" name="bulk-items" value="{}:{}" '
            'id="tick-{}" aria-labelledby="item-title-{}"{}{}></td>\n',
            item.pk, item.version, item.pk, item.pk,
            mark_safe(" checked") if item.pk in self.selected else "",
            mark_safe(' aria-describedby="bulk-items-error"') if self.bulk_error else "")

    def who_benefits(self, item):
        triage = item.current_triage()
        badges = [class_badge(triage), review_badge(item.current_review()),
                  *(e.list_row_badges(item) for e in self.extensions)]
        if self.triage_url:
            badges.append(format_html(
                '<a class="row-action" href="{}?next={}%23item-{}" aria-describedby='
                '"item-title-{}">{}</a>', self.triage_url(item.pk), self.back_next, item.pk,
                item.pk, "Re-triage" if triage else "Triage"))
        return joined((badge for badge in badges if badge), " ")

    def personas(self, item):
        triage = item.current_triage()
        if triage is None:
            return NONE_SHOWN
        return format_html('<ul class="persona-chips">{}</ul>', format_html_join(
            "", '<li class="chip side-{}">{}</li>',
            ((persona.side, persona.name) for persona in triage.primary_beneficiaries.all())))

    def status(self, item):
        status = format_html('<span class="status status-{}">{}</span>', item.status,
                             item.get_status_display())
        if item.shipped_on:
            status += format_html(' <time class="shipped-on" datetime="{}">{}</time>',
                                  item.shipped_on.isoformat(),
                                  dateformat.format(item.shipped_on, "j M Y"))
        return status
