"""A task worker killed in the middle of an import: the roadmap is as it was, the import
shows as failed, and it runs again to the end."""

import os
import signal
import sqlite3
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

import pytest
from django.db import connection, transaction
from django.urls import reverse
from pytest_django.asserts import assertContains

import imports.models
from imports.models import ImportRow
from roadmap.models import RoadmapItem
from tests.conftest import logged_in_client
from tests.factories import import_file, make_product

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.skipif(connection.vendor not in ("sqlite", "postgresql"),
                                reason="knows how to watch SQLite and PostgreSQL only")


def database_url():
    """The test database, for a worker in another process."""
    db = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{Path(db['NAME']).resolve()}"
    password = f":{db['PASSWORD']}" if db["PASSWORD"] else ""
    return f"postgres://{db['USER']}{password}@{db['HOST']}:{db['PORT'] or 5432}/{db['NAME']}"


def start_worker():
    env = {**os.environ, "DATABASE_URL": database_url()}
    return subprocess.Popen(
        [sys.executable, "manage.py", "db_worker", "--no-reload", "--no-startup-delay",
         "--interval", "0.05", "-v", "0"],
        cwd=ROOT, env=env, start_new_session=True, stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE, text=True)


def wait_until(condition, worker, seconds=60):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if worker.poll() is not None:
            raise AssertionError(f"the worker stopped on its own: {worker.stderr.read()}")
        if condition():
            return
        time.sleep(0.01)
    raise AssertionError("the worker never got to writing")


def kill_mid_write_postgresql(backlog_import):
    """Hold a lock on one of the preview's rows: the worker, which replaces them after it
    has written the items and their history, waits for it inside its transaction."""
    with transaction.atomic():
        ImportRow.objects.select_for_update().filter(backlog_import=backlog_import).first()
        worker = start_worker()

        def waiting_on_the_lock():
            with connection.cursor() as cursor:
                # Inside a transaction the activity view is a snapshot: take a new one.
                cursor.execute("SELECT pg_stat_clear_snapshot()")
                cursor.execute("SELECT count(*) FROM pg_stat_activity WHERE datname = "
                               "current_database() AND wait_event_type = 'Lock'")
                return cursor.fetchone()[0] > 0

        wait_until(waiting_on_the_lock, worker)
        os.killpg(worker.pid, signal.SIGKILL)
        worker.wait(timeout=30)


def kill_mid_write_sqlite(backlog_import):
    """Kill the worker once its open transaction has spilled pages into the write-ahead log
    (items and history written, not committed) and still holds the write lock."""
    path = Path(connection.settings_dict["NAME"])
    wal = Path(f"{path}-wal")
    with sqlite3.connect(path) as probe:
        probe.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    worker = start_worker()

    def writing():
        if not wal.exists() or wal.stat().st_size < 512 * 1024:
            return False
        probe = sqlite3.connect(path, timeout=0)
        try:
            probe.execute("BEGIN IMMEDIATE")
        except sqlite3.OperationalError:
            return True  # locked: the worker's transaction is still open
        else:
            probe.rollback()
            return False
        finally:
            probe.close()

    wait_until(writing, worker)
    os.killpg(worker.pid, signal.SIGKILL)
    worker.wait(timeout=30)


def test_a_killed_worker_leaves_nothing_written_and_the_import_runs_again(
        transactional_db, run_tasks, pm, monkeypatch):
    product = make_product(name="Expenses")
    rows = "\n".join(f"K-{n},Item {n} with a longer title to fill pages,To Do,{n % 13}.0,"
                     f"{'x' * 300}" for n in range(3000))
    data = f"Issue key,Summary,Status,Custom field (Story Points),Description\n{rows}\n"
    backlog_import = import_file(data.encode(), product, by=pm, commit=False)
    assert backlog_import.new_count == 3000
    backlog_import.confirm(skip_errors=False, create_products=False)

    if connection.vendor == "postgresql":
        kill_mid_write_postgresql(backlog_import)
    else:
        kill_mid_write_sqlite(backlog_import)

    assert RoadmapItem.objects.count() == 0
    assert RoadmapItem.history.count() == 0
    backlog_import.refresh_from_db()
    assert backlog_import.status == "importing"
    # Some minutes later it no longer reports: it shows as failed, with nothing written.
    monkeypatch.setattr(imports.models, "STALE_AFTER", timedelta(0))
    client = logged_in_client(pm)
    page = client.get(backlog_import.get_absolute_url())
    assertContains(page, "The worker stopped while this ran")
    client.post(reverse("imports:run-again", args=[backlog_import.pk]))
    run_tasks()
    backlog_import.refresh_from_db()
    assert backlog_import.status == "imported"
    assert RoadmapItem.objects.count() == 3000
    assert RoadmapItem.history.filter(
        history_change_reason__startswith=f"Import #{backlog_import.pk}").count() == 3000
