"""Product managers and admins import backlogs; admins also see everyone's imports.

Team leads get no import permission: they read the roadmap, they do not fill it.
"""

from django.db import migrations

from whobenefits import role_grants

GRANTS = {
    "Product manager": ["run_import"],
    "Admin": ["run_import", "view_all_imports"],
}


def grant(apps, schema_editor):
    role_grants.grant(apps, "imports", GRANTS)


def revoke(apps, schema_editor):
    role_grants.revoke(apps, "imports", GRANTS)


class Migration(migrations.Migration):
    dependencies = [
        ("imports", "0001_initial"),
        ("roadmap", "0002_roles"),
    ]
    operations = [migrations.RunPython(grant, revoke)]
