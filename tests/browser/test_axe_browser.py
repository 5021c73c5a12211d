"""axe-core in Chromium on every page of every role, htmx states included: no violations.

The pages and their states are the table in tests/pages.py: add a row there for a new page.
One browser, the one live server, one test per row.
axe-core is vendored at a pinned version (static/vendor/axe-*.min.js, from npm's axe-core)
and loaded only here, never by the app's pages.
"""

import os

import pytest
from django.conf import settings
from django.test import Client

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


@pytest.mark.parametrize("case", PAGES, ids=str)
def test_page_has_no_accessibility_violations(request, case, page, live_server, page_data,
                                              browser_problems):
    if case.refused:
        browser_problems.expect(rf"status of {case.refused}\b|Error Code {case.refused}\b")
    if case.role != "anonymous":
        client = Client()
        client.force_login(request.getfixturevalue(case.role),
                           backend="django.contrib.auth.backends.ModelBackend")
        page.context.add_cookies([{
            "name": settings.SESSION_COOKIE_NAME, "url": live_server.url,
            "value": client.cookies[settings.SESSION_COOKIE_NAME].value}])
    page.goto(case.url.format(**ids(page_data)))
    if case.state:
        case.state(page, page_data)
    violations = axe_violations(page)
    assert not violations, "\n".join(violations)
