"""The import's long steps, run by the task worker (`manage.py db_worker`)."""

from django.tasks import task

from .models import BacklogImport


@task()
def run_step(import_id, attempt):
    """Read, preview, import or undo: whichever step the import was queued for."""
    backlog_import = BacklogImport.objects.filter(pk=import_id).first()
    if backlog_import is not None:
        backlog_import.run_step(attempt)


@task()
def abandon_unfinished(import_id):
    """A day after the upload: an import never imported is abandoned and its file removed."""
    backlog_import = BacklogImport.objects.filter(pk=import_id).defer("content").first()
    if backlog_import is not None:
        backlog_import.abandon()
