"""Time GET /api/items (100 of 10,000 items) against its own SQL, beside the roadmap list
page and the admin changelist showing the same items.

Run by hand, never in the test suite:

    .venv/bin/python bench/api.py                  # PostgreSQL (BENCH_POSTGRES_URL, wb_bench)
    .venv/bin/python bench/api.py --db sqlite

It builds the roadmap bench/review_dashboard.py builds (10,000 items, 40 personas, 3
products) in a database of its own, then times server-side handling through Django's test
Client with a personal API token (routing, middleware, token, queries, serialisation) and,
as the floor, the same SQL statements executed raw. Median and 95th percentile in ms.
"""

import argparse
import os
import re
import statistics
import sys
from pathlib import Path

from review_dashboard import (
    DEFAULT_POSTGRES_URL,
    SQLITE_PATH,
    build_roadmap,
    ms,
    prepare_database,
    run_raw,
    time_it,
)

ROOT = Path(__file__).resolve().parent.parent


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", choices=["sqlite", "postgres"], default="postgres")
    parser.add_argument("--items", type=int, default=10_000)
    parser.add_argument("--requests", type=int, default=50)
    parser.add_argument("--reuse", action="store_true",
                        help="time the database a previous run built instead of building it")
    parser.add_argument("--only", action="append", metavar="LABEL",
                        help="time only the requests whose label contains this (repeatable)")
    args = parser.parse_args()
    os.environ["DATABASE_URL"] = (
        os.environ.get("BENCH_POSTGRES_URL", DEFAULT_POSTGRES_URL) if args.reuse and
        args.db == "postgres" else f"sqlite:///{SQLITE_PATH}" if args.reuse
        else prepare_database(args.db))
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "whobenefits.settings")
    os.environ["API_RATE_LIMIT"] = "100000/min"  # timing, not the limit
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection

    settings.DEBUG = False
    call_command("migrate", verbosity=0)
    if args.reuse:
        from django.contrib.auth import get_user_model

        from roadmap.models import Product

        people = {"pm": get_user_model().objects.get(username="bench-pm0"),
                  "admin": get_user_model().objects.get(username="bench-admin")}
        products = list(Product.objects.order_by("pk"))
    else:
        people, products = build_roadmap(args.items, 40)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    print(f"\n== {args.db}: {item_count()} items ==")
    run_timings(people, products, args.requests, args.only)


def item_count():
    from roadmap.models import RoadmapItem

    return RoadmapItem.objects.count()


def run_timings(people, products, repeats, only=None):
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from tokens.models import ApiToken

    _, raw = ApiToken.issue(person=people["pm"], name="bench", created_by=people["pm"])
    script = Client(HTTP_HOST="localhost", headers={"Authorization": f"Bearer {raw}"})
    pm = Client(HTTP_HOST="localhost")
    pm.force_login(people["pm"], backend="django.contrib.auth.backends.ModelBackend")
    admin = Client(HTTP_HOST="localhost")
    admin.force_login(people["admin"], backend="django.contrib.auth.backends.ModelBackend")
    runs = [
        ("GET /api/items, 100", script, "/api/items?page_size=100"),
        ("GET /api/items, 100, filtered", script,
         f"/api/items?page_size=100&product={products[0].slug}&horizon=now"),
        ("GET /api/items, 200", script, "/api/items?page_size=200"),
        ("roadmap list page (50)", pm, "/roadmap/"),
        ("admin changelist (100)", admin, "/admin/roadmap/roadmapitem/"),
    ]
    if only:
        runs = [run for run in runs if any(word in run[0] for word in only)]
    statements = {}
    for label, client, url in runs:
        for _ in range(3):  # warm caches, connections and the template loader
            assert client.get(url).status_code == 200
        with CaptureQueriesContext(connection) as captured:
            client.get(url)
        # Model choice menus iterate with a server-side cursor on PostgreSQL: run the SELECT.
        statements[label] = [
            re.sub(r'^DECLARE "[^"]+" NO SCROLL CURSOR WITH HOLD FOR ', "", q["sql"])
            for q in captured.captured_queries]
    # Rounds interleaved (each request, then its SQL, in turn): a load spike from other work
    # on the machine hits a request and its floor alike.
    times = {label: ([], []) for label, _, _ in runs}
    print(f"load average before timing: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    for _ in range(repeats):
        for label, client, url in runs:
            times[label][0].extend(time_it(client.get, 1, url))
            times[label][1].extend(time_it(run_raw, 1, connection, statements[label]))
    print(f"load average after timing: {os.getloadavg()[0]:.1f}")
    print(f"{'request':<32}{'queries':>8}{'median ms':>11}{'p95 ms':>9}"
          f"{'SQL median':>12}{'SQL p95':>9}{'ratio':>7}")
    for label, _, _ in runs:
        server, floor = times[label]
        print(f"{label:<32}{len(statements[label]):>8}{ms(server, 50):>11.1f}"
              f"{ms(server, 95):>9.1f}{ms(floor, 50):>12.1f}{ms(floor, 95):>9.1f}"
              f"{statistics.median(server) / statistics.median(floor):>7.1f}")


if __name__ == "__main__":
    main()
