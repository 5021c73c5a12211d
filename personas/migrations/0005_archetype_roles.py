"""Everyone with a role reads the archetypes; admins add their own, edit and delete them."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

GRANTS = {
    "Product manager": ["view_archetype"],
    "Team lead": ["view_archetype"],
    "Admin": ["view_archetype", "add_archetype", "change_archetype", "delete_archetype"],
}


def grant(apps, schema_editor):
    personas = apps.get_app_config("personas")
    models_module = getattr(personas, "models_module", None)
    personas.models_module = True
    create_permissions(personas, apps=apps, verbosity=0)
    personas.models_module = models_module
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for role, codenames in GRANTS.items():
        Group.objects.get(name=role).permissions.add(*Permission.objects.filter(
            content_type__app_label="personas", codename__in=codenames))


def revoke(apps, schema_editor):
    Permission = apps.get_model("auth", "Permission")
    for group in apps.get_model("auth", "Group").objects.filter(name__in=GRANTS):
        group.permissions.remove(*Permission.objects.filter(
            content_type__app_label="personas", codename__endswith="_archetype"))


class Migration(migrations.Migration):
    # The roles are roadmap's groups (roadmap 0002): the one place personas waits for roadmap,
    # so that a new roadmap migration of someone else's never meets this one as a second leaf.
    dependencies = [
        ("personas", "0004_persona_archetype_rows"),
        ("roadmap", "0002_roles"),
    ]
    operations = [migrations.RunPython(grant, revoke)]
