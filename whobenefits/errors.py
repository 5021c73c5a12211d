"""handler500: a database that cannot be reached is a 503 that says so, never a 500.

Django calls handler500 for any exception a view or middleware left unhandled, the session
lookup in the middleware included, while that exception is being handled. A connection
error (PostgreSQL stopped, restarting, unreachable) answers 503 with a Retry-After: a page
for people, JSON `{"detail": ...}` under /api/. Anything else is Django's plain 500 page.
handler404 answers JSON under /api/ too: every answer there is JSON.
Persistent connections are health-checked on each request, so the first request after the
database is back reconnects: no restart needed.
"""

import logging
import sys

from django.db import InterfaceError, OperationalError
from django.http import HttpResponse, JsonResponse
from django.template import loader
from django.views import defaults

DATABASE_UNAVAILABLE = "Who Benefits can't reach its database. Try again in a minute."
RETRY_AFTER_SECONDS = 60
API_PREFIX = "/api/"


def is_database_unavailable(exception):
    return isinstance(exception, OperationalError | InterfaceError)


def page_not_found(request, exception):
    if request.path_info.startswith(API_PREFIX):
        return JsonResponse({"detail": "Not found: no such API path.", "errors": {}}, status=404)
    return defaults.page_not_found(request, exception)


def server_error(request):
    if not is_database_unavailable(sys.exception()):
        return defaults.server_error(request)
    if request.path_info.startswith(API_PREFIX):
        response = JsonResponse({"detail": DATABASE_UNAVAILABLE}, status=503)
    else:
        # Rendered without the request: its context processors read the session and the
        # messages, which live in the database that is away.
        page = loader.render_to_string("503.html", {"path": request.get_full_path()})
        response = HttpResponse(page, status=503)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response


class DatabaseUnavailableLogFilter(logging.Filter):
    """One line per request refused while the database is away, not a whole traceback."""

    def filter(self, record):
        if (getattr(record, "status_code", None) == 503 and record.exc_info
                and is_database_unavailable(record.exc_info[1])):
            record.msg = f"{record.msg} (database unavailable: %s)"
            record.args = (*record.args, str(record.exc_info[1]).strip())
            record.exc_info = None
        return True
