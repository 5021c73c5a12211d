"""Admins see failed logins and lift lockouts (django-axes' admin), and read the audit trail.

Deleting an access attempt is how an admin unlocks a person who mistyped their password;
the access and failure logs stay read-only.
"""

from django.contrib.auth.management import create_permissions
from django.db import migrations

ADMIN_EXTRA = [
    "axes.view_accessattempt", "axes.delete_accessattempt",
    "axes.view_accessfailurelog", "axes.view_accesslog",
]


def grant(apps, schema_editor):
    for app_config in apps.get_app_configs():
        models_module = getattr(app_config, "models_module", None)
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = models_module
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    admin = Group.objects.get(name="Admin")
    for name in ADMIN_EXTRA:
        app_label, codename = name.split(".")
        admin.permissions.add(
            Permission.objects.get(content_type__app_label=app_label, codename=codename)
        )


def revoke(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    admin = Group.objects.filter(name="Admin").first()
    if admin:
        for name in ADMIN_EXTRA:
            app_label, codename = name.split(".")
            admin.permissions.remove(*Permission.objects.filter(
                content_type__app_label=app_label, codename=codename))


class Migration(migrations.Migration):
    dependencies = [
        ("roadmap", "0004_person_history"),
        ("axes", "0010_accessattemptexpiration"),
    ]
    operations = [migrations.RunPython(grant, revoke)]
