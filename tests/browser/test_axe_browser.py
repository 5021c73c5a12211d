"""axe-core in Chromium on every page of every role, htmx states included: no violations.

The pages and their states are the table in tests/pages.py: add a row there for a new page.
One browser, the one live server, one test per row. The rows share one set of page data,
committed for the live server: it is made again only after a test that changed the database
(see SharedSite), not before each of the 99 rows.
axe-core is vendored at a pinned version (static/vendor/axe-*.min.js, from npm's axe-core)
and loaded only here, never by the app's pages.
"""

import copy
import hashlib
import os

import pytest
from django.conf import settings
from django.core.management import call_command
from django.db import connection
from django.test import override_settings

from tests.conftest import (
    FAST_HASHERS,
    logged_in_client,
    make_page_data,
    make_role_groups,
    make_role_person,
)
from tests.pages import PAGES, ids

pytestmark = [
    pytest.mark.browser,
    # Markup and its accessibility do not depend on the database: once is enough.
    pytest.mark.skipif("DATABASE_URL" in os.environ, reason="runs once, on the SQLite pass"),
]

AXE = "/static/vendor/axe-4.14.1.min.js"

def axe_violations(page):
    page.add_script_tag(url=AXE)
    return page.evaluate("""async () => {
        const results = await axe.run(document, {resultTypes: ["violations"]});
        return results.violations.map(v => `${v.id} (${v.impact}): ${v.help}\\n` +
            v.nodes.map(n => `    ${n.target.join(" ")}: ${n.failureSummary}`).join("\\n"));
    }""")


def database_contents():
    """A digest of every row of every table: what tells that a test changed the database."""
    digest = hashlib.sha256()
    with connection.cursor() as cursor:
        for table in sorted(info.name for info in connection.introspection.get_table_list(cursor)
                            if info.type == "t"):
            cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")
            digest.update(table.encode())
            for row in sorted(repr(row) for row in cursor.fetchall()):
                digest.update(row.encode())
    return digest.hexdigest()


class SharedSite:
    """The page data and a session for each role, committed for the live server, shared by
    the rows while no row changes the database: before each row, if the database is not what
    the last one was handed (a state saved a triage, a login failed, a message waits in a
    session...), it is flushed, as pytest-django flushes after each live-server test, and
    made again. A row is never handed data another row changed."""

    def __init__(self):
        self.data = self.contents = None
        self.touched = False

    def ready(self):
        if self.contents is not None and database_contents() == self.contents:
            return
        if self.touched:
            self.flush()
        self.touched = True
        with override_settings(PASSWORD_HASHERS=FAST_HASHERS):
            make_role_groups()
            people = {name: make_role_person(name) for name in ["pm", "lead", "admin_person"]}
            self.data = make_page_data(**people)
        self.sessions = {name: logged_in_client(person).cookies[settings.SESSION_COOKIE_NAME]
                         .value for name, person in people.items()}
        self.contents = database_contents()

    def flush(self):
        call_command("flush", verbosity=0, interactive=False)
        self.data = self.contents = None


@pytest.fixture(scope="module")
def site(django_db_setup, django_db_blocker):
    site = SharedSite()
    yield site
    if site.touched:
        # Leave the database as any live-server test leaves it.
        with django_db_blocker.unblock():
            site.flush()


@pytest.fixture
def transactional_db(site, django_db_blocker):
    """What the live server asks for (pytest-django's _live_server_helper): committed data,
    here the site's, kept after the test rather than flushed."""
    with django_db_blocker.unblock():
        site.ready()
        yield


@pytest.fixture
def role_groups(transactional_db):
    """The site makes the roles' groups with its data (this replaces tests/conftest.py's)."""


@pytest.fixture
def page_data(transactional_db, site):
    """A copy of the site's objects: a state that changes one in memory changes it for
    itself alone."""
    return copy.deepcopy(site.data)


@pytest.mark.parametrize("case", PAGES, ids=str)
def test_page_has_no_accessibility_violations(case, page, live_server, site, page_data,
                                              browser_problems):
    if case.refused:
        browser_problems.expect(rf"status of {case.refused}\b|Error Code {case.refused}\b")
    if case.role != "anonymous":
        page.context.add_cookies([{
            "name": settings.SESSION_COOKIE_NAME, "url": live_server.url,
            "value": site.sessions[case.role]}])
    page.goto(case.url.format(**ids(page_data)))
    if case.state:
        case.state(page, page_data)
    violations = axe_violations(page)
    assert not violations, "\n".join(violations)
