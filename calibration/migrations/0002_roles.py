"""Who runs calibration rounds and who takes part.

Everyone with a role opens the calibration pages (a product manager only the rounds they
take part in); team leads and admins start, close and settle rounds; admins set the target
agreement in the admin.
"""

from django.db import migrations

from whobenefits import role_grants

GRANTS = {
    "Product manager": ["view_round"],
    "Team lead": ["view_round", "run_round"],
    "Admin": ["view_round", "run_round", "view_agreementtarget", "change_agreementtarget"],
}


def grant(apps, schema_editor):
    role_grants.grant(apps, "calibration", GRANTS)


def revoke(apps, schema_editor):
    role_grants.revoke(apps, "calibration", GRANTS)


class Migration(migrations.Migration):
    dependencies = [
        ("calibration", "0001_initial"),
        ("roadmap", "0002_roles"),
    ]
    operations = [migrations.RunPython(grant, revoke)]
