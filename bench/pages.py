"""Time pages against their raw SQL and the admin changelist, rounds interleaved, on a
database bench/review_dashboard.py built (it is not rebuilt: run that first).

    BENCH_POSTGRES_URL=postgres://postgres@127.0.0.1:5432/wb_bench_perf50 \\
      .venv/bin/python bench/pages.py --rounds 30

Each round requests every page once, in turn (the dashboard, and the list a second time,
after an unseen write, so they render afresh rather than from their cache; last, so the
other pages read what the round before left cached), then runs each page's captured
statements raw, so a load spike from other work on the machine hits all of them alike.
Prints the median and p95 of each, its SQL floor, the ratio page/SQL, and the list's ratio
(between writes and after one) to the admin changelist with the same filter.
"""

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.append(str(ROOT / "bench"))  # after the apps: bench/imports.py is no app


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=30)
    parser.add_argument("--db", choices=["sqlite", "postgres"], default="postgres")
    parser.add_argument("--only", action="append", metavar="LABEL",
                        help="time only the pages whose label contains this (repeatable)")
    args = parser.parse_args()
    from review_dashboard import DEFAULT_POSTGRES_URL, SQLITE_PATH

    os.environ["DATABASE_URL"] = (f"sqlite:///{SQLITE_PATH}" if args.db == "sqlite" else
                                  os.environ.get("BENCH_POSTGRES_URL", DEFAULT_POSTGRES_URL))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "whobenefits.settings")
    import django

    django.setup()
    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.core.management import call_command
    from django.db import connection
    from django.db.models import F
    from django.test import Client
    from review_dashboard import ms, run_raw

    from roadmap.models import Product, RoadmapItem

    settings.DEBUG = False
    call_command("migrate", verbosity=0)  # the bench database may predate a migration
    with connection.cursor() as cursor:
        # As autovacuum leaves a table some time after a bulk load: its visibility map set,
        # so a count reads the index alone (0.6 ms instead of 8.8 ms at 50,000 items).
        cursor.execute("VACUUM ANALYZE" if connection.vendor == "postgresql" else "ANALYZE")
    people = get_user_model().objects
    clients = {}
    for role in ["pm0", "admin", "lead"]:
        clients[role] = Client(HTTP_HOST="localhost")
        clients[role].force_login(people.get(username=f"bench-{role}"),
                                  backend="django.contrib.auth.backends.ModelBackend")
    product = Product.objects.order_by("pk").first()
    item = RoadmapItem.objects.filter(product=product, triage__isnull=False).order_by("pk")[0]
    pages = [
        ("roadmap list, filtered", "pm0", f"/roadmap/?product={product.slug}&horizon=now"),
        ("admin changelist, same", "admin",
         f"/admin/roadmap/roadmapitem/?product__id__exact={product.pk}&horizon__exact=now"),
        ("triage page", "pm0", f"/roadmap/items/{item.pk}/triage/"),
        ("triage queue", "pm0", f"/roadmap/triage/?product={product.slug}"),
        ("item page", "pm0", f"/roadmap/items/{item.pk}/"),
        ("dashboard, after a write", "lead", "/roadmap/review/"),
        ("list, after a write", "pm0", f"/roadmap/?product={product.slug}&horizon=now"),
    ]
    if args.only:
        pages = [page for page in pages if any(word in page[0] for word in args.only)]

    def before(label):
        # The dashboard (and the list's banner, panels and menus) are cached until the data
        # changes: an unseen write before each request makes them render afresh, as after a
        # triage or an edit.
        if "after a write" in label:
            RoadmapItem.objects.filter(pk=item.pk).update(version=F("version"))

    statements = {}
    for label, role, url in pages:
        for _ in range(3):
            assert clients[role].get(url).status_code == 200, url
        before(label)
        statements[label] = captured(clients[role], url)
    server = {label: [] for label, _, _ in pages}
    floor = {label: [] for label, _, _ in pages}
    print(f"load average before timing: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    for _ in range(args.rounds):
        for label, role, url in pages:
            before(label)
            server[label].append(timed(clients[role].get, url))
            floor[label].append(timed(run_raw, connection, statements[label]))
    print(f"load average after timing: {os.getloadavg()[0]:.1f}")
    print(f"{'page':<26}{'queries':>8}{'median ms':>11}{'p95 ms':>9}{'SQL median':>12}"
          f"{'ratio':>7}")
    for label, _, _ in pages:
        print(f"{label:<26}{len(statements[label]):>8}{ms(server[label], 50):>11.1f}"
              f"{ms(server[label], 95):>9.1f}{ms(floor[label], 50):>12.1f}"
              f"{statistics.median(server[label]) / statistics.median(floor[label]):>7.1f}")
    if "admin changelist, same" in server:
        changelist = statistics.median(server["admin changelist, same"])
        for label in ["roadmap list, filtered", "list, after a write"]:
            if label in server:
                print(f"{label} / admin changelist: "
                      f"{statistics.median(server[label]) / changelist:.2f}")


def captured(client, url):
    import re

    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        client.get(url)
    return [re.sub(r'^DECLARE "[^"]+" NO SCROLL CURSOR WITH HOLD FOR ', "", q["sql"])
            for q in queries.captured_queries]


def timed(call, *args):
    started = time.perf_counter()
    call(*args)
    return time.perf_counter() - started


if __name__ == "__main__":
    main()
