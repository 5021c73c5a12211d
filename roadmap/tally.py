"""The dashboard's counts kept up to date by the database itself, in the transaction of the
write that changes them.

Each roadmap item has one row in roadmap_itemtally (its product, owner, status, horizon,
class, effort, values, whether it lacks the other side's value and whether it is
challenged) and one row in roadmap_picktally per persona or metric its triage picks, with
the same product, owner, status and horizon. The class mix, the value map and persona reach
then scan one narrow table each instead of joining the items to their triages, reviews and
picks (ItemTally, PickTally in roadmap/models.py).

Triggers on the six tables the rows come from retally an item whenever a row of it is
inserted or deleted, or an update changes a column the tallies read (READS): a form,
QuerySet.update(), bulk_create() in an import, the admin, a raw statement alike, so no write
path can leave them stale, and a title edit or a version bump costs nothing. `rebuild()`
(the `retally` management command) counts them all again from scratch.

Migrations run this module's SQL: 0020 installed triggers that retallied on every update
(`update_of=None`), 0021 narrowed them to READS. Change the SQL here and those migrations
would install something else on a fresh database (tests/roadmap/test_tallies.py pins what
they run): give the old migrations a frozen copy of what they ran, and add a migration.
"""
# ruff: noqa: S608  (only constant table and column names go into the SQL, never a value)

from django.db import connection, transaction

ITEM_COLUMNS = ("item_id, product_id, owner_id, status, horizon, benefits, effort, lacking,"
                " challenged, customer_value, user_value")
PICK_COLUMNS = "item_id, relation, target_id, product_id, owner_id, status, horizon"
# What roadmap.models.LACKS_OTHER_SIDE_VALUE and Verdict.CHALLENGED say, in SQL.
ITEM_ROWS = (
    "SELECT i.id, i.product_id, i.owner_id, i.status, i.horizon,"
    " COALESCE(t.beneficiary_class, 'untriaged'), i.effort,"
    " CASE WHEN t.beneficiary_class IN ('customers', 'users')"
    " AND t.value_for_other_side = '' THEN TRUE ELSE FALSE END,"
    " CASE WHEN r.verdict = 'challenged' THEN TRUE ELSE FALSE END,"
    " t.customer_value, t.user_value"
    " FROM roadmap_roadmapitem i LEFT JOIN roadmap_triage t ON t.item_id = i.id"
    " LEFT JOIN roadmap_review r ON r.item_id = i.id"
)
PICKS = [("primary", "roadmap_triageprimarybeneficiary", "persona_id"),
         ("indirect", "roadmap_triageindirectbeneficiary", "persona_id"),
         ("metric", "roadmap_triagemetric", "metric_id")]
# Each table a tally is made of, and the item a row of it belongs to ({row}: OLD or NEW).
SOURCES = {
    "roadmap_roadmapitem": "{row}.id",
    "roadmap_triage": "{row}.item_id",
    "roadmap_review": "{row}.item_id",
    **{table: "(SELECT item_id FROM roadmap_triage WHERE id = {row}.triage_id)"
       for _, table, _ in PICKS},
}
# The columns of each of them that the statements below read (a test compares): an update
# that changes none of them leaves every tally as it was, so it does not retally.
READS = {
    "roadmap_roadmapitem": ("id", "product_id", "owner_id", "status", "horizon", "effort"),
    "roadmap_triage": ("id", "item_id", "beneficiary_class", "value_for_other_side",
                       "customer_value", "user_value"),
    "roadmap_review": ("item_id", "verdict"),
    **{table: ("triage_id", column) for _, table, column in PICKS},
}


def pick_rows(relation, table, column):
    return (f"SELECT i.id, '{relation}', p.{column}, i.product_id, i.owner_id, i.status,"
            f" i.horizon FROM {table} p JOIN roadmap_triage t ON t.id = p.triage_id"
            f" JOIN roadmap_roadmapitem i ON i.id = t.item_id")


def retally_statements(items=None):
    """The statements that count the tallies of the items `items` (SQL naming their ids)
    again, or of every item."""
    where = f" WHERE item_id IN ({items})" if items else ""
    only = f" WHERE i.id IN ({items})" if items else ""
    return [
        f"DELETE FROM roadmap_itemtally{where}",
        f"DELETE FROM roadmap_picktally{where}",
        f"INSERT INTO roadmap_itemtally ({ITEM_COLUMNS}) {ITEM_ROWS}{only}",
        *(f"INSERT INTO roadmap_picktally ({PICK_COLUMNS}) {pick_rows(*pick)}{only}"
          for pick in PICKS),
    ]


def postgresql_functions():
    statements = [
        "CREATE OR REPLACE FUNCTION roadmap_retally(retallied bigint) RETURNS void AS $$"
        " BEGIN " + " ".join(s + ";" for s in retally_statements("retallied")) +
        " END $$ LANGUAGE plpgsql",
    ]
    for table, item in SOURCES.items():
        old, new = item.format(row="OLD"), item.format(row="NEW")
        statements.append(
            f"CREATE OR REPLACE FUNCTION {table}_retally() RETURNS trigger AS $$ BEGIN"
            f" IF TG_OP <> 'INSERT' THEN PERFORM roadmap_retally({old}); END IF;"
            f" IF TG_OP = 'INSERT' OR (TG_OP = 'UPDATE' AND {old} IS DISTINCT FROM {new})"
            f" THEN PERFORM roadmap_retally({new}); END IF;"
            f" RETURN NULL; END $$ LANGUAGE plpgsql")
    return statements


def triggers(vendor, update_of=READS):
    """Each trigger that keeps the tallies, as (name, table, the SQL that creates it).

    An update retallies when it changes one of `update_of[table]`'s columns: an UPDATE OF
    trigger (skips a statement that sets none of them, as a version bump) with a WHEN (skips
    a save() that sets them all, unchanged). With `update_of=None` every update retallies,
    as migration 0020 installed them."""
    created = []
    for table, item in SOURCES.items():
        update, when = "UPDATE", ""
        if update_of:
            update += f" OF {', '.join(update_of[table])}"
            differs = "IS DISTINCT FROM" if vendor == "postgresql" else "IS NOT"
            when = " WHEN (" + " OR ".join(f"OLD.{column} {differs} NEW.{column}"
                                          for column in update_of[table]) + ")"
        if vendor == "postgresql":
            events = [("", "INSERT OR DELETE", ""), ("_update", update, when)
                      ] if update_of else [("", "INSERT OR UPDATE OR DELETE", "")]
            created += [(f"{table}_retally{suffix}", table,
                         f"AFTER {event} ON {table} FOR EACH ROW{guard}"
                         f" EXECUTE FUNCTION {table}_retally()")
                        for suffix, event, guard in events]
            continue
        old, new = item.format(row="OLD"), item.format(row="NEW")
        for operation, event, guard, items in [("insert", "INSERT", "", new),
                                               ("update", update, when, f"{old}, {new}"),
                                               ("delete", "DELETE", "", old)]:
            body = " ".join(s + ";" for s in retally_statements(items))
            created.append((f"{table}_retally_{operation}", table,
                            f"AFTER {event} ON {table} FOR EACH ROW{guard} BEGIN {body} END"))
    return [(name, table, f"CREATE TRIGGER {name} {how}") for name, table, how in created]


def drop_trigger(vendor, name, table):
    return f"DROP TRIGGER IF EXISTS {name}" + (f" ON {table}" if vendor == "postgresql" else "")


def install(schema_editor, update_of=READS):
    """Create the triggers (the migration that adds the tallies), then count them all."""
    vendor = schema_editor.connection.vendor
    for statement in [*(postgresql_functions() if vendor == "postgresql" else []),
                      *(create for _, _, create in triggers(vendor, update_of)),
                      *retally_statements()]:
        schema_editor.execute(statement, params=None)


def uninstall(schema_editor, update_of=READS):
    vendor = schema_editor.connection.vendor
    statements = [drop_trigger(vendor, name, table)
                  for name, table, _ in triggers(vendor, update_of)]
    if vendor == "postgresql":
        statements += [*(f"DROP FUNCTION IF EXISTS {table}_retally()" for table in SOURCES),
                       "DROP FUNCTION IF EXISTS roadmap_retally(bigint)"]
    for statement in statements:
        schema_editor.execute(statement, params=None)


def replace_triggers(schema_editor, update_of, then):
    """Replace the triggers installed with `update_of` by those with `then` (a migration
    that changes what an update must change). The tallies stay right: both count alike."""
    vendor = schema_editor.connection.vendor
    for name, table, _ in triggers(vendor, update_of):
        schema_editor.execute(drop_trigger(vendor, name, table), params=None)
    for _, _, create in triggers(vendor, then):
        schema_editor.execute(create, params=None)


def rebuild():
    """Count every item's tallies again from scratch, in one transaction."""
    with transaction.atomic(), connection.cursor() as cursor:
        for statement in retally_statements():
            cursor.execute(statement)
