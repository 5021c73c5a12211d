"""Real servers for the tests that need them: gunicorn, a private PostgreSQL, a browser-less
client that logs in through the login form. Used by the slow tests that run the app the way
production does (tests/test_database_faults.py, tests/test_setup_commands.py).
"""

import contextlib
import http.cookiejar
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _postgres_bin():
    pg_ctl = shutil.which("pg_ctl") or next(
        iter(sorted(Path("/usr/lib/postgresql").glob("*/bin/pg_ctl"), reverse=True)), None)
    return Path(pg_ctl).resolve().parent if pg_ctl else None


POSTGRES_BIN = _postgres_bin()


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def server_env(**overrides):
    """Production mode on loopback, without the variables of the suite's own process."""
    env = {k: v for k, v in os.environ.items()
           if k not in {"DATABASE_URL", "VIRTUAL_ENV", "DJANGO_ALLOW_ASYNC_UNSAFE",
                        "DJANGO_SETTINGS_MODULE"}}
    return env | {"DEBUG": "false", "SECRET_KEY": secrets.token_urlsafe(50),
                  "ALLOWED_HOSTS": "127.0.0.1"} | overrides


def manage(*args, env, timeout=300):
    result = subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=env,
                            capture_output=True, text=True, timeout=timeout, check=False)
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout


class PrivatePostgres:
    """A PostgreSQL server of the test's own, on a free port, that the test may stop.

    The shared server on 5432 serves everyone's tests; never stop that one. initdb refuses
    to run as root, so as root the server runs as the postgres system user.
    """

    def __init__(self):
        self.dir = Path(tempfile.mkdtemp(prefix="wb-postgres-"))
        self.data = self.dir / "data"
        self.port = free_port()
        self.url = f"postgres://postgres@127.0.0.1:{self.port}/postgres"
        if os.geteuid() == 0:
            shutil.chown(self.dir, "postgres", "postgres")

    def _run(self, command, *args):
        runas = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
        result = subprocess.run([*runas, str(POSTGRES_BIN / command), *args],
                                capture_output=True, text=True, timeout=120, check=False)
        assert result.returncode == 0, result.stdout + result.stderr

    def init(self):
        self._run("initdb", "-D", str(self.data), "-U", "postgres", "--auth=trust",
                  "--encoding=UTF8", "--no-sync")
        return self

    def start(self):
        self._run("pg_ctl", "-D", str(self.data), "-l", str(self.dir / "log"), "-w", "-o",
                  f"-p {self.port} -k {self.dir} -c listen_addresses=127.0.0.1 -c fsync=off",
                  "start")

    def stop(self):
        self._run("pg_ctl", "-D", str(self.data), "-m", "fast", "-w", "stop")

    def remove(self):
        if (self.data / "postmaster.pid").exists():
            self.stop()
        shutil.rmtree(self.dir, ignore_errors=True)


class Server:
    """A process group serving HTTP on 127.0.0.1:port, stopped with everything it started."""

    def __init__(self, command, *, port, env, cwd=ROOT):
        self.port, self.base = port, f"http://127.0.0.1:{port}"
        self.process = subprocess.Popen(
            command, cwd=cwd, env=env, start_new_session=True, text=True,
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
        )
        self.output = None

    def wait_until_up(self, path="/healthz", seconds=60):
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise AssertionError(f"the server stopped:\n{self.stop()[-3000:]}")
            try:
                return urllib.request.urlopen(self.base + path, timeout=2)
            except OSError:
                time.sleep(0.3)
        raise AssertionError(f"{self.base}{path} did not answer within {seconds} s")

    def stop(self):
        """Stop the whole group (SIGTERM, as a supervisor would); return what it printed."""
        if self.output is None:
            with contextlib.suppress(ProcessLookupError):  # it stopped by itself
                os.killpg(self.process.pid, signal.SIGTERM)
            self.output = self.process.communicate(timeout=30)[0]
        return self.output


def group_commands(group):
    """The command lines of the live (not yet reaped) processes in a process group."""
    listing = subprocess.run(["ps", "-o", "stat=,args=", "-g", str(group)], capture_output=True,
                             text=True, check=False).stdout
    return [line.split(None, 1)[1] for line in listing.splitlines()
            if line.strip() and not line.lstrip().startswith("Z")]


def gunicorn(env, *args):
    port = free_port()
    return Server([sys.executable, "-m", "gunicorn", "whobenefits.wsgi",
                   "--bind", f"127.0.0.1:{port}", *args], port=port, env=env)


class Browserless:
    """An HTTP client with a cookie jar that logs in through the login form."""

    def __init__(self, base):
        self.base = base
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar))

    def request(self, path, data=None, headers=None):
        """(status, headers, body) of a GET, or of a POST when `data` is given; no raising."""
        body = urllib.parse.urlencode(data, doseq=True).encode() if data is not None else None
        request = urllib.request.Request(self.base + path, data=body, headers={
            "Referer": self.base + path, **(headers or {})})
        try:
            response = self.opener.open(request, timeout=30)
        except urllib.error.HTTPError as error:
            response = error
        with response:
            return response.status, response.headers, response.read().decode(errors="replace")

    def csrf_token(self, html):
        return re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html).group(1)

    def log_in(self, username, password):
        _, _, form = self.request("/login/")
        status, _, page = self.request("/login/", {
            "username": username, "password": password, "csrfmiddlewaretoken":
            self.csrf_token(form)})
        assert status == 200 and "Log out" in page, page[:2000]
        return page
