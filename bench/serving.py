"""What the load benchmarks share: a PostgreSQL bench database with a large roadmap, `make
serve` on it, and signed-in sessions for simulated people.

Never the dev database, never the suite's: BENCH_POSTGRES_URL must name a database starting
with wb_bench (default wb_bench_load), which is dropped and made afresh.
"""

import contextlib
import os
import secrets
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/wb_bench_load"
sys.path.insert(0, str(Path(__file__).resolve().parent))


def setup_django(url, secret_key):
    """Django in this process, on the bench database, signing sessions as the server will."""
    os.environ.update(DATABASE_URL=url, SECRET_KEY=secret_key, DEBUG="false",
                      ALLOWED_HOSTS="127.0.0.1", DJANGO_SETTINGS_MODULE="whobenefits.settings")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()


def fresh_database(items):
    """Drop and create the bench database, migrate it, fill it with `items` items (the
    roadmap bench/review_dashboard.py builds). Returns (url, secret key)."""
    from review_dashboard import prepare_database

    os.environ.setdefault("BENCH_POSTGRES_URL", DEFAULT_URL)
    url = prepare_database("postgres")
    secret_key = secrets.token_urlsafe(50)
    setup_django(url, secret_key)
    from django.core.management import call_command
    from django.db import connection
    from review_dashboard import build_roadmap

    call_command("migrate", verbosity=0)
    if items:
        build_roadmap(items, 40)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    connection.close()
    return url, secret_key


def sessions(usernames):
    """A session cookie value per username, as if each had logged in through the form."""
    from django.contrib.auth import get_user_model
    from django.test import Client

    cookies = {}
    for person in get_user_model().objects.filter(username__in=usernames):
        client = Client()
        client.force_login(person, backend="django.contrib.auth.backends.ModelBackend")
        cookies[person.username] = client.cookies["sessionid"].value
    return cookies


def api_tokens(usernames):
    """A raw API token per username, made as on the API tokens page."""
    from django.contrib.auth import get_user_model

    from tokens.models import ApiToken

    return [ApiToken.issue(person=person, name="load test", created_by=person)[1]
            for person in get_user_model().objects.filter(username__in=usernames)]


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class MakeServe:
    """`make serve` on the bench database, in its own process group; stop() ends it all."""

    def __init__(self, url, secret_key, workers=2, log=None, extra_env=None):
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        env = {k: v for k, v in os.environ.items()
               if k not in {"DJANGO_SETTINGS_MODULE", "VIRTUAL_ENV", "ALLOWED_HOSTS", "DEBUG"}}
        env.update(DATABASE_URL=url, SECRET_KEY=secret_key, WEB_CONCURRENCY=str(workers),
                   **(extra_env or {}))
        self.log = open(log or os.devnull, "w")  # noqa: SIM115 (closed in stop)
        self.process = subprocess.Popen(["make", "serve", f"PORT={self.port}"], cwd=ROOT,
                                        env=env, stdout=self.log, stderr=subprocess.STDOUT,
                                        start_new_session=True)
        deadline = time.monotonic() + 300
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                sys.exit(f"make serve stopped; see {log}")
            try:
                urllib.request.urlopen(f"{self.base}/readyz", timeout=2)
                return
            except OSError:
                time.sleep(0.5)
        self.stop()
        sys.exit("make serve did not answer within 300 s")

    def cpu_seconds(self):
        """CPU time (user + system) the server's processes have used so far."""
        total = 0.0
        ticks = os.sysconf("SC_CLK_TCK")
        for stat in Path("/proc").glob("[0-9]*/stat"):
            try:
                fields = stat.read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[2]) == self.process.pid:  # the process group
                total += (int(fields[11]) + int(fields[12])) / ticks
        return total

    def stop(self):
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGTERM)
        self.process.wait(timeout=60)
        self.log.close()


def load_average():
    return Path("/proc/loadavg").read_text().split()[:3]
