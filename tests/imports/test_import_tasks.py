"""The import's steps run in the real task worker, through the database queue."""

from datetime import timedelta
from pathlib import Path

from django.tasks import TaskResultStatus
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from imports.models import BacklogImport
from roadmap.models import RoadmapItem
from tests.factories import make_product

JIRA = (Path(__file__).parent / "files" / "jira_current_fields.csv").read_bytes()


def fresh(backlog_import):
    backlog_import.refresh_from_db()
    return backlog_import


def test_reading_previewing_and_importing_run_in_the_worker(run_tasks, pm):
    product = make_product(name="Platform")
    started = BacklogImport.start(data=JIRA, file_name="jira.csv", product=product,
                                  created_by=pm)
    started.queue_reading()
    assert fresh(started).status == "reading"
    run_tasks()
    assert fresh(started).status == "mapping"
    assert started.source == "jira"
    started.mapping["unknown_owner"] = "unassigned"
    started.save()
    started.queue(BacklogImport.State.PREVIEWING)
    run_tasks()
    assert (fresh(started).status, started.new_count) == ("previewed", 3)
    assert not RoadmapItem.objects.exists()
    assert started.confirm(skip_errors=False, create_products=False) == ""
    run_tasks()
    assert fresh(started).status == "imported"
    assert RoadmapItem.objects.filter(product=product).count() == 3
    assert all(task.status == TaskResultStatus.SUCCESSFUL
               for task in DBTaskResult.objects.filter(task_path__endswith="run_step"))


def test_an_unreadable_file_fails_the_step_with_its_message(run_tasks, pm):
    started = BacklogImport.start(data=b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4,
                                  file_name="logo.csv", product=make_product(), created_by=pm)
    started.queue_reading()
    run_tasks()
    assert fresh(started).status == "failed"
    assert "binary data" in started.error


def test_a_step_queued_before_a_newer_one_changes_nothing(run_tasks, pm):
    started = BacklogImport.start(data=JIRA, file_name="jira.csv", product=make_product(),
                                  created_by=pm)
    started.queue(BacklogImport.State.READING)
    started.queue(BacklogImport.State.READING)  # e.g. the PM chose another encoding
    run_tasks()
    assert fresh(started).status == "mapping"
    assert started.attempt == 2


def test_an_import_never_imported_is_abandoned_after_a_day_and_its_file_removed(run_tasks, pm):
    started = BacklogImport.start(data=JIRA, file_name="jira.csv", product=make_product(),
                                  created_by=pm)
    started.queue_reading()
    run_tasks()
    assert fresh(started).content is not None
    removal = DBTaskResult.objects.get(task_path__endswith="abandon_unfinished")
    assert removal.run_after > timezone.now() + timedelta(hours=23)
    DBTaskResult.objects.filter(pk=removal.pk).update(run_after=timezone.now())  # a day later
    run_tasks()
    assert (fresh(started).status, started.content) == ("abandoned", None)
