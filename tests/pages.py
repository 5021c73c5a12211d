"""The app's pages, one row per (role, URL, state), for the checks that look at every page:
axe-core in Chromium (tests/browser/test_axe_browser.py) and the Nu HTML checker
(tests/test_html_validity.py).

A new page, or a new state of one (a panel htmx opens, a refusal, an error), gets a row in
PAGES. A state is a function that takes the Playwright page and the test data and brings
the page into that state in the browser; the HTML checker reads the rows without one.
"""

import re
from collections.abc import Callable
from dataclasses import dataclass

from django.db import OperationalError
from playwright.sync_api import expect

from tests.factories import review_item, triage
from tests.test_errors import answer_while_handling


@dataclass(frozen=True)
class Page:
    role: str  # a fixture name, or "anonymous"
    url: str  # formatted with the ids of the test data: {item}, {persona}, {pm}...
    state: Callable | None = None
    # The error status the page or its state answers on purpose (404, an htmx update refused
    # with 401): the browser logs it on the console, which browser tests expect only then.
    refused: int | None = None

    def __str__(self):
        return f"{self.role} {self.url}" + (f" {self.state.__name__}" if self.state else "")


# States -----------------------------------------------------------------------------------

def wrong_password(page, data):
    page.get_by_label("Username").fill("pm")
    page.get_by_label("Password").fill("not-the-password")
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("alert")).to_be_visible()


def filtered_in_place(page, data):
    page.get_by_label("Horizon").select_option(label="Now")
    expect(page).to_have_url(re.compile(r"horizon=now"))


def session_ended(page, data):
    page.context.clear_cookies()
    page.get_by_label("Horizon").select_option(label="Now")
    expect(page.get_by_text("Your session has ended")).to_be_visible()


def database_away(page, data):
    unavailable = answer_while_handling(OperationalError("connection refused"), "/")
    page.route("**/roadmap/?*", lambda route: route.fulfill(
        status=503, body=unavailable.content, headers=dict(unavailable.items())))
    page.get_by_label("Horizon").select_option(label="Now")
    expect(page.get_by_text("this page was not updated")).to_be_visible()


def database_away_page(page, data):
    unavailable = answer_while_handling(OperationalError("connection refused"), "/roadmap/")
    page.route("**/roadmap/", lambda route: route.fulfill(
        status=503, body=unavailable.content, headers=dict(unavailable.items())))
    page.goto("/roadmap/")
    expect(page.get_by_role("heading", name=re.compile("reach its database"))).to_be_visible()


def bulk_edit_refused(page, data):
    page.get_by_role("button", name="Apply to the ticked items").click()
    expect(page.get_by_text("Select the items to change.")).to_be_visible()


def bulk_edit_ticked(page, data):
    page.get_by_label("Tick every item on this page").check()
    expect(page.get_by_text("ticked.")).to_be_visible()


def form_errors(page, data):
    page.get_by_label("Effort").fill("-3")
    page.get_by_role("button", name=re.compile("Save|Add")).click()
    expect(page.locator(".errorlist").first).to_be_visible()


def edit_conflict(page, data):
    item = data["item"]
    item.refresh_from_db()
    item.title = "Renamed by Marco"
    item.save_edit(expected_version=item.version, edited_by=data["pm2"])
    page.get_by_label("Title").fill("Renamed by me")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("alert")).to_be_visible()


def question_2_shown(page, data):
    page.get_by_label(data["buyer"].name).check()
    expect(page.get_by_label("Value for users")).to_be_visible()


def triage_conflict(page, data):
    page.get_by_label(data["buyer"].name).check()
    expect(page.get_by_label("Value for users")).to_be_visible()
    item = data["untriaged"]
    item.refresh_from_db()
    triage(item, [data["employee"]], by=data["pm2"])
    page.get_by_role("button", name="Save triage").click()
    expect(page.get_by_role("alert")).to_contain_text("Someone else saved this")


def saved_in_the_queue(page, data):
    page.get_by_label(data["employee"].name).check()
    page.keyboard.press("Control+Enter")
    expect(page.get_by_text("Triage saved")).to_be_visible()


def review_panel_open(page, data):
    row = page.locator(f"#one-sided-{data['one_sided'].pk}")
    row.get_by_text("Review this item").click()
    expect(row.get_by_label("Accept")).to_be_visible()


def review_refused_in_place(page, data):
    review_panel_open(page, data)
    row = page.locator(f"#one-sided-{data['one_sided'].pk}")
    row.get_by_label("Challenge").check()
    row.get_by_role("button", name="Save review").click()
    expect(row.get_by_text("Say why you challenge this item.")).to_be_visible()


def review_conflict(page, data):
    review_item(data["one_sided"], "accepted", "", data["lead2"])
    page.get_by_label("Challenge").check()
    page.get_by_label("Comment").fill("Who among the users benefits?")
    page.get_by_role("button", name="Save review").click()
    expect(page.get_by_role("alert")).to_be_visible()


def upload_refused(page, data):
    page.get_by_role("button", name="Read the file").click()
    expect(page.locator(".errorlist").first).to_be_visible()


def mapping_refused(page, data):
    page.get_by_role("button", name="Preview the import").click()
    expect(page.get_by_text("Choose what \u201cReady\u201d becomes.")).to_be_visible()
def token_made(page, data):
    page.get_by_label("Name").fill("Nightly Jira sync")
    page.get_by_role("button", name="Make token").click()
    expect(page.get_by_text("shown only this once")).to_be_visible()


def token_refused(page, data):
    page.get_by_role("button", name="Make token").click()
    expect(page.locator(".errorlist").first).to_be_visible()


def evidence_added(page, data):
    page.get_by_label("What they said").fill("We need this before the renewal.")
    page.get_by_label("Who said it").select_option(label=f"{data['buyer'].name} (buyer)")
    page.keyboard.press("Control+Enter")
    expect(page.get_by_text("Next note?")).to_be_visible()


def evidence_refused(page, data):
    page.get_by_label("Who said it").select_option(label=f"{data['buyer'].name} (buyer)")
    page.get_by_label("What they said").fill("Typed, then refused.")
    page.get_by_label("Company").fill("Nobody Inc")
    page.keyboard.press("Control+Enter")
    expect(page.get_by_text("No company is named")).to_be_visible()


def reading_refused(page, data):
    form = page.locator("form.item-form")
    form.get_by_label("Success metric").select_option(label="Revenue (customers)")
    form.get_by_label("Product").select_option(label="Expenses")
    month = f"{data['reading'].period:%Y-%m}"
    form.get_by_label("Month").fill(month)
    form.get_by_label("Value").fill("1")
    form.get_by_role("button", name="Record").click()
    expect(page.get_by_text(f"already has a reading for {month}")).to_be_visible()


def outcome_refused(page, data):
    # The server's refusal, past the browser's own check of the required choice.
    page.locator("form.item-form").evaluate("form => { form.noValidate = true; }")
    page.get_by_label("Note").fill("Kept while refused")
    page.get_by_role("button", name="Save the answer").click()
    expect(page.locator(".errorlist").first).to_be_visible()


def inbox_search(page, data):
    page.get_by_label("Find items by title").fill("Audit")
    expect(page.get_by_role("button", name="Link")).to_be_visible()


def targets_refused(page, data):
    page.get_by_label("Items for both, at least (%)").fill("40")
    page.get_by_label("Customers only, at most (%)").fill("70")
    page.get_by_role("button", name="Save targets").click()
    expect(page.get_by_text("below the 40% minimum for both")).to_be_visible()
def round_answered(page, data):
    page.get_by_label(data["employee"].name).check()
    page.keyboard.press("Control+Enter")
    expect(page.get_by_text("Saved your answer")).to_be_visible()


def round_refused(page, data):
    page.get_by_role("button", name="Start the round").click()
    expect(page.locator(".errorlist").first).to_be_visible()


# The table --------------------------------------------------------------------------------

PAGES = [
    Page("anonymous", "/login/"),
    Page("anonymous", "/login/", wrong_password),
    Page("pm", "/roadmap/"),
    Page("pm", "/roadmap/", filtered_in_place),
    Page("pm", "/roadmap/?product=nope&status=someday"),
    Page("pm", "/roadmap/", bulk_edit_refused),
    Page("pm", "/roadmap/", bulk_edit_ticked),
    Page("pm", "/roadmap/", session_ended, refused=401),
    Page("pm", "/roadmap/", database_away, refused=503),
    Page("pm", "/roadmap/", database_away_page, refused=503),
    Page("pm", "/roadmap/items/{item}/"),
    Page("pm", "/roadmap/items/new/"),
    Page("pm", "/roadmap/items/new/", form_errors),
    Page("pm", "/roadmap/items/{item}/edit/"),
    Page("pm", "/roadmap/items/{item}/edit/", edit_conflict),
    Page("pm", "/roadmap/items/{untriaged}/triage/"),
    Page("pm", "/roadmap/items/{untriaged}/triage/", question_2_shown),
    Page("pm", "/roadmap/items/{untriaged}/triage/", triage_conflict),
    Page("pm", "/roadmap/triage/"),
    Page("pm", "/roadmap/triage/", saved_in_the_queue),
    Page("pm", "/roadmap/triage/?product={empty_product}"),
    Page("pm", "/roadmap/triage/?order=product&new=on"),
    Page("pm", "/roadmap/review/"),
    Page("pm", "/roadmap/review/print/"),
    Page("pm", "/personas/"),
    Page("pm", "/roadmap/items/999999/", refused=404),
    Page("pm", "/imports/"),
    Page("pm", "/imports/new/"),
    Page("pm", "/imports/new/", upload_refused),
    Page("pm", "/imports/{running_import}/"),
    Page("pm", "/imports/{failed_import}/"),
    Page("pm", "/imports/{mapping_import}/map/"),
    Page("pm", "/imports/{mapping_import}/map/", mapping_refused),
    Page("pm", "/imports/{preview_import}/preview/"),
    Page("pm", "/imports/{done_import}/"),
    Page("pm", "/imports/notes/new/"),
    Page("pm", "/imports/{notes_mapping_import}/map/"),
    Page("pm", "/imports/{notes_preview_import}/preview/"),
    Page("pm", "/imports/{notes_done_import}/"),
    Page("lead", "/roadmap/review/"),
    Page("lead", "/roadmap/review/", review_panel_open),
    Page("lead", "/roadmap/review/", review_refused_in_place),
    Page("lead", "/roadmap/review/?owner=ghost&product=nope"),
    Page("lead", "/roadmap/items/{one_sided}/"),
    Page("lead", "/roadmap/items/{one_sided}/review/"),
    Page("lead", "/roadmap/items/{one_sided}/review/", review_conflict),
    Page("lead", "/roadmap/items/{item}/triage/", refused=403),
    Page("lead", "/roadmap/targets/"),
    Page("pm", "/roadmap/targets/"),
    Page("lead", "/roadmap/targets/default/"),
    Page("lead", "/roadmap/targets/2027-Q1/", targets_refused),
    Page("pm", "/roadmap/items/{one_sided}/", evidence_added),
    Page("pm", "/roadmap/items/{one_sided}/", evidence_refused),
    Page("pm", "/roadmap/?evidence=mismatch&sort=-customer_score"),
    Page("pm", "/evidence/inbox/"),
    Page("pm", "/evidence/inbox/", inbox_search),
    Page("pm", "/evidence/items/{one_sided}/notes/"),
    Page("pm", "/evidence/notes/{note}/"),
    Page("lead", "/evidence/companies/"),
    Page("lead", "/evidence/companies/{company}/"),
    Page("admin_person", "/admin/evidence/company/"),
    Page("admin_person", "/admin/evidence/evidence/{note}/change/"),
    Page("admin_person", "/audit/"),
    Page("admin_person", "/audit/?until=not-a-date&person=0"),
    Page("admin_person", "/admin/"),
    Page("admin_person", "/admin/personas/persona/"),
    Page("admin_person", "/admin/personas/persona/{buyer}/change/"),
    Page("admin_person", "/admin/personas/archetype/"),
    Page("admin_person", "/admin/personas/archetype/add/"),
    Page("admin_person", "/admin/roadmap/roadmapitem/"),
    Page("admin_person", "/admin/roadmap/roadmapitem/{item}/history/"),
    Page("admin_person", "/admin/auth/user/{pm}/change/"),
    Page("pm", "/tokens/"),
    Page("pm", "/tokens/", token_made),
    Page("pm", "/tokens/", token_refused),
    Page("admin_person", "/tokens/"),
    Page("pm", "/outcomes/readings/"),
    Page("admin_person", "/outcomes/readings/"),
    Page("admin_person", "/outcomes/readings/", reading_refused),
    Page("admin_person", "/outcomes/readings/{reading}/"),
    Page("admin_person", "/admin/outcomes/metricreading/"),
    Page("pm", "/calibration/"),
    Page("pm", "/calibration/{round_open}/"),
    Page("pm", "/calibration/{round_open}/queue/"),
    Page("pm", "/calibration/{round_open}/queue/", round_answered),
    Page("pm", "/calibration/{round_closed}/"),
    Page("lead", "/calibration/"),
    Page("lead", "/calibration/new/"),
    Page("lead", "/calibration/new/", round_refused),
    Page("lead", "/calibration/{round_open}/"),
    Page("lead", "/calibration/{round_closed}/"),
    Page("admin_person", "/admin/calibration/agreementtarget/{agreement_target}/change/"),
    Page("pm", "/outcomes/items/{shipped}/outcome/"),
    Page("pm", "/outcomes/items/{shipped}/outcome/", outcome_refused),
    Page("pm", "/outcomes/settings/"),
    Page("admin_person", "/imports/readings/new/"),
    Page("admin_person", "/imports/{readings_preview_import}/preview/"),
    Page("admin_person", "/imports/{readings_done_import}/"),
    Page("lead", "/outcomes/settings/"),
]


def ids(data):
    """The URL placeholders: each object's pk (a product's slug)."""
    return {key: getattr(value, "pk", value) for key, value in data.items()}
