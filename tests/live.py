"""Real servers for the tests that need them: `make serve`, a private PostgreSQL, a
browser-less client that logs in through the login form. Used by the slow tests that run the
app the way production does (tests/test_database_faults.py,
tests/test_setup_commands.py).
"""

import contextlib
import http.cookiejar
import os
import re
import shutil
import signal
import socket
import subprocess
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
    """What `make serve` gets: the suite's environment without what is the suite's own."""
    env = {k: v for k, v in os.environ.items()
           if k not in {"DATABASE_URL", "VIRTUAL_ENV", "DJANGO_ALLOW_ASYNC_UNSAFE",
                        "DJANGO_SETTINGS_MODULE", "SECRET_KEY", "DEBUG", "ALLOWED_HOSTS",
                        "WEB_CONCURRENCY", "GUNICORN_TIMEOUT", "STATIC_ROOT"}}
    return env | overrides


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
    """A process group serving HTTP on 127.0.0.1:port, stopped with everything it started.
    What it prints goes to a file: log() reads it while it runs."""

    def __init__(self, command, *, port, env, cwd=ROOT):
        self.port, self.base = port, f"http://127.0.0.1:{port}"
        self.log_file = tempfile.NamedTemporaryFile(prefix="wb-server-", suffix=".log")  # noqa: SIM115
        self.process = subprocess.Popen(
            command, cwd=cwd, env=env, start_new_session=True,
            stdout=self.log_file, stderr=subprocess.STDOUT,
        )

    def log(self):
        return Path(self.log_file.name).read_text(errors="replace")

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

    def stop(self, seconds=20):
        """Stop the whole group (SIGTERM, as a supervisor would), give its processes `seconds`
        to finish, and return what it printed. Whatever still runs then is left running:
        `group_processes()` names it, and `kill()` ends it."""
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGTERM)
        self.process.wait(timeout=30)
        deadline = time.monotonic() + seconds
        while group_processes(self.process.pid) and time.monotonic() < deadline:
            time.sleep(0.2)
        return self.log()

    def kill(self):
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGKILL)


def group_processes(group):
    """{pid: command line} of the live (not yet reaped) processes in a process group."""
    listing = subprocess.run(["ps", "-o", "pid=,stat=,args=", "-g", str(group)],
                             capture_output=True, text=True, check=False).stdout
    rows = [line.split(None, 2) for line in listing.splitlines() if line.strip()]
    return {int(pid): args for pid, stat, args in rows if not stat.startswith("Z")}


def group_commands(group):
    """The command lines of the live (not yet reaped) processes in a process group."""
    return list(group_processes(group).values())


def task_workers(server):
    """The pids of the task workers `make serve` runs."""
    return {pid for pid, args in group_processes(server.process.pid).items()
            if "python" in args.split()[0] and "manage.py db_worker" in args}


def make_serve(env, cwd=ROOT, port=None):
    """`make serve` (gunicorn and the task worker) in `cwd`, up and answering on `port`."""
    port = port or free_port()
    server = Server(["make", "serve", f"PORT={port}"], port=port, env=env, cwd=cwd)
    server.wait_until_up("/healthz", seconds=300)
    return server


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
