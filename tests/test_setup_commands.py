"""`make run` from a clean clone: installs, migrates, seeds, serves with a task worker beside
the server, the demo login works, and Ctrl-C stops both.

The clone is of the last commit, as CI's is.
"""

import http.cookiejar
import os
import re
import shutil
import signal
import subprocess
import time
import urllib.parse
import urllib.request
from pathlib import Path

import pytest

from tests.live import free_port, group_commands

ROOT = Path(__file__).resolve().parent.parent

pytestmark = [
    pytest.mark.setup,
    pytest.mark.skipif(not (ROOT / ".git").exists(), reason="needs the git checkout"),
    pytest.mark.skipif(shutil.which("make") is None, reason="needs make"),
    # The command serves the embedded SQLite database whatever DATABASE_URL the suite runs on;
    # once is enough.
    pytest.mark.skipif("DATABASE_URL" in os.environ, reason="runs once, on the SQLite pass"),
]


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


def test_make_run_on_a_clean_clone_serves_the_demo(tmp_path):
    clone = tmp_path / "clone"
    subprocess.run(["git", "clone", "--quiet", str(ROOT), str(clone)], check=True)
    port = free_port()
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "VIRTUAL_ENV"}}
    server = subprocess.Popen(
        ["make", "run", f"PORT={port}"], cwd=clone, env=env, start_new_session=True,
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
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

    again = subprocess.run(["make", "seed"], cwd=clone, env=env, capture_output=True, text=True,
                           check=False)
    assert again.returncode == 0, again.stdout + again.stderr
    assert "(0 new)" in again.stdout
