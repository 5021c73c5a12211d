from django.db import migrations

# Indexes the dashboard's lists and plan against reality walk (docs/benchmarks.md, "The
# dashboard after a write: lists that stop at ten"). Hand-written, as 0022's: two are on
# simple-history's tables, whose models Meta does not reach, and the challenges' order puts
# NULLs last, words SQLite's CREATE INDEX refuses (its DESC puts them last already).
INDEXES = {
    # Challenges, answered first (RoadmapItemQuerySet.challenges_answered_first): the
    # first ten walk this and stop.
    "roadmap_review_challenges": "roadmap_review (answered_at DESC{nulls}, reviewed_at DESC)"
                                 " WHERE verdict = 'challenged'",
    # What shipped per quarter (roadmap/reality.py): each item's latest shipped date on
    # record, read from the index alone, and whether a record removed it.
    "roadmap_historicalroadmapitem_shipped": "roadmap_historicalroadmapitem (id,"
                                             " history_date, history_id, shipped_on)"
                                             " WHERE shipped_on IS NOT NULL",
    "roadmap_historicalroadmapitem_removed": "roadmap_historicalroadmapitem (id)"
                                             " WHERE history_type = '-'",
    # The class an item's triage had then: its latest triage record before a moment.
    "roadmap_historicaltriage_latest": "roadmap_historicaltriage (item_id, history_date,"
                                       " history_id, history_type, beneficiary_class)",
}


def create(apps, schema_editor):
    nulls = " NULLS LAST" if schema_editor.connection.vendor == "postgresql" else ""
    for name, on in INDEXES.items():
        schema_editor.execute(f"CREATE INDEX {name} ON {on.format(nulls=nulls)}")


def drop(apps, schema_editor):
    for name in INDEXES:
        schema_editor.execute(f"DROP INDEX {name}")


class Migration(migrations.Migration):

    dependencies = [
        ('roadmap', '0023_shipped_by_owner_index'),
    ]

    operations = [
        migrations.RunPython(create, drop),
    ]
