"""Time importing a 10,000-row Jira CSV through the task worker, and its peak memory.

Run by hand, never in the test suite:

    .venv/bin/python bench/imports.py                  # PostgreSQL (BENCH_POSTGRES_URL)
    .venv/bin/python bench/imports.py --db sqlite
    BENCH_POSTGRES_URL=postgres://postgres@127.0.0.1:5432/wb_bench_me .venv/bin/python bench/...

It builds a separate database (SQLite: /tmp/wb_bench_imports.sqlite3; PostgreSQL: the
database in BENCH_POSTGRES_URL, default wb_bench, dropped and created afresh), writes a
Jira "All fields" export (24 columns, repeated Labels and Sprint columns, multi-line
descriptions, story points like 13.0, five assignees) and starts one `manage.py db_worker`
process. Each round uploads the file as a new import and times, from queueing to done:
reading it, the preview (dry run), the import itself, and then re-importing the same file
(read and dry run; nothing changes, so there is nothing to commit). The floor is a plain
bulk_create of the same number of bare items (no parsing, checks or history). Peak memory
is the worker process's maximum resident set size.
"""

import argparse
import csv
import io
import os
import random
import resource
import signal
import statistics
import subprocess
import sys
import time
from pathlib import Path

import databases

ROOT = Path(__file__).resolve().parent.parent
SQLITE_PATH = Path("/tmp/wb_bench_imports.sqlite3")
DEFAULT_POSTGRES_URL = "postgres://postgres@127.0.0.1:5432/wb_bench"
ASSIGNEES = ["Priya Menon", "Marco Rossi", "Ada Okafor", "Sam Lee", ""]
STATUSES = ["To Do", "Backlog", "Selected for Development", "In Progress", "Done"]


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", choices=["sqlite", "postgres"], default="postgres")
    parser.add_argument("--rows", type=int, default=10_000)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    os.environ["DATABASE_URL"] = databases.prepare_database(args.db, SQLITE_PATH,
                                                            DEFAULT_POSTGRES_URL)
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "whobenefits.settings")
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command

    settings.DEBUG = False
    call_command("migrate", verbosity=0)
    data = jira_csv(args.rows)
    people()
    print(f"{args.db}: a {len(data) / 1024 / 1024:.1f} MB Jira CSV of {args.rows:,} rows; "
          f"load average {os.getloadavg()[0]:.2f}")
    # The worker runs as in production: DEBUG off (no query log growing in memory).
    production = {"DEBUG": "false", "SECRET_KEY": "bench-" + "x" * 60,
                  "ALLOWED_HOSTS": "localhost"}
    worker = subprocess.Popen(
        [sys.executable, "manage.py", "db_worker", "--no-reload", "--no-startup-delay",
         "--interval", "0.02", "-v", "0"], cwd=ROOT, env={**os.environ, **production})
    try:
        rounds = [one_round(data, n) for n in range(args.rounds)]
    finally:
        worker.send_signal(signal.SIGTERM)
        worker.wait(timeout=60)
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    floor = bulk_floor(args.rows)
    print(f"{'step':<34} {'median':>8} {'max':>8}   (seconds, {args.rounds} rounds)")
    for name in rounds[0]:
        times = [r[name] for r in rounds]
        print(f"{name:<34} {statistics.median(times):8.2f} {max(times):8.2f}")
    print(f"{'floor: bulk_create of bare items':<34} {floor:8.2f}")
    print(f"worker peak memory: {peak:.0f} MB; load average now {os.getloadavg()[0]:.2f}")


def jira_csv(rows):
    rng = random.Random(10)
    header = ["Summary", "Issue key", "Issue id", "Issue Type", "Status", "Priority",
              "Resolution", "Assignee", "Reporter", "Creator", "Created", "Updated",
              "Last Viewed", "Resolved", "Labels", "Labels", "Labels", "Description",
              "Custom field (Story Points)", "Sprint", "Sprint", "Comment", "Comment",
              "Attachment"]
    out = io.StringIO(newline="")
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(header)
    for n in range(rows):
        writer.writerow([
            f"Feature request {n}: {rng.choice(['faster', 'simpler', 'safer'])} exports",
            f"EXP-{n + 1}", str(10_000 + n), rng.choice(["Story", "Bug", "Task"]),
            rng.choice(STATUSES), rng.choice(["High", "Medium", "Low"]), "",
            rng.choice(ASSIGNEES), "Lena Schmidt", "Lena Schmidt", "07/Nov/26 10:16 AM",
            "12/Nov/26 3:05 PM", "", "", rng.choice(["security", "mobile", "billing"]),
            rng.choice(["", "enterprise"]), "",
            f"As a user I want {n}.\nAcceptance criteria:\n- it works, \"really\"\n- fast",
            rng.choice(["", "1.0", "2.0", "3.0", "5.0", "8.0", "13.0"]),
            f"EXP Sprint {n % 20}", "", "12/Nov/26 3:05 PM;lena;Looks good.", "", "",
        ])
    return out.getvalue().encode()


def people():
    from django.contrib.auth.models import Group

    from roadmap import roles
    from roadmap.models import Product
    from tests.factories import make_person

    if Group.objects.filter(name=roles.PRODUCT_MANAGER).exists():
        for name in ASSIGNEES[:4]:
            first, last = name.split()
            make_person(roles.PRODUCT_MANAGER, username=first.lower(), first_name=first,
                        last_name=last)
    Product.objects.get_or_create(name="Bench")


def wait(backlog_import, done):
    started = time.perf_counter()
    while True:
        backlog_import.refresh_from_db(fields=["status", "error"])
        if backlog_import.status in done:
            return time.perf_counter() - started
        if backlog_import.status == "failed":
            sys.exit(f"Import failed: {backlog_import.error}")
        time.sleep(0.02)


def one_round(data, n):
    from imports.models import BacklogImport
    from roadmap.models import Product, RoadmapItem

    product = Product.objects.get(name="Bench")
    RoadmapItem.history.model.objects.all().delete()
    RoadmapItem.objects.filter(product=product).delete()
    times = {}
    for label, expect_changes in [("", True), ("re-import unchanged: ", False)]:
        backlog_import = BacklogImport.start(data=data, file_name=f"jira-{n}.csv",
                                             product=product)
        backlog_import.queue(BacklogImport.State.READING)
        read = wait(backlog_import, {"mapping"})
        backlog_import.refresh_from_db()
        backlog_import.queue(BacklogImport.State.PREVIEWING)
        dry_run = wait(backlog_import, {"previewed"})
        times[f"{label}read the file"] = read
        times[f"{label}dry run"] = dry_run
        times[f"{label}preview (read + dry run)"] = read + dry_run
        backlog_import.refresh_from_db()
        if expect_changes:
            assert backlog_import.confirm(skip_errors=False, create_products=False) == "", (
                backlog_import.can_commit())
            times["import (commit)"] = wait(backlog_import, {"imported"})
        else:
            assert backlog_import.new_count == backlog_import.updated_count == 0
    return times


def bulk_floor(rows):
    from roadmap.models import Product, RoadmapItem

    product, _ = Product.objects.get_or_create(name="Floor")
    started = time.perf_counter()
    RoadmapItem.objects.bulk_create(
        [RoadmapItem(product=product, title=f"Item {n}", horizon="later") for n in range(rows)],
        batch_size=500)
    return time.perf_counter() - started


if __name__ == "__main__":
    main()
