"""Everyone with a role reads the archetypes; admins add their own, edit and delete them."""

from django.db import migrations

from whobenefits import role_grants

GRANTS = {
    "Product manager": ["view_archetype"],
    "Team lead": ["view_archetype"],
    "Admin": ["view_archetype", "add_archetype", "change_archetype", "delete_archetype"],
}


def grant(apps, schema_editor):
    role_grants.grant(apps, "personas", GRANTS)


def revoke(apps, schema_editor):
    role_grants.revoke(apps, "personas", GRANTS, codename__endswith="_archetype")


class Migration(migrations.Migration):
    # The roles are roadmap's groups (roadmap 0002): the one place personas waits for roadmap,
    # so that a new roadmap migration of someone else's never meets this one as a second leaf.
    dependencies = [
        ("personas", "0004_persona_archetype_rows"),
        ("roadmap", "0002_roles"),
    ]
    operations = [migrations.RunPython(grant, revoke)]
