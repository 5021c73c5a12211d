"""The dashboard's counts kept up to date by the database itself, in the transaction of the
write that changes them.

Each roadmap item has one row in roadmap_itemtally (its product, owner, status, horizon,
class, effort, values, whether it lacks the other side's value and whether it is
challenged) and one row in roadmap_picktally per persona or metric its triage picks, with
the same product, owner, status and horizon. The class mix, the value map and persona reach
then scan one narrow table each instead of joining the items to their triages, reviews and
picks (ItemTally, PickTally in roadmap/models.py).

Triggers on the six tables the rows come from retally an item whenever a row of it is
inserted, updated or deleted: a form, QuerySet.update(), bulk_create() in an import, the
admin, a raw statement alike, so no write path can leave them stale. `rebuild()` (the
`retally` management command) counts them all again from scratch.
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


def postgresql_triggers():
    statements = [
        "CREATE OR REPLACE FUNCTION roadmap_retally(retallied bigint) RETURNS void AS $$"
        " BEGIN " + " ".join(s + ";" for s in retally_statements("retallied")) +
        " END $$ LANGUAGE plpgsql",
    ]
    for table, item in SOURCES.items():
        old, new = item.format(row="OLD"), item.format(row="NEW")
        statements += [
            f"CREATE OR REPLACE FUNCTION {table}_retally() RETURNS trigger AS $$ BEGIN"
            f" IF TG_OP <> 'INSERT' THEN PERFORM roadmap_retally({old}); END IF;"
            f" IF TG_OP = 'INSERT' OR (TG_OP = 'UPDATE' AND {old} IS DISTINCT FROM {new})"
            f" THEN PERFORM roadmap_retally({new}); END IF;"
            f" RETURN NULL; END $$ LANGUAGE plpgsql",
            f"CREATE TRIGGER {table}_retally AFTER INSERT OR UPDATE OR DELETE ON {table}"
            f" FOR EACH ROW EXECUTE FUNCTION {table}_retally()",
        ]
    return statements


def sqlite_triggers():
    statements = []
    for table, item in SOURCES.items():
        old, new = item.format(row="OLD"), item.format(row="NEW")
        for operation, items in [("INSERT", new), ("UPDATE", f"{old}, {new}"), ("DELETE", old)]:
            body = " ".join(s + ";" for s in retally_statements(items))
            statements.append(f"CREATE TRIGGER {table}_retally_{operation.lower()} AFTER"
                              f" {operation} ON {table} FOR EACH ROW BEGIN {body} END")
    return statements


def drop_triggers_statements(vendor):
    if vendor == "postgresql":
        return [*(f"DROP TRIGGER IF EXISTS {table}_retally ON {table}" for table in SOURCES),
                *(f"DROP FUNCTION IF EXISTS {table}_retally()" for table in SOURCES),
                "DROP FUNCTION IF EXISTS roadmap_retally(bigint)"]
    return [f"DROP TRIGGER IF EXISTS {table}_retally_{operation}" for table in SOURCES
            for operation in ["insert", "update", "delete"]]


def install(schema_editor):
    """Create the triggers (the migration that adds the tallies), then count them all."""
    vendor = schema_editor.connection.vendor
    for statement in postgresql_triggers() if vendor == "postgresql" else sqlite_triggers():
        schema_editor.execute(statement, params=None)
    for statement in retally_statements():
        schema_editor.execute(statement, params=None)


def uninstall(schema_editor):
    for statement in drop_triggers_statements(schema_editor.connection.vendor):
        schema_editor.execute(statement, params=None)


def rebuild():
    """Count every item's tallies again from scratch, in one transaction."""
    with transaction.atomic(), connection.cursor() as cursor:
        for statement in retally_statements():
            cursor.execute(statement)
