"""`make serve` from a clean clone: production mode on this machine, as the README says.

gunicorn with 2 workers and the task worker beside it, DEBUG off, compressed and hashed
static files served by WhiteNoise, a secret generated once into var/ (sessions survive a
restart), plain HTTP on loopback only.
The clone is of the last commit, as CI's is.
"""

import os
import re
import shutil
import stat
import subprocess

import pytest

from tests.live import ROOT, Browserless, group_commands, make_serve, server_env

pytestmark = [
    pytest.mark.setup,
    pytest.mark.skipif(not (ROOT / ".git").exists(), reason="needs the git checkout"),
    pytest.mark.skipif(shutil.which("make") is None, reason="needs make"),
    # The command serves the embedded SQLite database whatever DATABASE_URL the suite runs on;
    # once is enough.
    pytest.mark.skipif("DATABASE_URL" in os.environ, reason="runs once, on the SQLite pass"),
]


def test_make_serve_runs_the_production_configuration(tmp_path):
    clone = tmp_path / "clone"
    subprocess.run(["git", "clone", "--quiet", str(ROOT), str(clone)], check=True)
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

    # A restart keeps the secret, so the session signed in before it still works.
    server = make_serve(server_env(), cwd=clone, port=server.port)
    try:
        status, _, body = pm.request("/roadmap/")
        assert status == 200 and "Log out" in body
    finally:
        server.stop()
        server.kill()
    assert secret.read_text() == key
