"""The tallies the database keeps for the dashboard (roadmap/tally.py) agree with the
items, whatever wrote them."""

import hashlib
import importlib
import io
import random
import re
from types import SimpleNamespace

import pytest
from django.core.management import call_command
from django.db import connection
from django.urls import reverse
from simple_history.utils import bulk_update_with_history

from roadmap import tally
from roadmap.balance import RoadmapBalance, ValueMap
from roadmap.forms import ReviewFilterForm
from roadmap.models import (
    ItemTally,
    PickTally,
    Review,
    RoadmapItem,
    Triage,
    TriagePrimaryBeneficiary,
)
from tests.factories import (
    make_item,
    make_metric,
    make_person,
    make_persona,
    make_product,
    review_item,
    triage,
)

FILTERS = [{}, {"status": "any"}, {"status": "shipped"}, {"horizon": "now"},
           {"product": ["alpha"]}, {"product": ["beta"], "horizon": "later", "status": "any"},
           {"owner": "pm2"}, {"owner": "pm2", "horizon": "next", "count": "all"}]


def kept():
    """Every tally row, as plain values."""
    return (sorted(ItemTally.objects.values_list(
                "item_id", "product_id", "owner_id", "status", "horizon", "benefits", "effort",
                "lacking", "challenged", "customer_value", "user_value")),
            sorted(PickTally.objects.values_list(
                "item_id", "relation", "target_id", "product_id", "owner_id", "status",
                "horizon")))


def assert_tallies_agree():
    """The kept tallies are those counted from scratch, and give the items' numbers under
    each filter."""
    before = kept()
    tally.rebuild()
    assert kept() == before
    for data in FILTERS:
        form = ReviewFilterForm(data)
        assert form.is_valid(), form.errors
        for narrow in [form.scope, form.filter]:
            items = narrow(RoadmapItem.objects.all())
            assert (rows(items.class_mix()) == rows(narrow(ItemTally.objects.all()).class_mix())
                    ), data
            assert rows(items.reach()) == rows(narrow(PickTally.objects.all()).reach()), data
        assert_one_scan_counts_the_value_map(form)


def assert_one_scan_counts_the_value_map(form):
    """The dashboard's class mix and value map from one scan of the tallies (with_values)
    are those each counts on its own."""
    scoped, horizons = form.scope(ItemTally.objects.all()), form.counted_horizons()
    picks = form.scope(PickTally.objects.all())
    apart, together = (RoadmapBalance(scoped, horizons, picks=picks, with_values=with_values)
                       for with_values in (False, True))
    for shown in ["overall", "per_horizon", "per_product", "traps", "trap_left_out",
                  "flag_left_out", "product_names", "without_horizons"]:
        assert getattr(apart, shown) == getattr(together, shown), (form.data, shown)

    def cells(value_map):
        return value_map.unvalued, [(cell.customer_value, cell.user_value, cell.items,
                                     cell.effort, cell.dots) for cell in value_map.cells]
    mapped = form.filter(ItemTally.objects.all()).open()
    assert apart.value_counts() is None
    assert cells(ValueMap(mapped)) == cells(ValueMap(mapped, together.value_counts())), (
        form.data)


def assert_recounted(items):
    """The tally rows of `items` are those a recount gives them."""
    def of_items(rows):
        return [row for row in rows if row[0] in items]
    before = [of_items(rows) for rows in kept()]
    tally.rebuild()
    assert before == [of_items(rows) for rows in kept()]


def rows(counted):
    """Rows (dicts or tuples) in one order, whatever order the database gave them."""
    return sorted((sorted(row.items()) if isinstance(row, dict) else row for row in counted),
                  key=repr)


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_tallies_follow_every_kind_of_write(seed, pm, lead):
    rng = random.Random(seed)
    products = [make_product(name="Alpha", slug="alpha"),
                make_product(name="Beta", slug="beta", uses_horizons=False)]
    pm2 = make_person("Product manager", username="pm2")
    personas = [make_persona(side=side) for side in ["customer", "customer", "user", "user"]]
    metrics = [make_metric(side="customer"), make_metric(side="user")]

    def random_item():
        return make_item(product=rng.choice(products), owner=rng.choice([pm, pm2, None]),
                         horizon=rng.choice(["now", "next", "later"]),
                         status=rng.choice(["idea", "planned", "in_progress", "shipped"]),
                         effort=rng.choice([None, 1, 3, 8]))

    def random_triage(item):
        item.refresh_from_db()
        side, other = rng.sample([personas[:2], personas[2:]], 2)
        triage(item, rng.sample(side, rng.randint(1, 2)) + rng.sample(other, rng.randint(0, 1)),
               by=pm, value=rng.choice(["", "It helps the other side."]),
               indirect=rng.sample(other, rng.randint(0, 1)),
               metrics=rng.sample(metrics, rng.randint(0, 2)))

    items = [random_item() for _ in range(30)]
    for item in items:
        if rng.random() < 0.8:
            random_triage(item)
    for item in rng.sample(items, 3):  # back to untriaged
        item.refresh_from_db()
        triage(item, [], by=pm)
    assert_tallies_agree()

    # Edits one by one, reviews, re-triages and values set by QuerySet.update().
    for item in rng.sample(items, 10):
        item.refresh_from_db()
        item.horizon, item.status = rng.choice(["now", "next"]), "planned"
        item.save_edit(expected_version=item.version, edited_by=pm)
    for item in rng.sample([i for i in items if hasattr(i, "triage")], 5):
        review_item(item, "challenged", "Who pays for this?", lead)
    for item in rng.sample(items, 8):
        random_triage(item)
    Triage.objects.filter(item__in=items[:10]).update(customer_value=3, user_value=1)
    RoadmapItem.objects.filter(pk__in=[i.pk for i in items[10:20]]).update(
        product=products[1], effort=5)
    assert_tallies_agree()

    # A bulk edit, an import's bulk_create, deletes, a pick removed behind the form's back,
    # and history rewritten (which the tallies do not read).
    chosen = rng.sample(items, 6)
    RoadmapItem.objects.filter(pk__in=[i.pk for i in chosen]).edit_each(
        {"owner": pm2}, expected_versions={i.pk: RoadmapItem.objects.get(pk=i.pk).version
                                           for i in chosen}, edited_by=pm)
    RoadmapItem.objects.bulk_create([
        RoadmapItem(product=rng.choice(products), title=f"Imported {n}", horizon="now",
                    effort=n) for n in range(5)])
    for item in rng.sample(items, 4):
        RoadmapItem.objects.get(pk=item.pk).delete()
    TriagePrimaryBeneficiary.objects.filter(pk__in=TriagePrimaryBeneficiary.objects.values(
        "pk")[:3]).delete()
    RoadmapItem.history.update(history_change_reason="Rewritten")
    assert_tallies_agree()


def test_the_dashboard_reads_a_triage_saved_just_before(lead_client, pm):
    buyer = make_persona(side="customer", name="Economic buyer")
    item = make_item(title="SSO", horizon="now", status="planned")
    url = reverse("roadmap:dashboard")
    assert lead_client.get(url).context["balance"].overall.items["untriaged"] == 1
    triage(item, [buyer], by=pm)
    response = lead_client.get(url)
    assert response.context["balance"].overall.items["customers"] == 1
    assert response.context["balance"].overall.items["untriaged"] == 0


def test_retally_counts_every_item_again(pm):
    triage(make_item(horizon="now"), [make_persona(side="user")], by=pm)
    ItemTally.objects.all().delete()
    PickTally.objects.all().delete()
    out = io.StringIO()
    call_command("retally", stdout=out)
    assert out.getvalue() == "Tallied 1 items and 1 picks.\n"
    assert list(ItemTally.objects.values_list("benefits", "horizon")) == [("users", "now")]


# Writes that change no column the tallies read: none of them may retally (they did, every
# one, before migration 0021).
def mark_every_tally():
    """Give every tally row a status no count would give it: a retally rewrites it."""
    ItemTally.objects.update(status="marked")
    PickTally.objects.update(status="marked")


def marked(items):
    """The statuses of the tally rows of `items` (ids): {"marked"} when none was retallied."""
    return ({*ItemTally.objects.filter(item__in=items).values_list("status", flat=True)}
            | {*PickTally.objects.filter(item__in=items).values_list("status", flat=True)})


@pytest.fixture
def triaged(pm, lead):
    """An item with a triage that picks a persona of each kind and a metric, and a review."""
    customer, user = make_persona(side="customer"), make_persona(side="user")
    item = make_item(horizon="now", status="planned", effort=3, owner=pm)
    triage(item, [customer], by=pm, indirect=[user], metrics=[make_metric()])
    review_item(item, "challenged", "Who pays for this?", lead)
    item.refresh_from_db()
    return item


def test_a_title_edit_and_version_bumps_leave_the_tallies_alone(triaged, pm):
    mark_every_tally()
    triaged.title = "Single sign-on for every plan"
    triaged.save_edit(expected_version=triaged.version, edited_by=pm)  # save(): every column
    triaged.claim_version(triaged.version)
    RoadmapItem.objects.filter(pk=triaged.pk).update(description="Renamed", title="SSO")
    triaged.title = "Single sign-on"
    triaged.version += 1
    bulk_update_with_history([triaged], RoadmapItem, ["title", "version"])  # an import's
    Triage.objects.filter(item=triaged).update(whose_problem="user")
    review = Review.objects.get(item=triaged)
    review.comment, review.version = "Who pays for it?", review.version + 1
    review.save()
    assert marked([triaged.pk]) == {"marked"}


def test_a_save_that_changes_a_tallied_column_retallies(triaged, pm):
    mark_every_tally()
    triaged.status = "in_progress"
    triaged.save_edit(expected_version=triaged.version, edited_by=pm)
    assert marked([triaged.pk]) == {"in_progress"}
    assert_recounted([triaged.pk])


# Each column the tallies read: its new value (SQL) for the triaged item's row, and the
# other item whose tallies the change moves too.
CHANGES = {
    ("roadmap_roadmapitem", "id"): ("{triaged} + 1000", "renumbered"),
    ("roadmap_roadmapitem", "product_id"): ("{product}", None),
    ("roadmap_roadmapitem", "owner_id"): ("NULL", None),
    ("roadmap_roadmapitem", "status"): ("'idea'", None),
    ("roadmap_roadmapitem", "horizon"): ("'later'", None),
    ("roadmap_roadmapitem", "effort"): ("8", None),
    ("roadmap_triage", "id"): ("id + 1000", None),
    ("roadmap_triage", "item_id"): ("{untriaged}", "untriaged"),
    ("roadmap_triage", "beneficiary_class"): ("'users'", None),
    ("roadmap_triage", "value_for_other_side"): ("'It keeps the licence.'", None),
    ("roadmap_triage", "customer_value"): ("3", None),
    ("roadmap_triage", "user_value"): ("1", None),
    ("roadmap_review", "item_id"): ("{untriaged}", "untriaged"),
    ("roadmap_review", "verdict"): ("'accepted'", None),
    **{(table, "triage_id"): ("{other_triage}", "other") for _, table, _ in tally.PICKS},
    **{(table, column): ("{" + column.removesuffix("_id") + "}", None)
       for _, table, column in tally.PICKS},
}
# What keeps the references whole after a renumbering (SQLite checks them after each test).
REFERENCES = {
    ("roadmap_roadmapitem", "id"): [f"UPDATE {table} SET item_id = {{renumbered}}"
                                    f" WHERE item_id = {{triaged}}"
                                    for table in ["roadmap_triage", "roadmap_review"]],
    ("roadmap_triage", "id"): [f"UPDATE {table} SET triage_id = {{triage}} + 1000"
                               f" WHERE triage_id = {{triage}}" for _, table, _ in tally.PICKS],
}
ROW_OF_TRIAGED = {"roadmap_roadmapitem": "id = {triaged}", "roadmap_triage": "item_id = {triaged}",
                  "roadmap_review": "item_id = {triaged}",
                  **{table: "triage_id = {triage}" for _, table, _ in tally.PICKS}}


def test_every_column_the_tallies_read_is_changed_below():
    assert sorted(CHANGES) == sorted((table, column) for table, columns in tally.READS.items()
                                     for column in columns)


def test_the_triggers_watch_every_column_the_tallies_read():
    """READS names each column the SQL reads ({row}, and aliases i, t, r and p)."""
    aliases = {"i": "roadmap_roadmapitem", "t": "roadmap_triage", "r": "roadmap_review"}
    read = {table: set() for table in tally.SOURCES}
    for statement in tally.retally_statements("0"):
        pick = re.search(r"FROM (\w+) p ", statement)
        for alias, column in re.findall(r"\b([itrp])\.(\w+)", statement):
            read[pick[1] if alias == "p" else aliases[alias]].add(column)
    for table, item in tally.SOURCES.items():
        read[table] |= set(re.findall(r"\{row\}\.(\w+)", item))
    assert read == {table: set(columns) for table, columns in tally.READS.items()}


@pytest.mark.parametrize(("table", "column"), sorted(CHANGES))
def test_a_change_to_a_column_the_tallies_read_retallies(table, column, triaged, pm):
    other = make_item(horizon="next")
    triage(other, [make_persona(side="user")], by=pm, metrics=[make_metric(side="user")])
    ids = {"triaged": triaged.pk, "triage": triaged.triage.pk, "renumbered": triaged.pk + 1000,
           "untriaged": make_item(horizon="later").pk, "other": other.pk,
           "other_triage": other.triage.pk, "product": make_product().pk,
           "persona": make_persona().pk, "metric": make_metric().pk}
    value, also = CHANGES[table, column]
    mark_every_tally()
    with connection.cursor() as cursor:
        cursor.execute(f"UPDATE {table} SET {column} = {value}"
                       f" WHERE {ROW_OF_TRIAGED[table]}".format(**ids))
        assert cursor.rowcount == 1
    changed = [triaged.pk, *([ids[also]] if also else [])]
    assert "marked" not in marked(changed)
    assert_recounted(changed)
    with connection.cursor() as cursor:
        for statement in REFERENCES.get((table, column), []):
            cursor.execute(statement.format(**ids))


def installed_triggers():
    """The tally triggers in the database, by name, with their definitions."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT tgname, pg_get_triggerdef(oid) FROM pg_trigger"
                           " WHERE tgname LIKE '%retally%' AND NOT tgisinternal")
        else:
            cursor.execute("SELECT name, sql FROM sqlite_master WHERE type = 'trigger'"
                           " AND name LIKE '%retally%'")
        return dict(cursor.fetchall())


def run_migration(name, backwards=False):
    """Run migration `name`'s RunPython here, in the test's transaction."""
    def execute(sql, params=None):
        with connection.cursor() as cursor:
            cursor.execute(sql)
    operation = importlib.import_module(f"roadmap.migrations.{name}").Migration.operations[-1]
    run = operation.reverse_code if backwards else operation.code
    run(None, SimpleNamespace(connection=connection, execute=execute))


def test_a_fresh_database_has_the_triggers_of_tally_py(db):
    installed = installed_triggers()
    expected = tally.triggers(connection.vendor)
    assert sorted(installed) == sorted(name for name, _, _ in expected)
    for name, _, create in expected:
        if connection.vendor == "sqlite":
            assert installed[name] == create
        else:  # PostgreSQL gives its own text: the events and the columns at least
            assert installed[name].startswith(create.split(" ON ")[0])


def test_migration_0021_goes_back_to_retallying_on_every_update_and_forward_again(triaged,
                                                                                 pm):
    def title_edit_retallies():
        mark_every_tally()
        triaged.refresh_from_db()
        triaged.title += "!"
        triaged.save_edit(expected_version=triaged.version, edited_by=pm)
        return "marked" not in marked([triaged.pk])

    run_migration("0021_tally_update_of", backwards=True)
    assert sorted(installed_triggers()) == sorted(
        name for name, _, _ in tally.triggers(connection.vendor, update_of=None))
    assert title_edit_retallies()
    run_migration("0021_tally_update_of")
    assert sorted(installed_triggers()) == sorted(
        name for name, _, _ in tally.triggers(connection.vendor))
    assert not title_edit_retallies()
    triaged.refresh_from_db()
    triaged.horizon = "next"
    triaged.save_edit(expected_version=triaged.version, edited_by=pm)
    assert "marked" not in marked([triaged.pk])
    assert_recounted([triaged.pk])


# What the migrations that run tally.py's SQL ran when they were written (sha256 of their
# statements, sorted): a change to tally.py must not change what an old migration does.
RAN = {
    ("0020_dashboard_tallies", "postgresql"):
        "4aeb33b95c7380a1246c5268679c89348bd9a6352b431b7eafbb1f955528f475",
    ("0020_dashboard_tallies", "sqlite"):
        "dd88f3cd99996b6285924d0ae81ce5572d637d277ceb36b2c9fcbb850126450e",
    ("0021_tally_update_of", "postgresql"):
        "38862665ddb76f30893e5281cad13ad413d5056a0880c52369549eb368d60b4f",
    ("0021_tally_update_of", "sqlite"):
        "adb609b75d2340c570ef609c8a9828532269818bd3325eea1e6f9aecca10d05f",
}


@pytest.mark.parametrize(("name", "vendor"), sorted(RAN))
def test_a_migration_runs_what_it_ran_when_it_was_written(name, vendor):
    statements = []
    editor = SimpleNamespace(connection=SimpleNamespace(vendor=vendor),
                             execute=lambda sql, params=None: statements.append(sql))
    for operation in importlib.import_module(f"roadmap.migrations.{name}").Migration.operations:
        if hasattr(operation, "code"):
            operation.code(None, editor)
            operation.reverse_code(None, editor)
    digest = hashlib.sha256("\n".join(sorted(statements)).encode()).hexdigest()
    assert digest == RAN[name, vendor], (
        f"Migration {name} would now run other SQL than it did: give it a frozen copy of"
        " what it ran (git log roadmap/tally.py), and change tally.py in a new migration.")
