"""Product managers and admins import backlogs; admins also see everyone's imports.

Team leads get no import permission: they read the roadmap, they do not fill it.
"""

from django.contrib.auth.management import create_permissions
from django.db import migrations

GRANTS = {
    "Product manager": ["run_import"],
    "Admin": ["run_import", "view_all_imports"],
}


def grant(apps, schema_editor):
    imports = apps.get_app_config("imports")
    models_module = getattr(imports, "models_module", None)
    imports.models_module = True
    create_permissions(imports, apps=apps, verbosity=0)
    imports.models_module = models_module
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for role, codenames in GRANTS.items():
        Group.objects.get(name=role).permissions.add(*Permission.objects.filter(
            content_type__app_label="imports", codename__in=codenames))


def revoke(apps, schema_editor):
    Permission = apps.get_model("auth", "Permission")
    for group in apps.get_model("auth", "Group").objects.filter(name__in=GRANTS):
        group.permissions.remove(*Permission.objects.filter(content_type__app_label="imports"))


class Migration(migrations.Migration):
    dependencies = [
        ("imports", "0001_initial"),
        ("roadmap", "0002_roles"),
    ]
    operations = [migrations.RunPython(grant, revoke)]
