"""On a 1280 px laptop, and a 1024 px one: the roadmap list shows every column without
scrolling sideways (the demo's roadmap, with its demand and revenue columns, badges and long
titles); at 1280 the header holds an admin's every link on one line, and the review's value map
reads without its labels overlapping."""

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command

pytestmark = pytest.mark.browser

LAPTOP = {"width": 1280, "height": 800}
SMALL_LAPTOP = {"width": 1024, "height": 768}


@pytest.mark.parametrize("viewport", [LAPTOP, SMALL_LAPTOP], ids=["1280", "1024"])
@pytest.mark.parametrize("username", ["pm", "lead"])
def test_the_roadmap_list_fits_a_laptop(log_in, username, viewport):
    call_command("seed_demo", verbosity=0)
    page = log_in(get_user_model().objects.get(username=username))
    page.set_viewport_size(viewport)
    page.goto("/roadmap/?sort=-arr")  # the widest revenue cells ("$1.3M · 3 renews") first
    box = page.locator("table.items").locator("xpath=ancestor::div[contains(@class, 'table-wrap')]")
    assert box.evaluate("wrap => wrap.scrollWidth - wrap.clientWidth") == 0
    assert page.get_by_role("columnheader", name="Revenue asking").is_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"]


def test_an_admins_header_is_one_line_on_a_laptop(log_in):
    call_command("seed_demo", verbosity=0)
    page = log_in(get_user_model().objects.get(username="admin"))
    page.set_viewport_size(LAPTOP)
    page.goto("/roadmap/")
    nav = page.get_by_role("navigation", name="Main")
    first = nav.get_by_role("link", name="Roadmap").bounding_box()
    assert nav.get_by_role("link", name="Audit trail").bounding_box()["y"] == first["y"]
    log_out = page.get_by_role("button", name="Log out").bounding_box()
    assert log_out["y"] < first["y"] + first["height"]  # beside the links, not under them


def overlap(a, b):
    return not (a["x"] + a["width"] <= b["x"] or b["x"] + b["width"] <= a["x"]
                or a["y"] + a["height"] <= b["y"] or b["y"] + b["height"] <= a["y"])


def test_the_value_maps_axis_title_clears_its_labels(log_in):
    call_command("seed_demo", verbosity=0)
    page = log_in(get_user_model().objects.get(username="lead"))
    page.set_viewport_size(LAPTOP)
    page.goto("/roadmap/review/")
    svg = page.locator("svg.value-map-svg")
    title = svg.locator("text.axis-title", has_text="Customer value").bounding_box()
    for label in ("None", "Low", "Medium", "High"):
        tick = svg.locator("g.axis text[text-anchor='end']", has_text=label).bounding_box()
        assert not overlap(title, tick), label
