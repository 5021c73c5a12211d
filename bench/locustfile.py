"""Mixed traffic for `bench/load.py`: PMs browsing and filtering the roadmap list, PMs
triaging in the queue, team leads on the review dashboard, API clients listing and triaging
items. Run through bench/load.py, which starts `make serve` on a bench database, hands this
file signed-in sessions and API tokens, and names the user classes to run (BrowsingPM,
TriagingPM, ReviewingLead, ApiClient; ListOnlyPM for the list alone).

Every request is named after the page it asks for, so the report is per page. A refused
concurrent save (two PMs on one item) is the app working, not an error: it is counted
under its own name.
"""

import json
import os
import random
import re
from urllib.parse import urlencode

from locust import FastHttpUser, between, events, task

SESSIONS = json.loads(os.environ.get("WB_LOAD_SESSIONS", '{"pm": [], "lead": [], "api": []}'))
TOKENS = SESSIONS.get("api", [])
PRODUCTS = ["expenses", "invoicing", "platform"]
FILTERS = {"horizon": ["now", "next", "later"], "status": ["idea", "planned", "in_progress"],
           "beneficiary_class": ["customers", "users", "both", "untriaged"]}
STALE = "Someone else saved this since you opened it"


class SignedIn(FastHttpUser):
    abstract = True
    role = "pm"

    def on_start(self):
        pool = SESSIONS[self.role]
        self.client.cookiejar.set_cookie(_cookie("sessionid", random.choice(pool)))

    def page(self, path, name, **kwargs):
        with self.client.get(path, name=name, catch_response=True, **kwargs) as response:
            if response.status_code != 200:
                response.failure(f"{response.status_code}")
            elif "Log out" not in response.text and "HX-Request" not in kwargs.get(
                    "headers", {}):
                response.failure("not signed in")
            return response.text or ""


class BrowsingPM(SignedIn):
    """The page PMs open most: the list, filtered, paged, and an item from it."""

    weight = 3
    wait_time = between(0.5, 2)

    @task(3)
    def list(self):
        self.page("/roadmap/", "list")

    @task(4)
    def filtered_list(self):
        field = random.choice(list(FILTERS))
        html = self.page(f"/roadmap/?product={random.choice(PRODUCTS)}&{field}="
                         f"{random.choice(FILTERS[field])}", "list, filtered")
        items = re.findall(r'id="item-(\d+)"', html)
        if items:
            self.page(f"/roadmap/items/{random.choice(items)}/", "item")

    @task(1)
    def next_page(self):
        self.page(f"/roadmap/?page={random.randint(2, 20)}", "list, page 2-20")


class ListOnlyPM(SignedIn):
    """The list alone, as fast as it answers: for the list's own target (`--scenario list`)."""

    wait_time = between(0, 0)

    @task(1)
    def list(self):
        self.page("/roadmap/", "list")

    @task(2)
    def filtered_list(self):
        field = random.choice(list(FILTERS))
        self.page(f"/roadmap/?product={random.choice(PRODUCTS)}&{field}="
                  f"{random.choice(FILTERS[field])}", "list, filtered")


class TriagingPM(SignedIn):
    """The triage queue by keyboard: htmx posts the answer, the next item comes back."""

    weight = 2
    wait_time = between(1, 3)

    def on_start(self):
        super().on_start()
        self.product = random.choice(PRODUCTS)
        html = self.page(f"/roadmap/triage/?product={self.product}", "queue")
        self.form = _queue_form(html)

    @task
    def triage_next(self):
        if self.form is None:  # the end of this product's queue: start another
            self.product = random.choice(PRODUCTS)
            self.form = _queue_form(self.page(f"/roadmap/triage/?product={self.product}",
                                              "queue"))
            return
        item, version, personas, token = self.form
        picks = random.sample(personas, min(len(personas), random.randint(1, 2)))
        with self.client.post(
            f"/roadmap/triage/?product={self.product}", name="queue: save triage",
            data=urlencode({"item": item, "version": version, "primary_beneficiaries": picks,
                            "whose_problem": random.choice(["customer", "user"]),
                            "value_for_other_side": "Keeps the renewal.",
                            "csrfmiddlewaretoken": token}, doseq=True),
            headers={"HX-Request": "true", "X-CSRFToken": token,
                     "Content-Type": "application/x-www-form-urlencoded"},
            catch_response=True,
        ) as response:
            html = response.text or ""
            if response.status_code != 200:
                response.failure(f"{response.status_code}")
            elif STALE in html:
                response.success()
                events.request.fire(request_type="POST", name="queue: refused (conflict)",
                                    response_time=0, response_length=0, exception=None)
                self.form = _queue_form(html)
            elif "Triage saved" not in html:
                response.failure("neither saved nor refused")
            else:
                self.form = _queue_form(html, token)


class ReviewingLead(SignedIn):
    """Team leads on the dashboard: filter it, open an item's review panel in place."""

    role = "lead"
    weight = 1
    wait_time = between(1, 3)

    @task(2)
    def dashboard(self):
        html = self.page("/roadmap/review/", "dashboard")
        self.items = re.findall(r'id="one-sided-(\d+)"', html) or getattr(self, "items", [])

    @task(2)
    def filtered_dashboard(self):
        self.page(f"/roadmap/review/?product={random.choice(PRODUCTS)}&horizon="
                  f"{random.choice(FILTERS['horizon'])}", "dashboard, filtered")

    @task(1)
    def review_panel(self):
        if getattr(self, "items", None):
            self.page(f"/roadmap/items/{random.choice(self.items)}/review/?compact=1",
                      "review panel (htmx)", headers={"HX-Request": "true"})


class ApiClient(FastHttpUser):
    """A script with a PM's API token: lists a product's items, reads one, and triages it
    with the version it read (a 409, another save first, is counted as refused)."""

    weight = 1
    wait_time = between(0.5, 2)

    def on_start(self):
        self.headers = {"Authorization": f"Bearer {random.choice(TOKENS)}"}
        self.personas = [p["id"] for p in self.api("GET", "/api/personas", "api: personas") or []]
        self.items = []

    def api(self, method, path, name, body=None, ok=(200,), refused=()):
        with self.client.request(method, path, name=name, headers=self.headers, json=body,
                                 catch_response=True) as response:
            if response.status_code in refused:
                response.success()
                return None
            if response.status_code not in ok:
                response.failure(f"{response.status_code}")
                return None
            return response.json()

    @task(3)
    def list_items(self):
        query = urlencode({"product": random.choice(PRODUCTS),
                           "horizon": random.choice(FILTERS["horizon"])})
        page = self.api("GET", f"/api/items?{query}", "api: items, filtered") or {}
        self.items = [item["id"] for item in page.get("items", [])] or self.items

    @task(2)
    def read_and_triage(self):
        if not (self.items and self.personas):
            return
        item = self.api("GET", f"/api/items/{random.choice(self.items)}", "api: item")
        if item is None:
            return
        answer = {"primary_beneficiaries": [random.choice(self.personas)],
                  "value_for_other_side": "Fewer support calls for the account team.",
                  "version": item["version"]}
        self.api("PUT", f"/api/items/{item['id']}/triage", "api: triage", answer,
                 refused=(409,))


def _queue_form(html, token=None):
    """(item, version, persona ids, CSRF token) of the item the queue shows, or None."""
    item = re.search(r'name="item" value="(\d+)"', html)
    version = re.search(r'name="version" value="(\d+)"', html)
    personas = re.findall(r'name="primary_beneficiaries" value="(\d+)"', html)
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html) or token
    if not (item and version and personas and token):
        return None
    token = token if isinstance(token, str) else token.group(1)
    return item.group(1), version.group(1), personas, token


def _cookie(name, value):
    from http.cookiejar import Cookie

    return Cookie(0, name, value, None, False, "127.0.0.1", False, False, "/", True, False,
                  None, False, None, None, {})
