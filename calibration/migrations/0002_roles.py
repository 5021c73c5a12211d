"""Who runs calibration rounds and who takes part.

Everyone with a role opens the calibration pages (a product manager only the rounds they
take part in); team leads and admins start, close and settle rounds; admins set the target
agreement in the admin.
"""

from django.contrib.auth.management import create_permissions
from django.db import migrations

GRANTS = {
    "Product manager": ["view_round"],
    "Team lead": ["view_round", "run_round"],
    "Admin": ["view_round", "run_round", "view_agreementtarget", "change_agreementtarget"],
}


def grant(apps, schema_editor):
    calibration = apps.get_app_config("calibration")
    models_module = getattr(calibration, "models_module", None)
    calibration.models_module = True
    create_permissions(calibration, apps=apps, verbosity=0)
    calibration.models_module = models_module
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for role, codenames in GRANTS.items():
        Group.objects.get(name=role).permissions.add(*Permission.objects.filter(
            content_type__app_label="calibration", codename__in=codenames))


def revoke(apps, schema_editor):
    Permission = apps.get_model("auth", "Permission")
    for group in apps.get_model("auth", "Group").objects.filter(name__in=GRANTS):
        group.permissions.remove(*Permission.objects.filter(
            content_type__app_label="calibration"))


class Migration(migrations.Migration):
    dependencies = [
        ("calibration", "0001_initial"),
        ("roadmap", "0002_roles"),
    ]
    operations = [migrations.RunPython(grant, revoke)]
