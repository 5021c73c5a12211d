"""Who records evidence and who curates companies.

Product managers and team leads record, edit and link evidence; everyone with a role reads
it and the companies. Admins also curate companies (and correct notes) in the admin. No one
deletes a note: evidence is never lost.
"""

from django.contrib.auth.management import create_permissions
from django.db import migrations

RECORD = ["view_evidence", "add_evidence", "change_evidence", "view_company"]
GRANTS = {
    "Product manager": RECORD,
    "Team lead": RECORD,
    "Admin": [*RECORD, "add_company", "change_company"],
}


def grant(apps, schema_editor):
    evidence = apps.get_app_config("evidence")
    models_module = getattr(evidence, "models_module", None)
    evidence.models_module = True
    create_permissions(evidence, apps=apps, verbosity=0)
    evidence.models_module = models_module
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for role, codenames in GRANTS.items():
        Group.objects.get(name=role).permissions.add(*Permission.objects.filter(
            content_type__app_label="evidence", codename__in=codenames))


def revoke(apps, schema_editor):
    Permission = apps.get_model("auth", "Permission")
    for group in apps.get_model("auth", "Group").objects.filter(name__in=GRANTS):
        group.permissions.remove(*Permission.objects.filter(content_type__app_label="evidence"))


class Migration(migrations.Migration):
    dependencies = [
        ("evidence", "0001_initial"),
        ("roadmap", "0002_roles"),
    ]
    operations = [migrations.RunPython(grant, revoke)]
