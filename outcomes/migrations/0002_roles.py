"""Who records the product's metric readings: admins (in the admin, on the readings page,
by the API and a CSV); everyone with a role reads them."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

GRANTS = {
    "Product manager": ["view_metricreading"],
    "Team lead": ["view_metricreading"],
    "Admin": ["view_metricreading", "add_metricreading", "change_metricreading",
              "delete_metricreading"],
}


def grant(apps, schema_editor, grants=GRANTS):
    outcomes = apps.get_app_config("outcomes")
    models_module = getattr(outcomes, "models_module", None)
    outcomes.models_module = True
    create_permissions(outcomes, apps=apps, verbosity=0)
    outcomes.models_module = models_module
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for role, codenames in grants.items():
        Group.objects.get(name=role).permissions.add(*Permission.objects.filter(
            content_type__app_label="outcomes", codename__in=codenames))


def revoke(apps, schema_editor):
    Permission = apps.get_model("auth", "Permission")
    for group in apps.get_model("auth", "Group").objects.filter(name__in=GRANTS):
        group.permissions.remove(*Permission.objects.filter(content_type__app_label="outcomes"))


class Migration(migrations.Migration):
    dependencies = [
        ("outcomes", "0001_initial"),
        ("roadmap", "0002_roles"),
    ]
    operations = [migrations.RunPython(grant, revoke)]
