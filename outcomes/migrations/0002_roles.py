"""Who records the product's metric readings: admins (in the admin, on the readings page,
by the API and a CSV); everyone with a role reads them."""

from django.db import migrations

from whobenefits import role_grants

GRANTS = {
    "Product manager": ["view_metricreading"],
    "Team lead": ["view_metricreading"],
    "Admin": ["view_metricreading", "add_metricreading", "change_metricreading",
              "delete_metricreading"],
}


def grant(apps, schema_editor, grants=GRANTS):
    role_grants.grant(apps, "outcomes", grants)


def revoke(apps, schema_editor):
    role_grants.revoke(apps, "outcomes", GRANTS)


class Migration(migrations.Migration):
    dependencies = [
        ("outcomes", "0001_initial"),
        ("roadmap", "0002_roles"),
    ]
    operations = [migrations.RunPython(grant, revoke)]
