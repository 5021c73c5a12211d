"""Create the one row of the calibration target (80%), so admins edit rather than add.

The history record is written here too: migrations use historical models, which
django-simple-history does not watch, and the audit trail starts with this row.
"""

from django.db import migrations
from django.utils import timezone


def create_target(apps, schema_editor):
    AgreementTarget = apps.get_model("calibration", "AgreementTarget")
    HistoricalAgreementTarget = apps.get_model("calibration", "HistoricalAgreementTarget")
    if AgreementTarget.objects.exists():
        return
    target = AgreementTarget.objects.create()
    HistoricalAgreementTarget.objects.create(
        id=target.pk, share=target.share, history_date=timezone.now(), history_type="+",
        history_change_reason="Installed with the default target")


class Migration(migrations.Migration):
    dependencies = [("calibration", "0002_roles")]
    operations = [migrations.RunPython(create_target, migrations.RunPython.noop)]
