"""Playwright driving Debian's Chromium against pytest-django's live server."""

import os
import re
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.test import Client

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]
HOW_TO_ENABLE = "install Debian's Chromium to run them: sudo apt-get install -y chromium"


def pytest_collection_modifyitems(config, items):
    if CHROMIUM.exists():
        return
    if os.environ.get("CI") == "true":
        raise pytest.UsageError(f"Browser tests need {CHROMIUM} in CI; {HOW_TO_ENABLE}")
    skip = pytest.mark.skip(reason=f"Chromium not found at {CHROMIUM}; {HOW_TO_ENABLE}")
    for item in items:
        if "browser" in item.path.parts:
            item.add_marker(skip)


@pytest.fixture(scope="session")
def chromium():
    # Playwright's sync API runs an event loop in this thread; the ORM calls the test makes
    # around it are still synchronous.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield browser
        browser.close()


# Chromium reports a CSP violation on its own console, which Playwright does not always
# pass on: each page reports it to the console itself too.
REPORT_CSP_VIOLATIONS = """
document.addEventListener("securitypolicyviolation", (event) => console.error(
  `Content Security Policy: ${event.violatedDirective} refused ${event.blockedURI || "inline"}`
  + ` (${event.sourceFile || document.location.pathname}:${event.lineNumber})`));
"""


class BrowserProblems:
    """Console errors, uncaught exceptions and CSP violations on any page a test visits.

    Every browser test fails on one (pytest_runtest_call below), unless it said it expects
    it: `browser_problems.expect(r"status of 503")`.
    """

    def __init__(self):
        self.seen, self.expected, self.contexts = [], [], []

    def watch(self, context):
        self.contexts.append(context)
        context.add_init_script(REPORT_CSP_VIOLATIONS)
        context.on("console", self._console)
        context.on("weberror", lambda error: self.seen.append(
            f"{error.page.url if error.page else ''}: uncaught {error.error}"))

    def _console(self, message):
        if message.type == "error":
            self.seen.append(f"{message.page.url if message.page else ''}: {message.text}")

    def expect(self, pattern):
        self.expected.append(re.compile(pattern))

    def unexpected(self):
        for context in self.contexts:
            for page in context.pages:
                page.wait_for_timeout(20)  # let messages still on their way arrive
        return [problem for problem in self.seen
                if not any(pattern.search(problem) for pattern in self.expected)]


@pytest.fixture(autouse=True)
def browser_problems():
    return BrowserProblems()


@pytest.fixture
def browser(chromium, browser_problems):
    """Chromium; each context it opens is watched for console errors and CSP violations."""

    class WatchedBrowser:
        def new_context(self, **options):
            context = chromium.new_context(**options)
            browser_problems.watch(context)
            return context

    return WatchedBrowser()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item):
    result = yield
    problems = item.funcargs.get("browser_problems")
    if problems is not None:
        unexpected = problems.unexpected()
        assert not unexpected, "The browser reported:\n" + "\n".join(unexpected)
    return result


@pytest.fixture
def page(browser, live_server):
    context = browser.new_context(base_url=live_server.url, viewport={"width": 1280, "height": 900})
    context.set_default_timeout(10_000)
    page = context.new_page()
    yield page
    context.close()


@pytest.fixture
def log_in(page, live_server):
    """Sign `person` in by handing the browser a session cookie (the form has its own test)."""

    def log_in(person):
        client = Client()
        client.force_login(person, backend="django.contrib.auth.backends.ModelBackend")
        page.context.add_cookies([{
            "name": django_settings.SESSION_COOKIE_NAME,
            "value": client.cookies[django_settings.SESSION_COOKIE_NAME].value,
            "url": live_server.url,
        }])
        return page

    return log_in
