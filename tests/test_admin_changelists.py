"""Every changelist in the admin runs a fixed number of queries, however many rows it shows."""

import copy

import pytest
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.contrib.auth.models import Group
from django.urls import reverse

from roadmap import roles
from roadmap.models import ReviewThresholds
from tests.conftest import made_once_for_the_module, make_role_person
from tests.factories import (
    make_item,
    make_metric,
    make_person,
    make_persona,
    make_personas,
    make_product,
    make_reading,
    triage,
)
from tests.test_tasks import add

# changelist URL name -> queries with 40+ rows: session, person, roles, 2 counts, the
# thresholds check for the nav, the rows; plus filter choices and prefetches.
EXPECTED_QUERIES = {
    "admin:personas_persona_changelist": 8,  # + the archetypes for the filter
    "admin:personas_archetype_changelist": 7,
    "admin:personas_successmetric_changelist": 7,
    "admin:roadmap_product_changelist": 8,  # + their own personas (one prefetch)
    "admin:roadmap_roadmapitem_changelist": 8,  # + products for the filter
    "admin:roadmap_reviewthresholds_changelist": 8,  # + "may add another row?"
    "admin:calibration_agreementtarget_changelist": 7,
    "admin:auth_user_changelist": 8,  # + the roles of the people listed (one prefetch)
    # axes' own admins: + the date hierarchy's years and months
    "admin:axes_accessattempt_changelist": 10,
    "admin:axes_accesslog_changelist": 10,
    "admin:axes_accessfailurelog_changelist": 10,
    "admin:django_tasks_database_dbtaskresult_changelist": 9,  # + priority and queue choices
    "admin:evidence_company_changelist": 7,
    "admin:evidence_evidence_changelist": 7,
    # + the date hierarchy's bounds and years, the metrics and products for the filters
    "admin:outcomes_metricreading_changelist": 11,
}


@pytest.fixture(scope="module")
def made(django_db_setup, django_db_blocker):
    """The rows, made once for the module's changelists; each test runs in a savepoint of
    their transaction."""
    yield from made_once_for_the_module(django_db_blocker, make_many_rows)


@pytest.fixture
def people(db, made):
    return copy.deepcopy(made)


@pytest.fixture
def pm(people):
    return people["pm"]


@pytest.fixture
def admin_person(people):
    return people["admin_person"]


def make_many_rows():
    pm, admin_person = make_role_person("pm"), make_role_person("admin_person")
    ReviewThresholds.current()
    personas = make_personas(20) + make_personas(20, side="user")
    metric = make_metric()
    for persona in personas[:10]:
        persona.metrics.add(metric)
    for n in range(40):
        make_metric(side="user" if n % 2 else "customer")
    for n in range(40):
        make_reading(metric, make_product(), f"20{10 + n // 12}-{n % 12 + 1:02}", n, by=pm)
    for _ in range(40):
        item = make_item(product=make_product(), owner=pm, requesting_persona=personas[0])
        triage(item, personas[:3], by=pm, metrics=[metric])
    for role in [roles.PRODUCT_MANAGER, roles.TEAM_LEAD, roles.ADMIN]:
        for _ in range(14):
            make_person(role)
    for n in range(40):
        address = f"10.0.0.{n}"
        AccessAttempt.objects.create(
            username=f"guess{n}", ip_address=address, failures_since_start=1)
        AccessLog.objects.create(username=f"guess{n}", ip_address=address)
        AccessFailureLog.objects.create(username=f"guess{n}", ip_address=address)
        add.enqueue(n, n)
    return {"pm": pm, "admin_person": admin_person}


@pytest.mark.parametrize("url_name", EXPECTED_QUERIES)
def test_changelist_query_count_is_fixed(admin_client, pm, url_name,
                                         django_assert_num_queries):
    url = reverse(url_name)
    with django_assert_num_queries(EXPECTED_QUERIES[url_name]):
        assert admin_client.get(url).status_code == 200
    # More rows of every kind: the same number of queries.
    make_persona(), make_metric(), make_person(roles.PRODUCT_MANAGER)
    triage(make_item(product=make_product(), owner=pm), [make_persona()], by=pm)
    AccessAttempt.objects.create(username="again", ip_address="10.1.0.1", failures_since_start=1)
    AccessLog.objects.create(username="again", ip_address="10.1.0.1")
    AccessFailureLog.objects.create(username="again", ip_address="10.1.0.1")
    add.enqueue(1, 1)
    with django_assert_num_queries(EXPECTED_QUERIES[url_name]):
        admin_client.get(url)


def test_every_registered_admin_changelist_has_a_query_budget():
    from django.contrib import admin

    registered = {f"admin:{m._meta.app_label}_{m._meta.model_name}_changelist"
                  for m in admin.site._registry if m is not Group}
    assert registered == set(EXPECTED_QUERIES)
