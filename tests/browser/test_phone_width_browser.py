"""On a phone the quarter pages and the import page fit the screen: a wide table scrolls inside
its box, the page itself never sideways."""

import pytest

from roadmap.quarters import Quarter
from tests.factories import make_item, make_persona, triage

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}


@pytest.mark.parametrize("path", ["/roadmap/targets/", "/roadmap/review/"])
def test_the_targets_and_the_review_fit_a_phone(browser, live_server, log_in, lead, pm, path):
    buyer = make_persona(side="customer")
    for title in ["SSO", "Audit log export"]:  # the quarter misses its targets: badges show
        triage(make_item(title=title, target_quarter=str(Quarter.current()), horizon="now"),
               [buyer], by=pm)
    page = log_in(lead)
    page.set_viewport_size(PHONE)
    page.goto(path)
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]


def test_the_import_page_fits_a_phone(log_in, pm):
    """GitHub's export command, one long line of code, wraps instead of widening the page."""
    page = log_in(pm)
    page.set_viewport_size(PHONE)
    page.goto("/imports/new/")
    assert page.get_by_text("gh issue list").is_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
