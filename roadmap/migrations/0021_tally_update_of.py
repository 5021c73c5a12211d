from django.db import migrations

from roadmap import tally


def only_tallied_columns(apps, schema_editor):
    tally.replace_triggers(schema_editor, None, tally.READS)


def every_update(apps, schema_editor):
    tally.replace_triggers(schema_editor, tally.READS, None)


class Migration(migrations.Migration):

    dependencies = [
        ('roadmap', '0020_dashboard_tallies'),
    ]

    operations = [
        # An update retallies only when it changes a column the tallies read.
        migrations.RunPython(only_tallied_columns, every_update),
    ]
