"""The API's interactive docs run from this site's own assets under the strict CSP (every
browser test fails on a violation or a console error: tests/browser/conftest.py), and call
the API with the session."""

import re

import pytest
from playwright.sync_api import expect

from tests.factories import make_product

pytestmark = pytest.mark.browser


def test_the_api_docs_call_the_api_under_the_csp(log_in, pm):
    make_product(name="Expenses")
    page = log_in(pm)
    page.goto("/api/docs")
    page.get_by_text("/api/products", exact=True).first.click()
    page.get_by_role("button", name="Try it out").click()
    page.get_by_role("button", name="Execute").click()
    expect(page.locator(".live-responses-table td.response-col_status").nth(1)).to_have_text("200")
    expect(page.get_by_text('"name": "Expenses"').first).to_be_visible()


def test_the_api_docs_lead_back_to_the_roadmap_in_one_click(log_in, pm):
    page = log_in(pm)
    page.goto("/api/docs")
    page.add_script_tag(url="/static/vendor/axe-4.14.1.min.js")
    # The app's own part of the page (Swagger UI's is django-ninja's).
    violations = page.evaluate("""async () => (await axe.run(
        {include: [["header.site-header"], [".skip-link"]]},
        {resultTypes: ["violations"]})).violations.map(v => `${v.id}: ${v.help}`)""")
    assert violations == []
    page.get_by_role("navigation", name="Main").get_by_role(
        "link", name="Back to the roadmap").click()
    expect(page).to_have_url(re.compile(r"/roadmap/$"))
    expect(page.get_by_role("heading", level=1)).to_be_visible()
