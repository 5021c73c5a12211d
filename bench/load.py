"""Load `make serve` (gunicorn, production mode) on PostgreSQL with Locust, and report the
request rate, latency percentiles per page, errors, and the CPU the load generator took.

Run by hand, when the machine is quiet (it reports the load average beside the figures):

    .venv/bin/pip install -e ".[bench]"
    .venv/bin/python bench/load.py                        # mixed traffic, 2 minutes
    .venv/bin/python bench/load.py --scenario list        # the roadmap list alone
    .venv/bin/python bench/load.py --connections new      # compare database connections

Mixed traffic is PMs browsing and filtering the list, PMs triaging in the queue, team
leads on the dashboard and API clients listing and triaging items (bench/locustfile.py).
The database (BENCH_POSTGRES_URL, default wb_bench_load) is dropped and built afresh with
--items items. --connections picks how workers reach PostgreSQL: persistent (the app's
setting: one connection per worker, health-checked), new (a connection per request,
CONN_MAX_AGE=0) or pool (psycopg's pool, a generated settings module: bench only).
"""

import argparse
import csv
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from serving import ROOT, MakeServe, api_tokens, fresh_database, load_average, sessions

CLASSES = {"mixed": ["BrowsingPM", "TriagingPM", "ReviewingLead", "ApiClient"],
           "list": ["ListOnlyPM"]}
POOL_SETTINGS = """from whobenefits.settings import *  # noqa: F403
DATABASES["default"]["CONN_MAX_AGE"] = 0
DATABASES["default"]["OPTIONS"]["pool"] = {"min_size": 1, "max_size": 1, "timeout": 5}
"""


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scenario", choices=list(CLASSES), default="mixed")
    parser.add_argument("--users", type=int, default=None,
                        help="simulated people (default: 30 mixed, 2 for the list alone)")
    parser.add_argument("--seconds", type=int, default=120)
    parser.add_argument("--items", type=int, default=10_000)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--connections", choices=["persistent", "new", "pool"],
                        default="persistent")
    args = parser.parse_args()
    users = args.users or (30 if args.scenario == "mixed" else 2)

    print(f"load average before: {' '.join(load_average())}")
    url, secret_key = fresh_database(args.items)
    cookies = sessions([f"bench-pm{n}" for n in range(5)] + ["bench-lead"])
    os.environ["WB_LOAD_SESSIONS"] = json.dumps({
        "pm": [v for k, v in cookies.items() if k.startswith("bench-pm")],
        "lead": [cookies["bench-lead"]], "api": api_tokens([f"bench-pm{n}" for n in range(5)])})
    out = Path(tempfile.mkdtemp(prefix="wb-load-"))
    server = MakeServe(url, secret_key, workers=args.workers, log=out / "serve.log",
                       extra_env=_connections(args.connections))
    try:
        server_cpu = server.cpu_seconds()
        started = time.monotonic()
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        locust = subprocess.run(
            [sys.executable, "-m", "locust", "-f", str(ROOT / "bench" / "locustfile.py"),
             "--headless", "--host", server.base, "--users", str(users),
             "--spawn-rate", str(users), "--run-time", f"{args.seconds}s",
             "--csv", str(out / "load"), "--only-summary", "--stop-timeout", "5",
             "--loglevel", "WARNING", *CLASSES[args.scenario]],
            cwd=ROOT, capture_output=True, text=True, check=False)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        wall = time.monotonic() - started
        server_cpu = server.cpu_seconds() - server_cpu
    finally:
        server.stop()
    if not (out / "load_stats.csv").exists():
        sys.exit(f"Locust produced no statistics:\n{locust.stdout}\n{locust.stderr}")
    locust_cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    report(args, users, out, wall, locust_cpu, server_cpu)


def _connections(kind):
    """The server's environment for each way of reaching the database."""
    if kind == "new":
        return {"CONN_MAX_AGE": "0"}
    if kind == "pool":
        folder = Path(tempfile.mkdtemp(prefix="wb-pool-"))
        (folder / "pool_settings.py").write_text(POOL_SETTINGS)
        return {"PYTHONPATH": f"{folder}:{ROOT}", "DJANGO_SETTINGS_MODULE": "pool_settings"}
    return {}


def report(args, users, out, wall, locust_cpu, server_cpu):
    rows = list(csv.DictReader((out / "load_stats.csv").open()))
    cores = os.cpu_count()
    print(f"\n== {args.scenario}: {users} users, {args.seconds} s, {args.workers} gunicorn "
          f"workers, {args.items} items, {args.connections} connections ==")
    print("| page | requests | failures | req/s | median ms | p95 ms | p99 ms | max ms |")
    print("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
    for row in rows:
        print(f"| {row['Name']} | {row['Request Count']} | {row['Failure Count']} | "
              f"{float(row['Requests/s']):.1f} | {row['50%']} | {row['95%']} | {row['99%']} | "
              f"{float(row['Max Response Time']):.0f} |")
    print(f"\nload generator (Locust): {locust_cpu:.0f} CPU s in {wall:.0f} s = "
          f"{100 * locust_cpu / wall:.0f}% of one core, {100 * locust_cpu / wall / cores:.0f}% "
          f"of the machine's {cores}")
    print(f"server (gunicorn master and workers, the task worker): {server_cpu:.0f} CPU s = "
          f"{100 * server_cpu / wall / cores:.0f}% of the machine")
    print(f"load average after: {' '.join(load_average())}")
    failures = out / "load_failures.csv"
    if failures.exists() and len(failures.read_text().splitlines()) > 1:
        print(f"\nFailures:\n{failures.read_text()}")
    print(f"(Locust's CSV files and the server's log: {out})")


if __name__ == "__main__":
    main()
