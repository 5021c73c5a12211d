from django.db import migrations

# The value map's largest items per cell (roadmap.balance.ValueMap), in the order it asks
# for: effort descending with the unestimated last. SQLite's DESC puts NULLs last already
# and its CREATE INDEX refuses the words, so they are PostgreSQL's alone (a model Index
# would write them for both).
INDEX = ("CREATE INDEX roadmap_itemtally_cell_effort ON roadmap_itemtally"
         " (customer_value, user_value, effort DESC{nulls}, item_id)")


def create(apps, schema_editor):
    nulls = " NULLS LAST" if schema_editor.connection.vendor == "postgresql" else ""
    schema_editor.execute(INDEX.format(nulls=nulls))


def drop(apps, schema_editor):
    schema_editor.execute("DROP INDEX roadmap_itemtally_cell_effort")


class Migration(migrations.Migration):

    dependencies = [
        ('roadmap', '0021_tally_update_of'),
    ]

    operations = [
        migrations.RunPython(create, drop),
    ]
