"""Every browser test fails on a console error or a CSP violation (tests/browser/conftest.py):
check that the watch sees them, so a quiet console means something."""

import pytest

pytestmark = pytest.mark.browser


def test_the_watch_reports_inline_styles_scripts_and_console_errors(log_in, pm,
                                                                     browser_problems):
    page = log_in(pm)
    page.goto("/roadmap/")
    page.evaluate("document.querySelector('main').setAttribute('style', 'color: red')")
    page.evaluate("console.error('Something broke')")
    problems = browser_problems.unexpected()
    assert any("Content Security Policy: style-src-attr" in p for p in problems), problems
    assert any("Something broke" in p for p in problems), problems
    browser_problems.seen.clear()  # seen: this test passes


def test_the_watch_covers_contexts_a_test_opens_itself(browser, live_server, browser_problems):
    context = browser.new_context(base_url=live_server.url)
    page = context.new_page()
    page.goto("/login/")
    page.evaluate("console.error('Something broke')")
    assert any("Something broke" in p for p in browser_problems.unexpected())
    browser_problems.seen.clear()
    context.close()
