"""The database going away under the real server: gunicorn in production mode, on a
PostgreSQL server of the test's own that it stops and starts again.

Slow (a server is made, migrated and seeded): it runs once, on the SQLite pass, whatever
database the suite runs on.
"""

import os
import re
import threading
import time

import psycopg
import pytest

from tests.live import POSTGRES_BIN, Browserless, PrivatePostgres, gunicorn, manage, server_env

pytestmark = [
    pytest.mark.setup,
    pytest.mark.skipif(POSTGRES_BIN is None, reason="needs PostgreSQL's initdb and pg_ctl"),
    pytest.mark.skipif("DATABASE_URL" in os.environ, reason="runs once, on the SQLite pass"),
]

UNAVAILABLE = "can't reach its database"


@pytest.fixture(scope="module")
def postgres(tmp_path_factory):
    """A migrated, seeded PostgreSQL of this module's own, and the static files collected."""
    server = PrivatePostgres().init()
    server.start()
    static = tmp_path_factory.mktemp("static")
    env = server_env(DATABASE_URL=server.url, STATIC_ROOT=str(static))
    try:
        manage("migrate", "--no-input", env=env)
        manage("seed_demo", env=env)
        manage("collectstatic", "--no-input", env=env)
        yield server, env
    finally:
        server.remove()


@pytest.fixture
def app(postgres):
    _, env = postgres
    web = gunicorn(env, "--workers", "2")
    web.wait_until_up()
    yield web
    web.stop()


def pages(client, path, times=6):
    """`path` requested several times, so that both workers answer it."""
    return [client.request(path) for _ in range(times)]


def test_pages_answer_503_while_the_database_is_away_and_recover(postgres, app):
    server, _ = postgres
    pm = Browserless(app.base)
    pm.log_in("pm", "demo-pm-2026")
    _, _, queue = pm.request("/roadmap/triage/")
    item = re.search(r'name="item" value="(\d+)"', queue).group(1)
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
    finally:
        server.start()
    # Back, without a restart: both workers reconnect, the session is still valid.
    for status, _, body in pages(pm, "/roadmap/"):
        assert status == 200 and "Log out" in body
    assert pm.request("/readyz")[:3:2] == (200, "ok\n")
    log = app.stop()
    assert "Traceback" not in log, log[-3000:]
    assert "Service Unavailable: /roadmap/ (database unavailable:" in log


def test_a_request_killed_by_the_worker_timeout_writes_nothing(postgres):
    """gunicorn kills a worker whose request outlives --timeout: mid-write, here, because
    the item's history table is locked while the item is being created."""
    server, env = postgres
    web = gunicorn(env, "--workers", "1", "--timeout", "2")
    web.wait_until_up()
    try:
        pm = Browserless(web.base)
        pm.log_in("pm", "demo-pm-2026")
        _, _, form = pm.request("/roadmap/items/new/")
        product = re.search(r'<option value="(\d+)"', form.split('name="product"')[1]).group(1)
        title = "Half-written by a timeout"
        with psycopg.connect(server.url) as blocker:
            blocker.execute("LOCK TABLE roadmap_historicalroadmapitem IN EXCLUSIVE MODE")
            answer = {}
            post = threading.Thread(target=lambda: answer.update(result=_post_quietly(
                pm, "/roadmap/items/new/", {
                    "csrfmiddlewaretoken": pm.csrf_token(form), "title": title,
                    "product": product, "status": "idea", "horizon": "later"})))
            post.start()
            post.join(timeout=20)
            time.sleep(1)  # the worker's backend waits on the lock, its client gone
        assert answer["result"] != 302, "the request was not killed"
        with psycopg.connect(server.url) as db:
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
        log = web.stop()
        assert "WORKER TIMEOUT" in log, log[-3000:]
    finally:
        web.stop()


def _post_quietly(client, path, data):
    """The status of a POST, or "dropped" when the server closed the connection unanswered."""
    try:
        return client.request(path, data)[0]
    except OSError:
        return "dropped"
