"""Everyone with a role makes and revokes their own API tokens; admins see and revoke all."""

from django.db import migrations

from whobenefits import role_grants

GRANTS = {
    "Product manager": ["add_apitoken"],
    "Team lead": ["add_apitoken"],
    "Admin": ["add_apitoken", "view_apitoken", "change_apitoken"],
}


def grant(apps, schema_editor):
    role_grants.grant(apps, "tokens", GRANTS)


def revoke(apps, schema_editor):
    role_grants.revoke(apps, "tokens", GRANTS)


class Migration(migrations.Migration):
    dependencies = [
        ("tokens", "0001_initial"),
        ("roadmap", "0002_roles"),
    ]
    operations = [migrations.RunPython(grant, revoke)]
