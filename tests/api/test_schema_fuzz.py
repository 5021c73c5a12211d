"""Schemathesis over every operation of the schema, with a PM's and a team lead's token: no
5xx, and every answer (refusals included) matches the schema. Each operation gets every case
of Schemathesis' coverage phase (its boundary and wrong-type values, 1,600 cases over the 34
operations) and 3 fuzzed examples; the role matrix in tests/test_url_access.py covers access.

A role the operation's permission refuses gets 403 before the API reads the request
(tokens/auth.py), whatever it sends: it sends the operation's first case, not all of them.
"""

import pytest
import schemathesis
from django.core.exceptions import PermissionDenied
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck
from hypothesis import settings as examples
from schemathesis import checks

from tests.api.conftest import new_token
from tests.factories import make_item, make_metric, make_persona, make_product, triage
from tokens.auth import check_permission
from whobenefits.api import api

# In-process, through Django's WSGI handler and the test database.
fuzzed = schemathesis.openapi.from_dict(api.get_openapi_schema())
fuzzed.app = get_wsgi_application()
pytestmark = pytest.mark.django_db
# No 5xx, and every answer as documented. Not "schema-valid input is accepted": the forms'
# rules go further than the schema's types (a product that exists, an owner with a role).
CHECKS = [checks.not_a_server_error, checks.status_code_conformance,
          checks.content_type_conformance, checks.response_headers_conformance,
          checks.response_schema_conformance]


@pytest.fixture(autouse=True)
def one_connection():
    """Django's test Client keeps the test's connection between requests (its transaction
    is the test database); the WSGI handler would close it after each one."""
    for signal in (request_started, request_finished):
        signal.disconnect(close_old_connections)
    yield
    for signal in (request_started, request_finished):
        signal.connect(close_old_connections)


def permissions():
    """{(method, path): the permission its token must pass} for every operation."""
    found = {}
    for prefix, router in api._routers:
        for path, path_view in router.path_operations.items():
            for operation in path_view.operations:
                for method in operation.methods:
                    found[method, "/api" + prefix + path] = operation.auth_callbacks[0].permission
    return found


PERMISSIONS = permissions()


def may_act(person, operation):
    try:
        check_permission(person, PERMISSIONS[operation.method.upper(), operation.path], None)
    except PermissionDenied:
        return False
    return True


@pytest.fixture
def tokens(db, pm, lead):
    """A small roadmap to find, and the two people whose tokens the fuzzer sends."""
    buyer, employee = make_persona(side="customer"), make_persona(side="user")
    make_persona(side="both")
    make_metric(side="customer")
    triage(make_item(product=make_product(name="Expenses"), owner=pm), [buyer, employee],
           by=pm, whose_problem="user")
    return {pm: new_token(pm), lead: new_token(lead)}


@pytest.fixture
def refused():
    """The people refused this operation who have sent it a case."""
    return set()


@fuzzed.parametrize()
@examples(max_examples=3, deadline=None, derandomize=True,
          suppress_health_check=list(HealthCheck))
def test_no_operation_answers_5xx_or_off_the_schema(case, tokens, refused, settings):
    settings.API_RATE_LIMIT = "100000/min"
    operation = case.operation
    assert (operation.method.upper(), operation.path) in PERMISSIONS, "every operation is known"
    for person, authorization in tokens.items():
        if case.method.upper() != operation.method.upper():
            # A method the path does not have: the URL's 405, before any token is read.
            case.call_and_validate(headers={"Authorization": authorization}, checks=CHECKS)
            break
        if may_act(person, operation):
            case.call_and_validate(headers={"Authorization": authorization}, checks=CHECKS)
        elif person not in refused:
            refused.add(person)
            response = case.call_and_validate(headers={"Authorization": authorization},
                                              checks=CHECKS)
            assert response.status_code == 403, response.text
