import importlib
import io
import signal
from datetime import timedelta

import pytest
from django.apps import apps
from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.db import transaction
from django.test import Client, override_settings
from django.utils import timezone
from pytest_django.plugin import blocking_manager_key

from calibration.models import AgreementTarget
from imports.models import BacklogImport
from outcomes.models import months_back, this_month
from roadmap import roles
from tokens.models import ApiToken

from .factories import (
    answer_round,
    import_file,
    make_company,
    make_item,
    make_metric,
    make_note,
    make_person,
    make_persona,
    make_product,
    make_reading,
    make_round,
    review_item,
    triage,
)


def logged_in_client(person):
    """A client with the session a login leaves (the model backend: django-axes' backend
    comes first in the list but cannot load a person from the session). Written directly,
    not through force_login: a fixture's login needs none of the login signal's writes
    (django-axes' access log, last_login, the security log), which the login tests get
    from real logins."""
    client = Client()
    session = importlib.import_module(settings.SESSION_ENGINE).SessionStore()
    session[SESSION_KEY] = person._meta.pk.value_to_string(person)
    session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    session[HASH_SESSION_KEY] = person.get_session_auth_hash()
    session.save()
    client.cookies[settings.SESSION_COOKIE_NAME] = session.session_key
    client.cookies[settings.SESSION_COOKIE_NAME].update({
        "path": "/", "domain": settings.SESSION_COOKIE_DOMAIN,
        "secure": settings.SESSION_COOKIE_SECURE or None})
    return client


# The people of the role fixtures below, by fixture name.
PEOPLE = {
    "pm": (roles.PRODUCT_MANAGER, {"username": "pm", "first_name": "Priya", "last_name": "Menon"}),
    "lead": (roles.TEAM_LEAD, {"username": "lead", "first_name": "Lena", "last_name": "Schmidt"}),
    "admin_person": (roles.ADMIN, {"username": "admin", "first_name": "Ada",
                                   "last_name": "Okafor"}),
    "no_role_person": (None, {"username": "visitor"}),
}


def make_role_person(name):
    role, fields = PEOPLE[name]
    return make_person(role, **fields)


@pytest.fixture
def pm(db):
    return make_role_person("pm")


@pytest.fixture
def lead(db):
    return make_role_person("lead")


@pytest.fixture
def admin_person(db):
    return make_role_person("admin_person")


@pytest.fixture
def no_role_person(db):
    return make_role_person("no_role_person")


@pytest.fixture
def pm_client(pm):
    return logged_in_client(pm)


@pytest.fixture
def lead_client(lead):
    return logged_in_client(lead)


@pytest.fixture
def admin_client(admin_person):
    """The Admin role (staff, in the Admin group), not a superuser."""
    return logged_in_client(admin_person)


@pytest.fixture
def no_role_client(no_role_person):
    return logged_in_client(no_role_person)


@pytest.fixture
def customer_persona(db):
    return make_persona(side="customer", name="IT administrator")


@pytest.fixture
def user_persona(db):
    return make_persona(side="user", name="Field employee")


@pytest.fixture
def buyer(db):
    return make_persona(side="customer", name="Economic buyer")


@pytest.fixture
def employee(db):
    return make_persona(side="user", name="Field employee")


@pytest.fixture
def item(db, pm):
    return make_item(title="Single sign-on", owner=pm)


# Real hashing takes ~0.3 s a person; tests check roles, not hashing strength.
FAST_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    settings.PASSWORD_HASHERS = FAST_HASHERS


def make_role_groups():
    """The roles' groups and the built-in archetypes, as the migrations make them (a flush
    deletes them)."""
    importlib.import_module("roadmap.migrations.0002_roles").create_roles(apps, None)
    importlib.import_module("roadmap.migrations.0017_balance_targets").install(apps, None)
    importlib.import_module("imports.migrations.0002_roles").grant(apps, None)
    importlib.import_module("evidence.migrations.0002_roles").grant(apps, None)
    importlib.import_module("outcomes.migrations.0002_roles").grant(apps, None)
    importlib.import_module("outcomes.migrations.0003_item_outcome").grant(apps, None)
    importlib.import_module("tokens.migrations.0002_roles").grant(apps, None)
    importlib.import_module("calibration.migrations.0002_roles").grant(apps, None)
    importlib.import_module("personas.migrations.0003_archetypes").create_built_ins(apps, None)
    importlib.import_module("personas.migrations.0005_archetype_roles").grant(apps, None)


def commits(item):
    """Whether a test commits (the live server's, the task worker's): pytest-django then
    flushes the database after it, the roles' groups (and the built-in archetypes) included."""
    marker = item.get_closest_marker("django_db")
    return bool({"transactional_db", "live_server"} & set(item.fixturenames)
                or (marker and marker.kwargs.get("transaction")))


@pytest.fixture(autouse=True)
def role_groups(request):
    """Make the groups again before each test that commits, however it asks for its database."""
    if commits(request.node):
        request.getfixturevalue("transactional_db")
        make_role_groups()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_teardown(item, nextitem):
    """And after it, once its flush is done: under xdist's worksteal the next test on this
    worker may be any kind (one taken from the other worker's queue) and expects the groups
    the migrations made."""
    result = yield
    if commits(item) and nextitem is not None:
        with item.config.stash[blocking_manager_key].unblock():
            if not Group.objects.exists():
                make_role_groups()
    return result


def made_once_for_the_module(django_db_blocker, make):
    """The body of a module-scoped fixture that makes data for many tests, the way Django's
    TestCase.setUpTestData does: `make()` runs once, in a transaction that each test's own
    (with `db`, a savepoint) nests in, rolled back after the module's last test. Database
    access stays blocked in between, as for any test that does not ask for it.

        @pytest.fixture(scope="module")
        def made(django_db_setup, django_db_blocker):
            yield from made_once_for_the_module(django_db_blocker, make_many_rows)

    Hand each test a deep copy of what it made (copy.deepcopy, as Django's TestData does),
    so a test that changes an object in memory does not change it for the next."""
    with django_db_blocker.unblock(), transaction.atomic():
        with override_settings(PASSWORD_HASHERS=FAST_HASHERS):
            made = make()
        with django_db_blocker.block():
            yield made
        transaction.set_rollback(True)


def seed_demo():
    call_command("seed_demo", verbosity=0, stdout=io.StringIO())


@pytest.fixture(scope="module")
def demo_for_the_module(django_db_setup, django_db_blocker):
    yield from made_once_for_the_module(django_db_blocker, seed_demo)


@pytest.fixture
def demo(demo_for_the_module, db):
    """The demo seed_demo makes, seeded once for the module: each test's writes (a removal,
    a second seed) roll back with its savepoint. A few seconds a seed on PostgreSQL."""


@pytest.fixture
def run_tasks(transactional_db):
    """Run the queued tasks through the real database backend and worker (`db_worker
    --batch`), which commit as they go: hence a transactional database."""

    def run_tasks():
        # The worker installs its own Ctrl-C handlers; give pytest its own back after it.
        handlers = {number: signal.getsignal(number)
                    for number in (signal.SIGINT, signal.SIGTERM, signal.SIGQUIT)}
        try:
            call_command("db_worker", batch=True, startup_delay=False, reload=False,
                         verbosity=0)
        finally:
            for number, handler in handlers.items():
                signal.signal(number, handler)

    return run_tasks


@pytest.fixture
def page_data(pm, lead, admin_person):
    """The objects the URLs and states of tests/pages.py name."""
    return make_page_data(pm, lead, admin_person)


def make_page_data(pm, lead, admin_person):
    buyer = make_persona(side="customer", name="Economic buyer")
    employee = make_persona(side="user", name="Field employee")
    product = make_product(name="Expenses")
    item = make_item(title="Receipt capture", product=product, horizon="now", owner=pm,
                     requesting_persona=employee, description="Snap a receipt.")
    triage(item, [buyer, employee], by=pm)
    one_sided = make_item(title="Audit log export", product=product, horizon="now", owner=pm)
    triage(one_sided, [buyer], by=pm)
    challenged = make_item(title="SSO", product=product, horizon="next", owner=pm)
    triage(challenged, [buyer], by=pm, value="Renewals keep access.")
    review_item(challenged, "challenged", "Who uses it?", lead)
    untriaged = make_item(title="Dark mode", product=product, requesting_persona=buyer)
    pm2 = make_person(roles.PRODUCT_MANAGER, first_name="Marco", last_name="Rossi")
    round_open = make_round([pm, pm2], [untriaged, one_sided], by=lead, name="Open round")
    round_closed = make_round([pm, pm2], [item, one_sided], by=lead, name="Closed round")
    for rater, picks in [(pm, [buyer, employee]), (pm2, [buyer])]:
        answer_round(round_closed, rater, item, picks)
        answer_round(round_closed, rater, one_sided, [buyer])  # the last one closes it
    backlog = b"Title,Status,Effort,Key\nOffline drafts,Ready,3,D-1\nBad,Done,lots,D-2\n"
    running = BacklogImport.start(data=backlog, file_name="backlog.csv", product=product,
                                  created_by=pm)
    running.queue(BacklogImport.State.READING)
    failed = BacklogImport.start(data=b"x", file_name="logo.png", product=product, created_by=pm)
    failed.fail("This file is not text (CSV, tab-separated or JSON) or an .xlsx workbook.",
                "reading")
    company = make_company("Acme", arr=420000)
    note = make_note(buyer, by=pm, items=[one_sided], company=company, text="Auditors ask.")
    make_note(employee, by=pm, text="Not linked yet.")
    notes = (b"What they said,Persona,Company,Item key\nAuditors want it,Economic buyer,Acme,"
             + str(one_sided.pk).encode() + b"\nToo slow,Nobody,,\n")
    revenue = make_metric(side="customer", name="Revenue")
    make_reading(revenue, product, months_back(this_month(), 1), 110000, by=pm)
    reading = make_reading(revenue, product, this_month(), 120000, by=pm)
    shipped = make_item(title="Offline drafts", product=product, owner=pm)
    triage(shipped, [employee], by=pm, metrics=[make_metric(side="user", name="Adoption")])
    shipped.refresh_from_db()
    shipped.status = "shipped"
    shipped.shipped_on = timezone.localdate() - timedelta(weeks=7)
    shipped.save_edit(expected_version=shipped.version, edited_by=pm)
    readings = (b"Metric,Product,Month,Value\nRevenue,Expenses,2025-06,1000\n"
                b"Nope,Expenses,2025-06,1\n")
    return {
        "readings_preview_import": import_file(readings, None, by=admin_person,
                                               kind="readings", commit=False),
        "readings_done_import": import_file(readings, None, by=admin_person, kind="readings",
                                            skip_errors=True),
        "reading": reading, "shipped": shipped,
        "api_token": ApiToken.issue(person=pm, name="Nightly Jira sync", created_by=pm)[0],
        "company": company, "note": note,
        "pm": pm, "lead": lead, "buyer": buyer, "employee": employee, "item": item,
        "one_sided": one_sided, "untriaged": untriaged,
        "empty_product": make_product(name="Nothing here").slug,
        "pm2": pm2, "round_open": round_open, "round_closed": round_closed,
        "agreement_target": AgreementTarget.current(),
        "lead2": make_person(roles.TEAM_LEAD, first_name="Ines", last_name="Ward"),
        "notes_mapping_import": import_file(notes, None, by=pm, kind="notes", preview=False),
        "notes_preview_import": import_file(notes, None, by=pm, kind="notes", commit=False),
        "notes_done_import": import_file(notes, None, by=pm, kind="notes", skip_errors=True),
        "mapping_import": import_file(backlog, product, by=pm, commit=False, preview=False),
        "preview_import": import_file(backlog, product, by=pm, commit=False),
        "done_import": import_file(backlog, product, by=pm, skip_errors=True,
                                   mapping={"values": {"status": {"Ready": "planned"}}}),
        "running_import": running, "failed_import": failed,
    }


def pytest_collection_modifyitems(items):
    # The real-server tests take a minute or two each: start them first, so that under
    # xdist the other worker shares out the rest meanwhile, and the pass never ends waiting
    # on one of them started last.
    items.sort(key=lambda item: item.get_closest_marker("setup") is None)
