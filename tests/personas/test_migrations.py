"""Migrations that change personas leave the rows already there as they were."""

from django.db import connection
from django.db.migrations.executor import MigrationExecutor

# Before "pays and uses" (0002) and the archetype rows (0003, 0004).
BEFORE = [("personas", "0001_initial")]


def migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


def test_pays_and_uses_and_the_archetype_rows_leave_existing_personas_unchanged(
        transactional_db):
    latest = MigrationExecutor(connection).loader.graph.leaf_nodes()  # every app's last
    old = migrate(BEFORE).get_model("personas", "Persona")
    old.objects.create(name="Economic buyer", slug="economic-buyer", side="customer",
                       archetype="buyer", concerns="Cost.")
    old.objects.create(name="Field employee", slug="field-employee", side="user",
                       archetype="end_user")
    rows = sorted(old.objects.values_list("pk", "name", "side", "archetype", "concerns"))
    new = migrate(latest).get_model("personas", "Persona")  # the others stay as they were
    assert sorted(new.objects.values_list("pk", "name", "side", "archetype", "concerns")) == rows
