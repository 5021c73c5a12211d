"""Who records evidence and who curates companies.

Product managers and team leads record, edit and link evidence; everyone with a role reads
it and the companies. Admins also curate companies (and correct notes) in the admin. No one
deletes a note: evidence is never lost.
"""

from django.db import migrations

from whobenefits import role_grants

RECORD = ["view_evidence", "add_evidence", "change_evidence", "view_company"]
GRANTS = {
    "Product manager": RECORD,
    "Team lead": RECORD,
    "Admin": [*RECORD, "add_company", "change_company"],
}


def grant(apps, schema_editor):
    role_grants.grant(apps, "evidence", GRANTS)


def revoke(apps, schema_editor):
    role_grants.revoke(apps, "evidence", GRANTS)


class Migration(migrations.Migration):
    dependencies = [
        ("evidence", "0001_initial"),
        ("roadmap", "0002_roles"),
    ]
    operations = [migrations.RunPython(grant, revoke)]
