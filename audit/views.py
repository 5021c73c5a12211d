import csv

from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import StreamingHttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from whobenefits.forms import filters_query
from whobenefits.spreadsheet import Echo, safe_cell

from .forms import TrailFilterForm
from .trail import load_entries, pages_of

ENTRIES_PER_PAGE = 50


def staff_only(view):
    """Admins (staff) only; others get 403, not a detour to the admin's login."""

    def wrapped(request, *args, **kwargs):
        if not request.user.is_staff:
            raise PermissionDenied("The audit trail is for admins.")
        return view(request, *args, **kwargs)

    wrapped.__name__, wrapped.__doc__ = view.__name__, view.__doc__
    return wrapped


@require_GET
@staff_only
def trail(request):
    filters = TrailFilterForm(request.GET)
    page = Paginator(filters.trail(), ENTRIES_PER_PAGE).get_page(request.GET.get("page"))
    return render(request, "audit/trail.html", {
        "filters": filters, "page": page, "entries": load_entries(page.object_list),
        "query": filters_query(request),
    })


CSV_HEADER = ["when (UTC)", "who", "action", "object type", "object id", "object", "field",
              "before", "after", "reason"]


@require_GET
@staff_only
def trail_csv(request):
    """The filtered trail as CSV, one row per changed field, streamed page by page."""
    filters = TrailFilterForm(request.GET)
    writer = csv.writer(Echo())

    def rows():
        yield writer.writerow(CSV_HEADER)
        for entry in pages_of(filters.trail()):
            when = entry.when.astimezone(timezone.UTC).strftime("%Y-%m-%d %H:%M:%S")
            common = [when, entry.who, entry.action, entry.object_type, entry.record.id,
                      entry.object_label]
            for change in entry.changes or [None]:
                values = [change.field, change.before, change.after] if change else ["", "", ""]
                yield writer.writerow([safe_cell(v) for v in [*common, *values, entry.reason]])

    stamp = timezone.now().strftime("%Y-%m-%d")
    return StreamingHttpResponse(rows(), content_type="text/csv; charset=utf-8", headers={
        "Content-Disposition": f'attachment; filename="audit-trail-{stamp}.csv"',
    })
