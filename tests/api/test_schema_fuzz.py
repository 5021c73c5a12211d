"""Schemathesis over every operation of the schema, with a PM's and a team lead's token: no
5xx, and every answer (refusals included) matches the schema. A bounded number of examples
per operation keeps it short; the role matrix in tests/test_url_access.py covers access."""

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck
from hypothesis import settings as examples
from schemathesis import checks

from tests.api.conftest import new_token
from tests.factories import make_item, make_metric, make_persona, make_product, triage
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


@pytest.fixture
def tokens(db, pm, lead):
    """A small roadmap to find, and the two tokens the fuzzer sends."""
    buyer, employee = make_persona(side="customer"), make_persona(side="user")
    make_persona(side="both")
    make_metric(side="customer")
    triage(make_item(product=make_product(name="Expenses"), owner=pm), [buyer, employee],
           by=pm, whose_problem="user")
    return [new_token(pm), new_token(lead)]


@fuzzed.parametrize()
@examples(max_examples=3, deadline=None, derandomize=True,
          suppress_health_check=list(HealthCheck))
def test_no_operation_answers_5xx_or_off_the_schema(case, tokens, settings):
    settings.API_RATE_LIMIT = "100000/min"
    for authorization in tokens:
        case.call_and_validate(headers={"Authorization": authorization}, checks=CHECKS)
