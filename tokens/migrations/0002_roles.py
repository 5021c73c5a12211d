"""Everyone with a role makes and revokes their own API tokens; admins see and revoke all."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

GRANTS = {
    "Product manager": ["add_apitoken"],
    "Team lead": ["add_apitoken"],
    "Admin": ["add_apitoken", "view_apitoken", "change_apitoken"],
}


def grant(apps, schema_editor):
    tokens = apps.get_app_config("tokens")
    models_module = getattr(tokens, "models_module", None)
    tokens.models_module = True
    create_permissions(tokens, apps=apps, verbosity=0)
    tokens.models_module = models_module
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for role, codenames in GRANTS.items():
        Group.objects.get(name=role).permissions.add(*Permission.objects.filter(
            content_type__app_label="tokens", codename__in=codenames))


def revoke(apps, schema_editor):
    Permission = apps.get_model("auth", "Permission")
    for group in apps.get_model("auth", "Group").objects.filter(name__in=GRANTS):
        group.permissions.remove(*Permission.objects.filter(content_type__app_label="tokens"))


class Migration(migrations.Migration):
    dependencies = [
        ("tokens", "0001_initial"),
        ("roadmap", "0002_roles"),
    ]
    operations = [migrations.RunPython(grant, revoke)]
