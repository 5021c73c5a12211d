"""`make run` and `make serve` from a clean clone, as the README tells a newcomer.

`make run` installs, migrates, seeds, serves with a task worker beside the server, the demo
login works, and Ctrl-C stops both. `make serve` is production mode on this machine: gunicorn
with 2 workers and the task worker beside it, DEBUG off, compressed and hashed static files
served by WhiteNoise, a secret generated once into var/ (sessions survive a restart), plain
HTTP on loopback only.

The clone is of the last commit, as CI's is. The two commands share one clone, `make run`
first, so the install, the migrations and the demo data are made once (about a minute);
`make serve` runs the same `install`, `migrate` and `seed` targets before its own, and a dry
run on a fresh clone shows it would make them itself.
"""

import http.cookiejar
import os
import re
import shutil
import signal
import stat
import subprocess
import time
import urllib.parse
import urllib.request

import pytest

from tests.live import ROOT, Browserless, free_port, group_commands, make_serve, server_env

pytestmark = [
    pytest.mark.setup,
    pytest.mark.skipif(not (ROOT / ".git").exists(), reason="needs the git checkout"),
    pytest.mark.skipif(shutil.which("make") is None, reason="needs make"),
    # The commands serve the embedded SQLite database whatever DATABASE_URL the suite runs on;
    # once is enough.
    pytest.mark.skipif("DATABASE_URL" in os.environ, reason="runs once, on the SQLite pass"),
]


def clone_of_the_last_commit(where):
    subprocess.run(["git", "clone", "--quiet", str(ROOT), str(where)], check=True)
    return where


@pytest.fixture(scope="module")
def clone(tmp_path_factory):
    """One clean clone for `make run`, then `make serve` (in that order in this file)."""
    return clone_of_the_last_commit(tmp_path_factory.mktemp("setup") / "clone")

def wait_for(url, server, seconds):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise AssertionError(f"make run stopped:\n{server.stdout.read()[-3000:]}")
        try:
            return urllib.request.urlopen(url, timeout=2)
        except OSError:
            time.sleep(0.5)
    raise AssertionError(f"{url} did not answer within {seconds} s")


def log_in(base, username, password):
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    form = opener.open(f"{base}/login/").read().decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', form).group(1)
    data = urllib.parse.urlencode(
        {"username": username, "password": password, "csrfmiddlewaretoken": token}
    ).encode()
    return opener.open(urllib.request.Request(
        f"{base}/login/", data=data, headers={"Referer": f"{base}/login/"}
    ))


def test_make_run_on_a_clean_clone_serves_the_demo(clone):
    port = free_port()
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "VIRTUAL_ENV"}}
    server = subprocess.Popen(
        ["make", "run", f"PORT={port}"], cwd=clone, env=env, start_new_session=True,
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
        # As a terminal starts it: a suite started in the background (nohup, `&`) ignores
        # SIGINT, and its children would inherit that and never see the Ctrl-C below.
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )
    try:
        base = f"http://127.0.0.1:{port}"
        wait_for(f"{base}/login/", server, seconds=300)
        roadmap = log_in(base, "pm", "demo-pm-2026")
        assert roadmap.url == f"{base}/roadmap/"
        page = roadmap.read().decode()
        assert "Single sign-on with SAML" in page
        assert "Log out" in page
        assert any("manage.py db_worker" in command for command in group_commands(server.pid))
        # Ctrl-C in a terminal interrupts the whole foreground process group.
        os.killpg(server.pid, signal.SIGINT)
        output = server.communicate(timeout=30)[0]
        deadline = time.monotonic() + 10
        while group_commands(server.pid) and time.monotonic() < deadline:
            time.sleep(0.2)
        assert group_commands(server.pid) == [], "Ctrl-C left processes running"
    finally:
        if group_commands(server.pid):
            os.killpg(server.pid, signal.SIGKILL)
        if server.returncode is None:
            server.communicate(timeout=30)
    assert "Demo data ready" in output, output[-2000:]
    assert "Starting worker" in output, output[-2000:]


def test_make_serve_on_a_fresh_clone_installs_migrates_and_seeds_before_serving(tmp_path):
    """The clone below has had `make run`; alone, `make serve` would make all of it first."""
    fresh = clone_of_the_last_commit(tmp_path / "clone")
    env = server_env()
    plan = subprocess.run(["make", "--dry-run", "serve"], cwd=fresh, env=env, check=True,
                          capture_output=True, text=True).stdout
    steps = ["-m venv .venv", "pip install --quiet -e .", "manage.py migrate",
             "manage.py seed_demo", "secrets.token_urlsafe", "manage.py collectstatic",
             "bin/gunicorn --bind"]
    where = [plan.find(step) for step in steps]
    assert -1 not in where and where == sorted(where), plan


def test_make_serve_runs_the_production_configuration(clone):
    server = make_serve(server_env(), cwd=clone)
    try:
        pm = Browserless(server.base)
        page = pm.log_in("pm", "demo-pm-2026")
        assert "Single sign-on with SAML" in page
        assert pm.request("/readyz")[:3:2] == (200, "ok\n")

        # DEBUG is off: a missing page is the plain 404, not Django's page of URL patterns.
        status, _, body = pm.request("/roadmap/no-such-page/")
        assert status == 404 and "URLconf" not in body

        # Static files: hashed names, compressed, cached for good.
        css = re.search(r'href="(/static/app\.[0-9a-f]{12}\.css)"', page).group(1)
        status, headers, _ = pm.request(css, headers={"Accept-Encoding": "gzip"})
        assert status == 200
        assert headers["Content-Encoding"] == "gzip"
        assert "immutable" in headers["Cache-Control"]

        # Plain HTTP on loopback: cookies without Secure, the session's HttpOnly, no
        # messages cookie (they live in the session).
        cookies = {cookie.name: cookie for cookie in pm.jar}
        assert not cookies["sessionid"].secure
        assert cookies["sessionid"].has_nonstandard_attr("HttpOnly")
        assert "messages" not in cookies
        status, headers, _ = pm.request("/roadmap/")
        assert "Strict-Transport-Security" not in headers

        commands = group_commands(server.process.pid)
        assert any("manage.py db_worker" in command for command in commands), commands
    finally:
        output = server.stop()
    assert "Listening at: http://127.0.0.1:" in output, output[-3000:]
    assert output.count("Booting worker with pid") == 2, output[-3000:]
    assert "Starting worker" in output, output[-3000:]
    left = group_commands(server.process.pid)
    server.kill()
    assert left == [], "stopping left processes running"

    secret = clone / "var" / "secret_key"
    assert stat.S_IMODE(secret.stat().st_mode) == 0o600
    key = secret.read_text()

    # A restart keeps the secret, so the session signed in before it still works; it seeds
    # again and adds nothing (the targets are idempotent).
    server = make_serve(server_env(), cwd=clone, port=server.port)
    try:
        status, _, body = pm.request("/roadmap/")
        assert status == 200 and "Log out" in body
    finally:
        output = server.stop()
        server.kill()
    assert secret.read_text() == key
    assert "(0 new)" in output, output[-3000:]
