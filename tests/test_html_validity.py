"""The Nu HTML checker on every page of tests/pages.py, as the server sends it.

vnu.jar comes from npm's vnu-jar at the version the Makefile pins (`make vnu`, which
`make test` runs, installs it into the virtualenv); Java runs it. One run checks every page.
The rows with a state need a browser to reach it: axe checks those (tests/browser/).
HTML does not depend on the database, so this runs once, on the SQLite pass.
"""

import copy
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from django.test import Client

from tests.conftest import (
    logged_in_client,
    made_once_for_the_module,
    make_page_data,
    make_role_person,
)
from tests.pages import PAGES, ids

VNU = Path(sys.prefix) / "vnu" / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"
MISSING = None if VNU.exists() and shutil.which("java") else (
    f"the Nu HTML checker is not installed at {VNU} or Java is missing: run `make vnu`")

# htmx's own attributes (hx-get, hx-target...) are what htmx and django-htmx document; the
# checker knows only data-* for attributes of one's own. Everything else counts.
HTMX_ATTRIBUTE = re.compile(r"^Attribute “hx-[a-z-]+” not allowed on element")

pytestmark = [
    pytest.mark.skipif("DATABASE_URL" in os.environ, reason="runs once, on the SQLite pass"),
]


def make_people_and_page_data():
    people = {name: make_role_person(name) for name in ["pm", "lead", "admin_person"]}
    return {**people, "page_data": make_page_data(**people)}


@pytest.fixture(scope="module")
def made(django_db_setup, django_db_blocker):
    """The page data, made once for the module's tests; each runs in a savepoint of it."""
    yield from made_once_for_the_module(django_db_blocker, make_people_and_page_data)


@pytest.fixture
def people_and_page_data(db, made):
    return copy.deepcopy(made)


@pytest.fixture
def pm(people_and_page_data):
    return people_and_page_data["pm"]


@pytest.fixture
def lead(people_and_page_data):
    return people_and_page_data["lead"]


@pytest.fixture
def admin_person(people_and_page_data):
    return people_and_page_data["admin_person"]


@pytest.fixture
def page_data(people_and_page_data):
    return people_and_page_data["page_data"]


def test_every_page_is_valid_html(request, page_data, tmp_path):
    if MISSING:
        if os.environ.get("CI") == "true":
            pytest.fail(MISSING)
        pytest.skip(MISSING)
    pages = {}
    for number, case in enumerate(case for case in PAGES if case.state is None):
        person = None if case.role == "anonymous" else request.getfixturevalue(case.role)
        client = logged_in_client(person) if person else Client()
        html = client.get(case.url.format(**ids(page_data))).content.decode()
        assert "axe-" not in html, f"{case}: the tests' axe-core is never loaded by a page"
        path = tmp_path / f"page-{number}.html"
        path.write_text(html)
        pages[path.name] = case
    result = subprocess.run(
        ["java", "-jar", str(VNU), "--format", "json", "--exit-zero-always",
         *(str(tmp_path / name) for name in pages)],
        capture_output=True, text=True, timeout=120, check=False)
    messages = json.loads(result.stderr)["messages"]
    problems = [f"{pages.get(m.get('url', '').rsplit('/', 1)[-1], m.get('url'))}: "
                f"line {m.get('lastLine')}: {m['message']}"
                for m in messages
                if m["type"] != "info" and not HTMX_ATTRIBUTE.match(m["message"])]
    assert not problems, "\n".join(problems)


def test_time_datetime_values_have_at_most_three_fraction_digits(admin_client, page_data):
    html = admin_client.get("/audit/").content.decode()
    values = re.findall(r'<time datetime="([^"]+)"', html)
    assert values
    assert all(re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}[+-]\d\d:\d\d", v)
               for v in values), values
