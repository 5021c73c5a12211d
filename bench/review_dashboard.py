"""Time the review dashboard and the filtered roadmap list on a large roadmap.

Run by hand, never in the test suite:

    .venv/bin/python bench/review_dashboard.py               # SQLite and PostgreSQL
    .venv/bin/python bench/review_dashboard.py --db sqlite   # one of them
    BENCH_POSTGRES_URL=postgres://postgres@127.0.0.1:5432/wb_bench .venv/bin/python bench/...

It builds a separate database (SQLite: BENCH_SQLITE_PATH, default /tmp/wb_bench.sqlite3;
PostgreSQL: the database in BENCH_POSTGRES_URL, default wb_bench, dropped and created
afresh), never the dev database.
It fills it with 10,000 items, 40 personas, 3 products and 24 months of readings of
8 metrics per product, then times server-side handling
(Django's test Client: URL routing, middleware, view, queries, template) over repeated
requests, and, as the floor, the same SQL statements the page ran, executed raw through
connection.cursor(). Results: median and 95th percentile in milliseconds. The dashboard is
cached until the data changes (whobenefits/changes.py): its rows read it again, and the
"after a write" rows make an unseen write before each request, so it renders afresh.
"""

import argparse
import os
import random
import re
import statistics
import subprocess
import sys
import time
from pathlib import Path

import databases

ROOT = Path(__file__).resolve().parent.parent
SQLITE_PATH = Path(os.environ.get("BENCH_SQLITE_PATH", "/tmp/wb_bench.sqlite3"))
DEFAULT_POSTGRES_URL = "postgres://postgres@127.0.0.1:5432/wb_bench"


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", choices=["sqlite", "postgres", "both"], default="both")
    parser.add_argument("--items", type=int, default=10_000)
    parser.add_argument("--personas", type=int, default=40)
    parser.add_argument("--requests", type=int, default=30)
    parser.add_argument("--notes", type=int, default=50_000)
    parser.add_argument("--companies", type=int, default=2_000)
    parser.add_argument("--months", type=int, default=24)
    args = parser.parse_args()
    if args.db == "both":
        # Settings are read once per process: one child process per database.
        for db in ["sqlite", "postgres"]:
            subprocess.run([sys.executable, __file__, "--db", db, "--items", str(args.items),
                            "--personas", str(args.personas), "--requests", str(args.requests),
                            "--notes", str(args.notes), "--companies", str(args.companies),
                            "--months", str(args.months)],
                           check=True)
        return
    os.environ["DATABASE_URL"] = prepare_database(args.db)
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "whobenefits.settings")
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command

    settings.DEBUG = False  # no query log: time what production runs
    call_command("migrate", verbosity=0)
    started = time.perf_counter()
    people, products = build_roadmap(args.items, args.personas)
    build_evidence(args.notes, args.companies)
    build_readings(products, args.months)
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")  # fresh planner statistics, as autovacuum would gather
    print(f"\n== {args.db}: built {args.items} items, {args.personas} personas, "
          f"{len(products)} products, {args.notes} evidence notes, {args.companies} companies, "
          f"{args.months} months of metric readings in {time.perf_counter() - started:.1f} s ==")
    run_timings(args.db, people, products, args.requests)


def prepare_database(db):
    # SQLITE_PATH is read at each call: bench/calibration.py sets its own.
    return databases.prepare_database(db, SQLITE_PATH, DEFAULT_POSTGRES_URL)


def build_roadmap(item_count, persona_count):
    """Bulk-create a realistic roadmap: most items triaged, some one-sided, some reviewed."""
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group
    from django.utils import timezone

    from personas.models import BuiltInArchetype as Archetype
    from personas.models import Persona, Side, SuccessMetric
    from roadmap import roles
    from roadmap.models import (
        OPEN_STATUSES,
        BeneficiaryClass,
        Horizon,
        Product,
        Review,
        RoadmapItem,
        Status,
        Triage,
        TriageIndirectBeneficiary,
        TriageMetric,
        TriagePrimaryBeneficiary,
    )

    rng = random.Random(2026)
    now = timezone.now()
    User = get_user_model()
    lead = User.objects.create_user("bench-lead", password="bench-only-password-1")
    lead.groups.add(Group.objects.get(name=roles.TEAM_LEAD))
    pms = []
    for n in range(5):
        pm = User.objects.create_user(f"bench-pm{n}", first_name=f"PM {n}",
                                      password="bench-only-password-1")
        pm.groups.add(Group.objects.get(name=roles.PRODUCT_MANAGER))
        pms.append(pm)
    products = Product.objects.bulk_create(
        [Product(name=name, slug=name.lower()) for name in ["Expenses", "Invoicing", "Platform"]])
    metrics = SuccessMetric.objects.bulk_create(
        [SuccessMetric(name=f"Metric {n}", side=[Side.CUSTOMER, Side.USER][n % 2])
         for n in range(8)])
    personas = Persona.objects.bulk_create([
        Persona(name=f"Persona {n}", slug=f"persona-{n}", side=[Side.CUSTOMER, Side.USER][n % 2],
                archetype_id=[Archetype.BUYER, Archetype.END_USER][n % 2], order=n)
        for n in range(persona_count)
    ])
    # A few personas nothing names, so coverage has something to flag.
    by_side = {side: [p for p in personas[:-4] if p.side == side] for side in Side}
    metrics_by_side = {side: [m for m in metrics if m.side == side] for side in Side}
    items = RoadmapItem.objects.bulk_create([
        RoadmapItem(
            product=rng.choice(products), title=f"Roadmap item {n}",
            status=rng.choice([*OPEN_STATUSES, *OPEN_STATUSES, Status.SHIPPED, Status.DROPPED]),
            horizon=rng.choice(Horizon.values),
            effort=rng.choice([None, 1, 2, 3, 5, 8, 13]), owner=rng.choice(pms),
        )
        for n in range(item_count)
    ], batch_size=2000)
    triages, picks = [], []
    for item in items:
        if rng.random() < 0.15:
            continue  # untriaged
        klass = rng.choice([BeneficiaryClass.CUSTOMERS, BeneficiaryClass.USERS,
                            BeneficiaryClass.BOTH])
        if klass == BeneficiaryClass.BOTH:
            primary = [rng.choice(by_side[Side.CUSTOMER]), rng.choice(by_side[Side.USER])]
            indirect, value = [], ""
        else:
            side = klass.benefiting_side
            primary = rng.sample(by_side[side], rng.randint(1, 2))
            indirect = rng.sample(by_side[side.other], rng.randint(0, 2))
            value = "Helps the other side too." if rng.random() < 0.6 else ""
        picked = rng.sample(metrics_by_side[primary[0].side], rng.randint(0, 2))
        values = (rng.randint(0, 3), rng.randint(0, 3)) if rng.random() < 0.7 else (None, None)
        triages.append(Triage(item=item, beneficiary_class=klass, whose_problem=primary[0].side,
                              value_for_other_side=value, triaged_by=item.owner,
                              triaged_at=now, customer_value=values[0], user_value=values[1]))
        picks.append((primary, indirect, picked))
    Triage.objects.bulk_create(triages, batch_size=2000)
    TriagePrimaryBeneficiary.objects.bulk_create(
        [TriagePrimaryBeneficiary(triage=t, persona=p)
         for t, (primary, _, _) in zip(triages, picks, strict=True) for p in primary],
        batch_size=5000)
    TriageIndirectBeneficiary.objects.bulk_create(
        [TriageIndirectBeneficiary(triage=t, persona=p)
         for t, (_, indirect, _) in zip(triages, picks, strict=True) for p in indirect],
        batch_size=5000)
    TriageMetric.objects.bulk_create(
        [TriageMetric(triage=t, metric=m)
         for t, (_, _, picked) in zip(triages, picks, strict=True) for m in picked],
        batch_size=5000)
    Review.objects.bulk_create([
        Review(item_id=t.item_id, verdict=verdict, comment="Why?" if verdict == "challenged"
               else "", reviewed_by=lead, reviewed_at=now)
        for t in triages if rng.random() < 0.1
        for verdict in [rng.choice(["accepted", "challenged"])]
    ], batch_size=2000)
    build_quarters(rng, items, triages)
    admin = User.objects.create_user("bench-admin", password="bench-only-password-1",
                                     is_staff=True)
    admin.groups.add(Group.objects.get(name=roles.ADMIN))
    return {"lead": lead, "pm": pms[0], "admin": admin}, products


def build_quarters(rng, items, triages):
    """Target quarters over the last eight quarters and the next two, shipped dates for the
    shipped items, and the history plan against reality reads: each item planned (and its
    triage) before its quarter began, a quarter of them moved on a month in, the shipped
    ones shipped mid-quarter. Items and triages were bulk-created, so written here."""
    from datetime import datetime, time, timedelta

    from django.utils import timezone

    from roadmap.models import RoadmapItem, Status, Triage
    from roadmap.quarters import Quarter

    current = Quarter.current()
    quarters = [*current.last(8), current.next(), current.next().next()]
    records, moments = [], {}
    history = RoadmapItem.history.model
    tracked = [f.attname for f in history._meta.fields if not f.name.startswith("history_")]

    def record(item, moment, kind, **changes):
        values = {name: getattr(item, name) for name in tracked} | changes
        records.append(history(**values, history_date=moment, history_type=kind))

    def at(day):
        return timezone.make_aware(datetime.combine(day, time(10)))

    for item in items:
        quarter = rng.choice(quarters[:-2] if item.status == Status.SHIPPED else quarters)
        item.target_quarter = str(quarter)
        planned = at(quarter.first_day - timedelta(days=rng.randint(5, 60)))
        moments[item.pk] = planned
        if item.status == Status.SHIPPED:
            item.shipped_on = min(quarter.first_day + timedelta(days=rng.randint(0, 89)),
                                  timezone.localdate())
        record(item, planned, "+", status=Status.PLANNED, shipped_on=None,
               target_quarter=str(quarter.previous()) if rng.random() < 0.25 else str(quarter))
        if rng.random() < 0.25:
            record(item, planned + timedelta(days=30), "~", status=Status.PLANNED,
                   shipped_on=None)
        if item.shipped_on:
            record(item, at(item.shipped_on), "~")
    RoadmapItem.objects.bulk_update(items, ["target_quarter", "shipped_on"], batch_size=2000)
    history.objects.bulk_create(records, batch_size=5000)
    triage_history = Triage.history.model
    triage_fields = [f.attname for f in triage_history._meta.fields
                     if not f.name.startswith("history_")]
    triage_history.objects.bulk_create([
        triage_history(**{name: getattr(t, name) for name in triage_fields},
                       history_date=moments[t.item_id] + timedelta(days=1), history_type="+")
        for t in triages], batch_size=5000)


def build_evidence(note_count, company_count):
    """Companies (revenue, a renewal within a year or overdue) and notes from personas of
    both sides, 85% linked to one to three items, the rest in the inbox."""
    from datetime import timedelta
    from decimal import Decimal

    from django.contrib.auth import get_user_model
    from django.utils import timezone

    from evidence.models import Company, Evidence, EvidenceLink, ItemDemand
    from personas.models import Persona
    from roadmap.models import RoadmapItem

    rng = random.Random(12)
    today = timezone.localdate()
    companies = Company.objects.bulk_create([
        Company(name=f"Company {n}", arr=Decimal(rng.randint(5, 900) * 1000),
                seats=rng.randint(10, 3000), archived=rng.random() < 0.05,
                renewal_date=today + timedelta(days=rng.randint(-30, 365)))
        for n in range(company_count)], batch_size=2000)
    personas = list(Persona.objects.all())
    recorder = get_user_model().objects.get(username="bench-pm0")
    item_ids = list(RoadmapItem.objects.values_list("pk", flat=True))
    notes = Evidence.objects.bulk_create([
        Evidence(text=f"Evidence note {n}", persona=rng.choice(personas),
                 company=rng.choice(companies) if rng.random() < 0.8 else None,
                 source=rng.choice(Evidence.Source.values), importance=rng.randint(0, 3),
                 observed_on=today - timedelta(days=rng.randint(0, 400)), recorded_by=recorder)
        for n in range(note_count)], batch_size=5000)
    links = {(note.pk, item) for note in notes if rng.random() < 0.85
             for item in rng.sample(item_ids, rng.randint(1, 3))}
    EvidenceLink.objects.bulk_create(
        [EvidenceLink(evidence_id=note, roadmapitem_id=item) for note, item in links],
        batch_size=10000)
    ItemDemand.refresh(item_ids)  # what the app's writes keep up to date


def build_readings(products, months):
    """A reading a month of every metric for every product, `months` back from this one."""
    from decimal import Decimal

    from django.contrib.auth import get_user_model

    from outcomes.models import MetricReading, months_back, this_month
    from personas.models import SuccessMetric

    rng = random.Random(13)
    recorder = get_user_model().objects.get(username="bench-admin")
    MetricReading.objects.bulk_create([
        MetricReading(metric=metric, product=product, recorded_by=recorder,
                      period=months_back(this_month(), back),
                      value=Decimal(rng.randint(900, 1100)))
        for product in products for metric in SuccessMetric.objects.all()
        for back in range(months)], batch_size=5000)


def run_timings(db, people, products, repeats):
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    lead = Client(HTTP_HOST="localhost")
    lead.force_login(people["lead"], backend="django.contrib.auth.backends.ModelBackend")
    pm = Client(HTTP_HOST="localhost")
    pm.force_login(people["pm"], backend="django.contrib.auth.backends.ModelBackend")
    admin = Client(HTTP_HOST="localhost")
    admin.force_login(people["admin"], backend="django.contrib.auth.backends.ModelBackend")
    product = products[0].slug
    def any_write():
        """A write that changes nothing shown, so the dashboard's cached numbers go: what it
        costs to render after each triage or edit."""
        from django.db.models import F

        from roadmap.models import RoadmapItem

        RoadmapItem.objects.filter(pk=RoadmapItem.objects.order_by("pk").values("pk")[:1]) \
            .update(version=F("version"))

    pages = [
        ("dashboard", lead, "/roadmap/review/"),
        ("dashboard, after a write", lead, "/roadmap/review/", any_write),
        ("dashboard, filt., write", lead, f"/roadmap/review/?product={product}&horizon=now",
         any_write),
        ("dashboard, filtered", lead, f"/roadmap/review/?product={product}&horizon=now"),
        ("dashboard, htmx filter", lead, f"/roadmap/review/?product={product}&status=any"),
        ("roadmap list, filtered", pm, f"/roadmap/?product={product}&horizon=now"),
        ("admin changelist, same", admin,
         f"/admin/roadmap/roadmapitem/?product__id__exact={products[0].pk}&horizon__exact=now"),
        ("list, tag disagrees", pm, f"/roadmap/?product={product}&evidence=mismatch"),
        ("list, by customer demand", pm,
         f"/roadmap/?product={product}&horizon=now&sort=-customer_score"),
        ("list, by revenue asking", pm, f"/roadmap/?product={product}&horizon=now&sort=-arr"),
        ("item page", pm, f"/roadmap/items/{busiest_item()}/"),
        ("evidence inbox", pm, "/evidence/inbox/"),
        ("metric readings", lead, f"/outcomes/readings/?product={products[0].pk}"),
        ("admin changelist, same", admin,
         f"/admin/outcomes/metricreading/?product__id__exact={products[0].pk}"),
    ]
    # Other work on the machine slows every number: say how busy it was.
    print(f"load average before timing: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    print(f"{'page':<26}{'queries':>8}{'median ms':>11}{'p95 ms':>9}"
          f"{'SQL median':>12}{'SQL p95':>9}{'ratio':>7}")
    for label, client, url, *prepare in pages:
        headers = {"HX-Request": "true"} if "htmx" in label else {}
        before = prepare[0] if prepare else None
        for _ in range(3):  # warm caches, connections and the template loader
            assert client.get(url, headers=headers).status_code == 200
        if before:
            before()
        with CaptureQueriesContext(connection) as captured:
            client.get(url, headers=headers)
        # Copy now: the next request clears the connection's query log.
        # Model choice menus iterate with a server-side cursor on PostgreSQL: run the SELECT.
        statements = [re.sub(r'^DECLARE "[^"]+" NO SCROLL CURSOR WITH HOLD FOR ', "", q["sql"])
                      for q in captured.captured_queries]
        server = time_it(client.get, repeats, url, headers=headers, before=before)
        floor = time_it(run_raw, repeats, connection, statements)
        print(f"{label:<26}{len(statements):>8}{ms(server, 50):>11.1f}{ms(server, 95):>9.1f}"
              f"{ms(floor, 50):>12.1f}{ms(floor, 95):>9.1f}"
              f"{statistics.median(server) / statistics.median(floor):>7.1f}")


def busiest_item():
    """The item with the most evidence notes: the item page at its heaviest."""
    from django.db.models import Count

    from roadmap.models import RoadmapItem

    return RoadmapItem.objects.annotate(n=Count("evidence")).order_by("-n").first().pk


def run_raw(connection, statements):
    with connection.cursor() as cursor:
        for sql in statements:
            cursor.execute(sql)
            if cursor.description:
                cursor.fetchall()


def time_it(call, repeats, *args, before=None, **kwargs):
    """Seconds per call; `before()`, untimed, before each."""
    times = []
    for _ in range(repeats):
        if before:
            before()
        started = time.perf_counter()
        call(*args, **kwargs)
        times.append(time.perf_counter() - started)
    return times


def ms(times, percentile):
    ordered = sorted(times)
    index = min(len(ordered) - 1, round(percentile / 100 * (len(ordered) - 1)))
    return 1000 * ordered[index]


if __name__ == "__main__":
    main()
