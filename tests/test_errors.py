"""handler500: the database away is a 503 that says so; any other error is a plain 500.

The real thing (PostgreSQL stopped under gunicorn) is tests/test_database_faults.py.
"""

import json
import logging

import pytest
from django.db import InterfaceError, OperationalError
from django.test import RequestFactory

from whobenefits.errors import DatabaseUnavailableLogFilter, server_error


def answer_while_handling(exception, path):
    request = RequestFactory().get(path)
    try:
        raise exception
    except Exception:
        return server_error(request)


@pytest.mark.parametrize("exception", [OperationalError("connection refused"),
                                       InterfaceError("connection already closed")])
def test_a_lost_database_is_a_503_page_that_says_so(exception):
    response = answer_while_handling(exception, "/roadmap/?horizon=now")
    assert response.status_code == 503
    assert response["Retry-After"] == "60"
    page = response.content.decode()
    assert "Who Benefits can't reach its database" in page
    assert "Try again in a minute" in page
    assert 'href="/roadmap/?horizon=now"' in page
    assert "connection refused" not in page and "Log out" not in page


def test_a_lost_database_is_json_under_the_api():
    response = answer_while_handling(OperationalError("connection refused"), "/api/items")
    assert response.status_code == 503
    assert response["Content-Type"] == "application/json"
    assert json.loads(response.content) == {
        "detail": "Who Benefits can't reach its database. Try again in a minute."}


def test_any_other_error_is_a_plain_500():
    response = answer_while_handling(ValueError("a bug"), "/roadmap/")
    assert response.status_code == 500
    assert b"a bug" not in response.content


def test_the_log_says_database_unavailable_in_one_line():
    try:
        raise OperationalError('connection to server at "127.0.0.1", port 5 failed')
    except OperationalError as error:
        record = logging.LogRecord("django.request", logging.ERROR, __file__, 1, "%s: %s",
                                   ("Service Unavailable", "/roadmap/"), (type(error), error,
                                                                         error.__traceback__))
    record.status_code = 503
    DatabaseUnavailableLogFilter().filter(record)
    assert record.exc_info is None
    assert record.getMessage() == ('Service Unavailable: /roadmap/ (database unavailable: '
                                   'connection to server at "127.0.0.1", port 5 failed)')


def test_a_missing_page_says_so_inside_the_app(pm_client, db):
    response = pm_client.get("/roadmap/items/999999/")
    assert response.status_code == 404
    page = response.content.decode()
    assert "Page not found" in page and "Back to the roadmap" in page
    assert "Log out" in page
