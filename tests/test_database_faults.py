"""The database going away under the real server: `make serve` (gunicorn in production
mode and the task worker) on a PostgreSQL server of the test's own, stopped and started.

Slow (a server is made, migrated and seeded): it runs once, on the SQLite pass, whatever
database the suite runs on.
"""

import os
import re
import threading
import time

import psycopg
import pytest

from tests.live import (
    POSTGRES_BIN,
    Browserless,
    PrivatePostgres,
    make_serve,
    server_env,
    task_workers,
)

pytestmark = [
    pytest.mark.setup,
    pytest.mark.skipif(POSTGRES_BIN is None, reason="needs PostgreSQL's initdb and pg_ctl"),
    pytest.mark.skipif("DATABASE_URL" in os.environ, reason="runs once, on the SQLite pass"),
]

UNAVAILABLE = "can't reach its database"


@pytest.fixture(scope="module")
def postgres():
    server = PrivatePostgres().init()
    server.start()
    yield server
    server.remove()


@pytest.fixture(scope="module")
def app(postgres, tmp_path_factory):
    """`make serve` on it. Requests are killed after 5 s (gunicorn's default is 30)."""
    web = make_serve(server_env(DATABASE_URL=postgres.url, GUNICORN_TIMEOUT="5",
                                STATIC_ROOT=str(tmp_path_factory.mktemp("static"))))
    yield web
    web.stop()
    web.kill()


def pages(client, path, times=6):
    """`path` requested several times, so that both workers answer it."""
    return [client.request(path) for _ in range(times)]


def test_pages_answer_503_while_the_database_is_away_and_recover(postgres, app):
    server = postgres
    pm = Browserless(app.base)
    pm.log_in("pm", "demo-pm-2026")
    _, _, queue = pm.request("/roadmap/triage/")
    item = re.search(r'name="item" value="(\d+)"', queue).group(1)
    workers = task_workers(app)
    assert workers
    server.stop()
    try:
        for status, headers, body in pages(pm, "/roadmap/"):
            assert status == 503
            assert UNAVAILABLE in body and "Try again in a minute" in body
            assert "Traceback" not in body and "psycopg" not in body
            assert headers["Retry-After"] == "60"
        status, _, body = pm.request("/roadmap/triage/", {
            "item": item, "version": "1", "csrfmiddlewaretoken": pm.csrf_token(queue)},
            headers={"HX-Request": "true"})
        assert (status, UNAVAILABLE in body) == (503, True)
        assert pm.request("/readyz")[:3:2] == (503, "database unavailable\n")
        assert pm.request("/healthz")[:3:2] == (200, "ok\n")
        # Signed out, the login page needs no database: it still answers.
        assert Browserless(app.base).request("/login/")[0] == 200
        time.sleep(3)  # longer than the task worker's poll interval: it loses the database
    finally:
        server.start()
    # Back, without a restart: both workers reconnect, the session is still valid.
    for status, _, body in pages(pm, "/roadmap/"):
        assert status == 200 and "Log out" in body
    assert pm.request("/readyz")[:3:2] == (200, "ok\n")
    # The task worker lost the database too; it was started again and runs.
    deadline = time.monotonic() + 30
    while not (task_workers(app) - workers) and time.monotonic() < deadline:
        time.sleep(0.5)
    assert task_workers(app) - workers, "the task worker was not started again"
    time.sleep(2)
    assert task_workers(app) - workers, "the new task worker did not stay up"
    log = app.log()
    lines = log.splitlines()
    refused = [n for n, line in enumerate(lines) if "Service Unavailable: /roadmap/" in line]
    assert refused and "(database unavailable:" in lines[refused[0]], log[-3000:]
    # One line each, no traceback after it (the task worker's own exit prints one).
    assert not any(lines[n + 1].startswith("Traceback") for n in refused), log[-3000:]
    assert "Internal Server Error" not in log
    assert "The task worker stopped; it starts again in 5 s." in log


def test_a_request_killed_by_the_worker_timeout_writes_nothing(postgres, app):
    """gunicorn kills a worker whose request outlives its timeout: mid-write, here, because
    the item's history table is locked while the item is being created."""
    pm = Browserless(app.base)
    pm.log_in("pm", "demo-pm-2026")
    _, _, form = pm.request("/roadmap/items/new/")
    product = re.search(r'<option value="(\d+)"', form.split('name="product"')[1]).group(1)
    title = "Half-written by a timeout"
    with psycopg.connect(postgres.url) as blocker:
        blocker.execute("LOCK TABLE roadmap_historicalroadmapitem IN EXCLUSIVE MODE")
        answer = {}
        post = threading.Thread(target=lambda: answer.update(result=_post_quietly(
            pm, "/roadmap/items/new/", {
                "csrfmiddlewaretoken": pm.csrf_token(form), "title": title,
                "product": product, "status": "idea", "horizon": "later"})))
        post.start()
        post.join(timeout=30)
        time.sleep(1)  # the worker's backend waits on the lock, its client gone
    assert answer["result"] != 302, "the request was not killed"
    assert "WORKER TIMEOUT" in app.log(), app.log()[-3000:]
    with psycopg.connect(postgres.url) as db:
        # The lock is released: the killed request's transaction is rolled back.
        for _ in range(20):
            waiting = db.execute("SELECT count(*) FROM pg_stat_activity WHERE "
                                 "wait_event_type = 'Lock'").fetchone()[0]
            if not waiting:
                break
            time.sleep(0.2)
        assert db.execute("SELECT count(*) FROM roadmap_roadmapitem WHERE title = %s",
                          [title]).fetchone()[0] == 0
        assert db.execute("SELECT count(*) FROM roadmap_historicalroadmapitem "
                          "WHERE title = %s", [title]).fetchone()[0] == 0


def _post_quietly(client, path, data):
    """The status of a POST, or "dropped" when the server closed the connection unanswered."""
    try:
        return client.request(path, data)[0]
    except OSError:
        return "dropped"
