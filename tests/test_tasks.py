"""Background tasks run through the real database queue and worker, as in production."""

from django.tasks import TaskResultStatus, task


@task()
def add(a, b):
    return a + b


@task()
def fail():
    raise ValueError("Nothing to do.")


def test_a_queued_task_waits_for_the_worker_then_runs_in_it(run_tasks):
    result = add.enqueue(20, 22)
    assert result.status == TaskResultStatus.READY
    run_tasks()
    result.refresh()
    assert result.status == TaskResultStatus.SUCCESSFUL
    assert result.return_value == 42


def test_a_failing_task_is_recorded_as_failed_with_its_error(run_tasks):
    result = fail.enqueue()
    run_tasks()
    result.refresh()
    assert result.status == TaskResultStatus.FAILED
    assert result.errors[0].exception_class_path == "builtins.ValueError"
    assert "Nothing to do." in result.errors[0].traceback
