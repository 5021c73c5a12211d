"""Create the one row of review thresholds with its defaults, so admins edit rather than add."""

from django.db import migrations


def create_thresholds(apps, schema_editor):
    ReviewThresholds = apps.get_model("roadmap", "ReviewThresholds")
    if not ReviewThresholds.objects.exists():
        ReviewThresholds.objects.create()


class Migration(migrations.Migration):
    dependencies = [("roadmap", "0005_admins_unlock_logins")]
    operations = [migrations.RunPython(create_thresholds, migrations.RunPython.noop)]
