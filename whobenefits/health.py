"""Probes for a load balancer or an orchestrator: no login, no session, no details.

/healthz says the process answers (it touches nothing else); /readyz says the database
answers too. Neither sets a cookie or names the database, the version or the error.
"""

from django.contrib.auth.decorators import login_not_required
from django.db import DatabaseError, connection
from django.http import HttpResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe


def _plain(text, status=200):
    return HttpResponse(text, status=status, content_type="text/plain; charset=utf-8")


@login_not_required
@never_cache
@require_safe
def healthz(request):
    return _plain("ok\n")


@login_not_required
@never_cache
@require_safe
def readyz(request):
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except DatabaseError:
        return _plain("database unavailable\n", status=503)
    return _plain("ok\n")
