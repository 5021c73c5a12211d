"""Time a calibration round's results page (50 items, 5 PMs) and a PM's blind queue.

Run by hand, never in the test suite:

    .venv/bin/python bench/calibration.py               # SQLite and PostgreSQL
    .venv/bin/python bench/calibration.py --db sqlite   # one of them
    BENCH_POSTGRES_URL=postgres://postgres@127.0.0.1:5432/wb_bench_calib .venv/bin/python ...

Same shape as bench/review_dashboard.py, whose roadmap builder and timing it reuses: a
separate database (SQLite: /tmp/wb_bench_calibration.sqlite3; PostgreSQL: the database in
BENCH_POSTGRES_URL, default wb_bench_calib, dropped and created afresh), a roadmap of
--items items, then one closed round of --round-items items rated by all five bench PMs
(each answer through the model, as the queue saves it; about a quarter of the answers
differ from the first PM's) and one open round. Server-side handling is timed over
repeated requests against, as the floor, the same SQL run raw. The issue's bar: the
results page within 4x its SQL.
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

sys.path.insert(0, str(Path(__file__).resolve().parent))
import review_dashboard as shared  # the roadmap builder and the timers

shared.SQLITE_PATH = Path(os.environ.get("BENCH_SQLITE_PATH", "/tmp/wb_bench_calibration.sqlite3"))
os.environ.setdefault("BENCH_POSTGRES_URL", "postgres://postgres@127.0.0.1:5432/wb_bench_calib")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", choices=["sqlite", "postgres", "both"], default="both")
    parser.add_argument("--items", type=int, default=2_000)
    parser.add_argument("--round-items", type=int, default=50)
    parser.add_argument("--requests", type=int, default=30)
    args = parser.parse_args()
    if args.db == "both":
        for db in ["sqlite", "postgres"]:
            subprocess.run([sys.executable, __file__, "--db", db, "--items", str(args.items),
                            "--round-items", str(args.round_items),
                            "--requests", str(args.requests)], check=True)
        return
    os.environ["DATABASE_URL"] = shared.prepare_database(args.db)
    sys.path.insert(0, str(shared.ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "whobenefits.settings")
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command

    settings.DEBUG = False
    call_command("migrate", verbosity=0)
    started = time.perf_counter()
    people, _ = shared.build_roadmap(args.items, 40)
    closed, open_round, pms = build_rounds(args.round_items)
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    print(f"\n== {args.db}: built {args.items} items, a closed round of {args.round_items} "
          f"items x {len(pms)} PMs and an open one in {time.perf_counter() - started:.1f} s ==")
    run_timings(people, pms, closed, open_round, args.requests)


def build_rounds(size):
    from django.contrib.auth import get_user_model

    from calibration.models import Round
    from roadmap.models import RoadmapItem

    rng = random.Random(15)
    pms = list(get_user_model().objects.filter(username__startswith="bench-pm").order_by(
        "username"))
    lead = get_user_model().objects.get(username="bench-lead")
    items = list(RoadmapItem.objects.for_triage().filter(triage__isnull=False).order_by("?")[
        :size * 2])
    closed = Round.start(name="Bench: closed", raters=pms, items=items[:size], started_by=lead)
    for item in items[:size]:
        answer = _answer(item)
        for pm in pms:
            mine = answer if rng.random() < 0.75 else _other(item, answer, rng)
            closed.record_answer(rater=pm, item=item, **mine)
    closed.refresh_from_db()
    assert closed.is_closed
    open_round = Round.start(name="Bench: open", raters=pms, items=items[size:],
                             started_by=lead)
    return closed, open_round, pms


def _answer(item):
    triage = item.triage
    return {"primary_beneficiaries": list(triage.primary_beneficiaries.all()),
            "whose_problem": triage.whose_problem,
            "value_for_other_side": triage.value_for_other_side,
            "indirect_beneficiaries": list(triage.indirect_beneficiaries.all()),
            "metrics": list(triage.metrics.all())}


def _other(item, answer, rng):
    """A different answer: the other side's personas, or both sides'."""
    from personas.models import Persona, Side

    side = rng.choice([Side.CUSTOMER, Side.USER])
    picks = list(Persona.objects.filter(side=side)[:2])
    if rng.random() < 0.5:
        picks += list(Persona.objects.filter(side=side.other)[:1])
    return {"primary_beneficiaries": picks, "whose_problem": side,
            "value_for_other_side": "", "indirect_beneficiaries": [], "metrics": []}


def run_timings(people, pms, closed, open_round, repeats):
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    def client_for(person):
        client = Client(HTTP_HOST="localhost")
        client.force_login(person, backend="django.contrib.auth.backends.ModelBackend")
        return client

    lead, pm = client_for(people["lead"]), client_for(pms[0])
    pages = [
        ("results, 50 x 5", lead, f"/calibration/{closed.pk}/"),
        ("results, all shown", lead, f"/calibration/{closed.pk}/?disagreements=all"),
        ("results, as a PM", pm, f"/calibration/{closed.pk}/"),
        ("open round progress", lead, f"/calibration/{open_round.pk}/"),
        ("blind queue", pm, f"/calibration/{open_round.pk}/queue/"),
        ("rounds list", lead, "/calibration/"),
    ]
    statements = {}
    for label, client, url in pages:
        for _ in range(3):
            assert client.get(url).status_code == 200
        with CaptureQueriesContext(connection) as captured:
            client.get(url)
        statements[label] = [
            re.sub(r'^DECLARE "[^"]+" NO SCROLL CURSOR WITH HOLD FOR ', "", q["sql"])
            for q in captured.captured_queries]
    # Rounds interleaved (each page, then its SQL, in turn): a load spike from other work on
    # the machine hits a page and its floor alike.
    times = {label: ([], []) for label, _, _ in pages}
    print(f"load average before timing: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    for _ in range(repeats):
        for label, client, url in pages:
            times[label][0].extend(shared.time_it(client.get, 1, url))
            times[label][1].extend(shared.time_it(shared.run_raw, 1, connection,
                                                  statements[label]))
    print(f"load average after timing: {os.getloadavg()[0]:.1f}")
    print(f"{'page':<26}{'queries':>8}{'median ms':>11}{'p95 ms':>9}"
          f"{'SQL median':>12}{'SQL p95':>9}{'ratio':>7}")
    for label, _, _ in pages:
        server, floor = times[label]
        print(f"{label:<26}{len(statements[label]):>8}{shared.ms(server, 50):>11.1f}"
              f"{shared.ms(server, 95):>9.1f}{shared.ms(floor, 50):>12.1f}"
              f"{shared.ms(floor, 95):>9.1f}"
              f"{statistics.median(server) / statistics.median(floor):>7.1f}")


if __name__ == "__main__":
    main()
