"""Time the review dashboard's product health panel alone on a large roadmap.

Run by hand, never in the test suite:

    BENCH_POSTGRES_URL=postgres://postgres@127.0.0.1:5432/wb_bench_health \\
        .venv/bin/python bench/product_health.py

It builds the roadmap bench/review_dashboard.py builds (10,000 items with target quarters,
3 products, 24 months of readings of 8 metrics each; no evidence), in the PostgreSQL
database BENCH_POSTGRES_URL names (dropped and created afresh), then times, in interleaved
rounds: the panel's balance query as it is (the items planned for the current quarter), the
same over every open item (what it counted before it was narrowed to the quarter), and the
whole panel (`product_health` as the dashboard calls it). Median and 95th percentile in ms.
"""

import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
ROUNDS, WARM_UPS = 20, 3


def main():
    sys.path.insert(0, str(ROOT))
    sys.path.insert(0, str(ROOT / "bench"))
    import review_dashboard as bench

    os.environ.setdefault("BENCH_POSTGRES_URL",
                          "postgres://postgres@127.0.0.1:5432/wb_bench_health")
    os.environ["DATABASE_URL"] = bench.prepare_database("postgres")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "whobenefits.settings")
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection

    settings.DEBUG = False  # no query log: time what production runs
    call_command("migrate", verbosity=0)
    _, products = bench.build_roadmap(10_000, 40)
    bench.build_readings(products, 24)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")

    from outcomes.health import product_health
    from roadmap.models import RoadmapItem
    from roadmap.quarters import Quarter

    ids = [p.pk for p in products]

    def quarters_plan():
        return list(RoadmapItem.objects.planned_for([Quarter.current()])
                    .filter(product__in=ids).class_mix())

    def open_items():
        return list(RoadmapItem.objects.open().filter(product__in=ids).class_mix())

    def whole_panel():
        return product_health(RoadmapItem.objects.all())

    calls = [quarters_plan, open_items, whole_panel]
    print(f"items planned for {Quarter.current()}: "
          f"{RoadmapItem.objects.planned_for([Quarter.current()]).count()}, "
          f"open items: {RoadmapItem.objects.open().count()}")
    for call in calls:
        for _ in range(WARM_UPS):
            call()
    times = {call.__name__: [] for call in calls}
    for _ in range(ROUNDS):
        for call in calls:
            started = time.perf_counter()
            call()
            times[call.__name__].append(1000 * (time.perf_counter() - started))
    print(f"load average: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    for name, values in times.items():
        values.sort()
        print(f"{name:<14} median {statistics.median(values):6.1f} ms   "
              f"p95 {values[round(0.95 * (len(values) - 1))]:6.1f} ms")


if __name__ == "__main__":
    main()
