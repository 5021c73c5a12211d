"""Take the README's screenshots again: the triage queue, the review dashboard, an item page.

    .venv/bin/python docs/screenshots.py [--base http://127.0.0.1:8000]

Without --base it serves the demo itself: a fresh SQLite database in a temporary folder,
migrated and seeded with `seed_demo`, behind `manage.py runserver` on a free loopback port,
stopped at the end. With --base it uses a running server that has the demo logins
(`make run`). Chromium (Debian's, /usr/bin/chromium) through Playwright, as the browser
tests use it; the PNGs go into docs/ beside this file.
"""

import argparse
import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from contextlib import contextmanager
from pathlib import Path

from playwright.sync_api import expect, sync_playwright

DOCS = Path(__file__).resolve().parent
ROOT = DOCS.parent
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]
VIEWPORT = {"width": 1280, "height": 900}


def main():
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--base", help="a running server with the demo data")
    args = parser.parse_args()
    if args.base:
        take(args.base.rstrip("/"))
        return
    with demo_server() as base:
        take(base)


def take(base):
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        pm = signed_in(browser, base, "pm", "demo-pm-2026")
        # A PM in the queue who has pressed 5 (Field employee): the class and question 2.
        pm.goto(f"{base}/roadmap/triage/?product=expenses")
        expect(pm.get_by_role("heading", name="Mileage from a map route")).to_be_visible()
        pm.keyboard.press("5")
        expect(pm.locator(".class-preview")).to_have_text("Users only")
        shoot(pm, "triage-queue.png")

        pm.goto(f"{base}/roadmap/")
        pm.get_by_role("link", name="Single sign-on with SAML").click()
        expect(pm.get_by_role("heading", name="Single sign-on with SAML")).to_be_visible()
        shoot(pm, "item-page.png")

        lead = signed_in(browser, base, "lead", "demo-lead-2026")
        lead.goto(f"{base}/roadmap/review/")
        expect(lead.get_by_role("heading", name="Review")).to_be_visible()
        shoot(lead, "review-dashboard.png")
        browser.close()


def signed_in(browser, base, username, password):
    page = browser.new_context(viewport=VIEWPORT, device_scale_factor=1).new_page()
    page.goto(f"{base}/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("link", name="Log out").or_(
        page.get_by_role("button", name="Log out"))).to_be_visible()
    return page


def shoot(page, name):
    page.mouse.move(0, 0)  # no hover state in the picture
    page.screenshot(path=DOCS / name)
    print(DOCS / name)


@contextmanager
def demo_server():
    """The demo on a fresh database, served on a free loopback port while in the block."""
    with tempfile.TemporaryDirectory() as folder:
        env = {**os.environ, "DATABASE_URL": f"sqlite:///{folder}/demo.sqlite3", "DEBUG": "true"}
        manage = [sys.executable, str(ROOT / "manage.py")]
        for command in (["migrate", "--no-input", "-v0"], ["seed_demo"]):
            subprocess.run(manage + command, env=env, check=True, stdout=subprocess.DEVNULL)
        port = free_port()
        server = subprocess.Popen([*manage, "runserver", f"127.0.0.1:{port}", "--noreload"],
                                  env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            base = f"http://127.0.0.1:{port}"
            wait_for(f"{base}/healthz")
            yield base
        finally:
            server.terminate()
            server.wait(timeout=10)


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_for(url, seconds=30):
    deadline = time.monotonic() + seconds
    while True:
        try:
            with urllib.request.urlopen(url, timeout=2):
                return
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.2)


if __name__ == "__main__":
    main()
