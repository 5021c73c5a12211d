"""No lost edits under real concurrency: simulated PMs triage and edit an overlapping set of
items at once through `make serve` (gunicorn, production mode) on PostgreSQL; afterwards
every answer a client got is checked against the database and its history.

Run by hand (it reports the load average beside the figures):

    .venv/bin/pip install -e ".[bench]"
    .venv/bin/python bench/concurrent_edits.py            # 20 PMs, 6 items, 15 saves each

Each PM opens an item's triage or edit form, waits a moment, saves, and records what the
app answered: saved (a redirect), refused with the conflict message, or anything else (an
error, which fails the run). Then, from the database (BENCH_POSTGRES_URL, default
wb_bench_load, dropped and made afresh):
- every save a PM was told succeeded is in the history, once, with that PM's name and text;
- no refused save left a trace, and every refusal carried the conflict message;
- no two accepted saves of one item started from the same version (one would have
  overwritten the other unseen);
- each item's final title and triage answer are those of its last accepted save.
"""

import argparse
import collections
import random
import re
import threading
import time
import urllib.error
import urllib.parse
import urllib.request

from serving import MakeServe, fresh_database, load_average, sessions

STALE = "Someone else saved this since you opened it"


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pms", type=int, default=20)
    parser.add_argument("--items", type=int, default=6)
    parser.add_argument("--rounds", type=int, default=15, help="saves per PM")
    args = parser.parse_args()

    print(f"load average before: {' '.join(load_average())}")
    url, secret_key = fresh_database(0)
    setup = make_people_and_items(args.pms, args.items)
    cookies = sessions(list(setup["pms"]))
    server = MakeServe(url, secret_key)
    try:
        started = time.monotonic()
        saves = run_pms(server.base, cookies, setup, args.rounds)
        elapsed = time.monotonic() - started
    finally:
        server.stop()
    report(saves, elapsed)
    problems = check(saves, setup)
    print("\n" + ("\n".join(f"PROBLEM: {p}" for p in problems) if problems else
                  "Every accepted save is in the history, every refusal carried the conflict "
                  "message and left no trace, no two accepted saves of an item started from "
                  "one version, and each item ends as its last accepted save left it."))
    print(f"load average after: {' '.join(load_average())}")
    raise SystemExit(1 if problems else 0)


def make_people_and_items(pm_count, item_count):
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group

    from personas.models import BuiltInArchetype as Archetype
    from personas.models import Persona, Side
    from roadmap import roles
    from roadmap.models import Product, RoadmapItem

    group = Group.objects.get(name=roles.PRODUCT_MANAGER)
    pms = {}
    for n in range(pm_count):
        pm = get_user_model().objects.create_user(f"race-pm{n}", password="bench-only-1")
        pm.groups.add(group)
        pms[pm.username] = pm.pk
    product = Product.objects.create(name="Race", slug="race")
    buyer = Persona.objects.create(name="Race buyer", slug="race-buyer", side=Side.CUSTOMER,
                                   archetype_id=Archetype.BUYER)
    items = [RoadmapItem.objects.create(product=product, title=f"Race item {n}", status="idea",
                                        horizon="now") for n in range(item_count)]
    return {"pms": pms, "items": [i.pk for i in items], "product": product.pk,
            "persona": buyer.pk}


class NoRedirects(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def run_pms(base, cookies, setup, rounds):
    """Every PM in a thread of its own, all starting together; returns every save made."""
    saves, lock = [], threading.Lock()
    barrier = threading.Barrier(len(cookies))

    def pm(username):
        opener = urllib.request.build_opener(NoRedirects)
        jar = {"sessionid": cookies[username]}
        rng = random.Random(username)
        barrier.wait()
        for round_ in range(rounds):
            item = rng.choice(setup["items"])
            kind = rng.choice(["triage", "edit"])
            save = attempt(opener, jar, base, item, kind, f"{username} save {round_}", setup,
                           rng)
            with lock:
                saves.append({"pm": username, "item": item, "kind": kind, **save})

    threads = [threading.Thread(target=pm, args=(username,)) for username in cookies]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return saves


def attempt(opener, jar, base, item, kind, text, setup, rng):
    path = f"/roadmap/items/{item}/{'triage' if kind == 'triage' else 'edit'}/"
    status, html = fetch(opener, jar, base + path)
    version = re.search(r'name="version" value="(\d+)"', html).group(1)
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html).group(1)
    time.sleep(rng.uniform(0, 0.05))  # reading the form: others save meanwhile
    if kind == "triage":
        data = {"primary_beneficiaries": setup["persona"], "whose_problem": "customer",
                "value_for_other_side": text}
    else:
        data = {"title": text, "product": setup["product"], "status": "idea", "horizon": "now",
                "description": "", "request_quote": "", "requesting_persona": "",
                "effort": "", "owner": ""}
    data |= {"version": version, "csrfmiddlewaretoken": token}
    status, html = fetch(opener, jar, base + path, data)
    outcome = ("accepted" if status == 302 else "refused" if status == 200 and STALE in html
               else "error")
    return {"version": int(version), "text": text, "outcome": outcome, "status": status,
            "detail": "" if outcome != "error" else html[:300]}


def fetch(opener, jar, url, data=None):
    """(status, body) of a GET, or of a POST when `data` is given, with the PM's cookies
    (`jar`, kept up to date from what the server sets)."""
    headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in jar.items()), "Referer": url}
    body = urllib.parse.urlencode(data).encode() if data is not None else None
    try:
        response = opener.open(urllib.request.Request(url, data=body, headers=headers),
                               timeout=30)
    except urllib.error.HTTPError as error:
        response = error
    with response:
        for header in response.headers.get_all("Set-Cookie") or []:
            name, value = header.split(";", 1)[0].split("=", 1)
            jar[name] = value
        return response.status, response.read().decode(errors="replace")


def report(saves, elapsed):
    counts = collections.Counter((s["kind"], s["outcome"]) for s in saves)
    print(f"\n== {len({s['pm'] for s in saves})} PMs, {len(saves)} saves in {elapsed:.1f} s "
          f"({2 * len(saves) / elapsed:.0f} requests/s, each save a GET and a POST) ==")
    print("| save | accepted | refused (conflict) | errors |")
    print("| --- | ---: | ---: | ---: |")
    for kind in ["triage", "edit"]:
        print(f"| {kind} | {counts[kind, 'accepted']} | {counts[kind, 'refused']} | "
              f"{counts[kind, 'error']} |")


def check(saves, setup):
    from roadmap.models import RoadmapItem, Triage

    problems = [f"{s['pm']} {s['kind']} of item {s['item']}: HTTP {s['status']}: {s['detail']}"
                for s in saves if s["outcome"] == "error"]
    pms = {pk: username for username, pk in setup["pms"].items()}
    history = {
        "triage": [(pms.get(r.history_user_id), r.item_id, r.value_for_other_side, r.history_id)
                   for r in Triage.history.filter(history_user_id__in=pms)],
        "edit": [(pms.get(r.history_user_id), r.id, r.title, r.history_id)
                 for r in RoadmapItem.history.filter(history_user_id__in=pms,
                                                     history_type="~")],
    }
    for kind, records in history.items():
        recorded = collections.Counter((who, item, text) for who, item, text, _ in records)
        accepted = collections.Counter((s["pm"], s["item"], s["text"]) for s in saves
                                       if s["kind"] == kind and s["outcome"] == "accepted")
        refused = {s["text"] for s in saves if s["kind"] == kind and s["outcome"] == "refused"}
        for save in accepted - recorded:
            problems.append(f"{kind} {save} was accepted but is not in the history")
        for save, times in (recorded - accepted).items():
            problems.append(f"{kind} {save} is in the history {times}x more than accepted")
        problems += [f"{kind} {text!r} was refused but is in the history"
                     for _, _, text, _ in records if text in refused]
        versions = collections.Counter((s["item"], s["version"]) for s in saves
                                       if s["kind"] == kind and s["outcome"] == "accepted")
        problems += [f"{kind}: {n} accepted saves of item {item} started from version {v}"
                     for (item, v), n in versions.items() if n > 1]
        for item in setup["items"]:
            mine = sorted((r for r in records if r[1] == item), key=lambda r: r[3])
            if not mine:
                continue
            current = RoadmapItem.objects.select_related("triage").get(pk=item)
            final = current.title if kind == "edit" else current.triage.value_for_other_side
            if final != mine[-1][2]:
                problems.append(f"item {item}: its {kind} is {final!r}, but its last accepted "
                                f"save was {mine[-1][2]!r}")
    return problems


if __name__ == "__main__":
    main()
