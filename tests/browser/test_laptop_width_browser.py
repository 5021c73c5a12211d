"""On a 1280 px laptop the roadmap list shows every column without scrolling sideways: the
demo's roadmap, with its demand and revenue columns, badges and long titles."""

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command

pytestmark = pytest.mark.browser

LAPTOP = {"width": 1280, "height": 800}


@pytest.mark.parametrize("username", ["pm", "lead"])
def test_the_roadmap_list_fits_a_laptop(log_in, username):
    call_command("seed_demo", verbosity=0)
    page = log_in(get_user_model().objects.get(username=username))
    page.set_viewport_size(LAPTOP)
    page.goto("/roadmap/?sort=-arr")  # the widest revenue cells ("$1.3M · 3 renews") first
    box = page.locator("table.items").locator("xpath=ancestor::div[contains(@class, 'table-wrap')]")
    assert box.evaluate("wrap => wrap.scrollWidth - wrap.clientWidth") == 0
    assert page.get_by_role("columnheader", name="Revenue asking").is_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= LAPTOP["width"]
