"""What the tally triggers cost a write: a title edit, a version bump, a status edit.

Run by hand, never in the test suite:

    .venv/bin/python bench/tally_writes.py                  # PostgreSQL (BENCH_POSTGRES_URL)
    .venv/bin/python bench/tally_writes.py --db sqlite
    BENCH_POSTGRES_URL=postgres://postgres@127.0.0.1:5432/wb_bench_me .venv/bin/python bench/...

It builds a separate database (SQLite: /tmp/wb_bench_tally_writes.sqlite3; PostgreSQL: the
database in BENCH_POSTGRES_URL, default wb_bench_tally_writes, dropped and created afresh)
with --items triaged items, then times each write on --writes items, committed one by one,
under three sets of triggers in turn, round after round on the same data:
- "every update": what migration 0020 installed (an update of any column retallies);
- "UPDATE OF": only an update that sets a column the tallies read (tally.READS) retallies;
- "UPDATE OF + WHEN": and only when it changes one (what migration 0021 installs).
For each it counts the statements Django sends and, on PostgreSQL, the item retallies the
triggers ran (each is 6 statements), the time spent in them, and the tally rows they
deleted and inserted (SQLite: the rows the write changed in all, triggers included); then
the time of a write. The writes of a round share one transaction: the work, not the disk.
"""

import argparse
import os
import re
import statistics
import sys
import time
from pathlib import Path

import databases

ROOT = Path(__file__).resolve().parent.parent
SQLITE_PATH = Path("/tmp/wb_bench_tally_writes.sqlite3")
DEFAULT_POSTGRES_URL = "postgres://postgres@127.0.0.1:5432/wb_bench_tally_writes"
TRIGGERS = ["every update", "UPDATE OF", "UPDATE OF + WHEN"]


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", choices=["sqlite", "postgres"], default="postgres")
    parser.add_argument("--items", type=int, default=5_000)
    parser.add_argument("--writes", type=int, default=200, help="items written per round")
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
    pm, items = roadmap(args.items)
    print(f"{args.db}: {args.items:,} triaged items, {args.writes} writes of each kind a "
          f"round, {args.rounds} rounds; load average {os.getloadavg()[0]:.2f}")
    writes = {"title edit (save_edit)": title_edit, "version bump (claim_version)": bump,
              "status edit (save_edit)": status_edit}
    results = {(name, triggers): [] for name in writes for triggers in TRIGGERS}
    for n in range(args.rounds):
        for triggers in TRIGGERS if n % 2 == 0 else TRIGGERS[::-1]:
            install(triggers)
            for k, (name, write) in enumerate(writes.items()):
                chosen = items[(n * len(writes) + k) * args.writes:][:args.writes]
                results[name, triggers].append(measured(write, chosen, pm))
    install("UPDATE OF + WHEN")
    work = ("retallies, their ms, tally rows" if args.db == "postgres" else
            "rows changed, triggers' too")
    print(f"\nPer write, medians of the rounds:\n{'write':<30} {'triggers':<18} "
          f"{'statements':>10} {work:>32} {'ms':>7}")
    for (name, triggers), rounds in results.items():
        statements, *done, ms = (statistics.median(each) for each in zip(*rounds, strict=True))
        done = (f"{done[0]:.0f}, {done[1]:.2f}, {done[2]:.0f}" if args.db == "postgres"
                else f"{done[0]:.0f}")
        print(f"{name:<30} {triggers:<18} {statements:>10.0f} {done:>32} {ms:>7.2f}")
    print(f"\nload average now {os.getloadavg()[0]:.2f}")


def roadmap(count):
    """A PM, and `count` items with a one-sided triage picking two personas and a metric."""
    from django.utils import timezone

    from personas.models import Side
    from roadmap import roles, tally
    from roadmap.models import (
        BeneficiaryClass,
        RoadmapItem,
        Triage,
        TriageMetric,
        TriagePrimaryBeneficiary,
    )
    from tests.factories import make_metric, make_person, make_persona, make_product

    pm = make_person(roles.PRODUCT_MANAGER, username="bench-pm")
    product = make_product(name="Bench")
    personas = [make_persona(side=Side.CUSTOMER) for _ in range(4)]
    metric = make_metric()
    items = RoadmapItem.objects.bulk_create(
        [RoadmapItem(product=product, title=f"Item {n}", horizon=["now", "next", "later"][n % 3],
                     effort=n % 8 + 1, owner=pm) for n in range(count)], batch_size=1000)
    triages = Triage.objects.bulk_create(
        [Triage(item=item, beneficiary_class=BeneficiaryClass.CUSTOMERS,
                whose_problem="customer", triaged_by=pm, triaged_at=timezone.now())
         for item in items], batch_size=1000)
    TriagePrimaryBeneficiary.objects.bulk_create(
        [TriagePrimaryBeneficiary(triage=t, persona=personas[(n + k) % 4])
         for n, t in enumerate(triages) for k in range(2)], batch_size=1000)
    TriageMetric.objects.bulk_create([TriageMetric(triage=t, metric=metric) for t in triages],
                                     batch_size=1000)
    tally.rebuild()
    return pm, list(RoadmapItem.objects.order_by("pk"))


def install(triggers):
    """Replace whatever tally triggers are in the database by the set named `triggers`."""
    from django.db import connection

    from roadmap import tally

    vendor = connection.vendor
    if triggers == "every update":
        statements = tally.triggers(vendor, update_of=None)
    else:
        statements = tally.triggers(vendor)
        if triggers == "UPDATE OF":  # without the WHEN guard
            statements = [(name, table, re.sub(r" WHEN \(.*?\)(?= BEGIN| EXECUTE)", "", sql))
                          for name, table, sql in statements]
    every = {(name, table) for sets in [None, tally.READS]
             for name, table, _ in tally.triggers(vendor, sets)}
    with connection.cursor() as cursor:
        for name, table in every:
            cursor.execute(tally.drop_trigger(vendor, name, table))
        for _, _, sql in statements:
            cursor.execute(sql)


def title_edit(item, pm):
    item.title += " (renamed)"
    item.save_edit(expected_version=item.version, edited_by=pm)


def bump(item, pm):
    item.claim_version(item.version)


def status_edit(item, pm):
    item.status = "in_progress" if item.status != "in_progress" else "planned"
    item.save_edit(expected_version=item.version, edited_by=pm)


def measured(write, items, pm):
    """Write each of `items` in one transaction (the work, not the disk's commits): per write,
    Django's statements, the triggers' work and the milliseconds."""
    from django.db import connection, transaction

    statements = []

    def count(execute, sql, params, many, context):
        statements.append(sql)
        return execute(sql, params, many, context)

    with transaction.atomic(), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET LOCAL track_functions = 'pl'")
            # The xact views also hold earlier transactions' counts not yet flushed: subtract.
            before = work(cursor)
        else:
            before = connection.connection.total_changes
        started = time.perf_counter()
        with connection.execute_wrapper(count):
            for item in items:
                write(item, pm)
        ms = (time.perf_counter() - started) * 1000
        if connection.vendor == "postgresql":
            done = [(a - b) / len(items) for a, b in zip(work(cursor), before, strict=True)]
            done = [done[0], done[1], done[2] + done[3]]
        else:
            done = [(connection.connection.total_changes - before) / len(items)]
    return len(statements) / len(items), *done, ms / len(items)


def work(cursor):
    """Item retallies, the time spent in them (ms) and tally rows deleted and inserted, as
    PostgreSQL counts them."""
    cursor.execute("SELECT COALESCE(SUM(calls), 0), COALESCE(SUM(total_time), 0)"
                   " FROM pg_stat_xact_user_functions WHERE funcname = 'roadmap_retally'")
    retallies = cursor.fetchone()
    cursor.execute("SELECT COALESCE(SUM(n_tup_del), 0), COALESCE(SUM(n_tup_ins), 0)"
                   " FROM pg_stat_xact_user_tables"
                   " WHERE relname IN ('roadmap_itemtally', 'roadmap_picktally')")
    return (*retallies, *cursor.fetchone())


if __name__ == "__main__":
    main()
