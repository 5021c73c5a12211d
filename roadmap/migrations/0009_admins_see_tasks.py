"""Admins read the task queue (django-tasks-db's admin): what ran, what failed and why.

The queue is the worker's: no one adds, changes or deletes its rows by hand.
"""

from django.contrib.auth.management import create_permissions
from django.db import migrations


def grant(apps, schema_editor):
    tasks_app = apps.get_app_config("django_tasks_database")
    models_module = getattr(tasks_app, "models_module", None)
    tasks_app.models_module = True
    create_permissions(tasks_app, apps=apps, verbosity=0)
    tasks_app.models_module = models_module
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    Group.objects.get(name="Admin").permissions.add(Permission.objects.get(
        content_type__app_label="django_tasks_database", codename="view_dbtaskresult"))


def revoke(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    admin = Group.objects.filter(name="Admin").first()
    if admin:
        admin.permissions.remove(*Permission.objects.filter(
            content_type__app_label="django_tasks_database", codename="view_dbtaskresult"))


class Migration(migrations.Migration):
    dependencies = [
        ("roadmap", "0008_customers_only_share"),
        ("django_tasks_database", "0021_conditional_partial_index_ordering"),
    ]
    operations = [migrations.RunPython(grant, revoke)]
