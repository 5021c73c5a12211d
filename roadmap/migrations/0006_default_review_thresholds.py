"""Create the one row of review thresholds with its defaults, so admins edit rather than add.

The history record is written here too: migrations use historical models, which
django-simple-history does not watch, and the audit trail starts with this row.
"""

from django.db import migrations
from django.utils import timezone


def create_thresholds(apps, schema_editor):
    ReviewThresholds = apps.get_model("roadmap", "ReviewThresholds")
    HistoricalReviewThresholds = apps.get_model("roadmap", "HistoricalReviewThresholds")
    if ReviewThresholds.objects.exists():
        return
    thresholds = ReviewThresholds.objects.create()
    HistoricalReviewThresholds.objects.create(
        id=thresholds.pk, buyers_only_share=thresholds.buyers_only_share,
        users_only_share=thresholds.users_only_share, scope=thresholds.scope,
        history_date=timezone.now(), history_type="+",
        history_change_reason="Installed with the default thresholds",
    )


class Migration(migrations.Migration):
    dependencies = [("roadmap", "0005_admins_unlock_logins")]
    operations = [migrations.RunPython(create_thresholds, migrations.RunPython.noop)]
