"""`manage.py import_backlog`: the import engine for scripts."""

from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from roadmap.models import RoadmapItem
from tests.factories import make_product

FILES = Path(__file__).parent / "files"


@pytest.fixture
def expenses(db):
    return make_product(name="Expenses")


def run(capsys, *args):
    code = 0
    try:
        call_command("import_backlog", *args)
    except SystemExit as stop:
        code = stop.code
    out, err = capsys.readouterr()
    return code, out, err


def test_it_imports_and_prints_one_summary_line(expenses, capsys, tmp_path):
    path = tmp_path / "backlog.csv"
    path.write_bytes(b"Title,Key,Effort\nDark mode,D-1,2\nOffline,D-2,13\n")
    code, out, _ = run(capsys, str(path), "--product", "expenses")
    assert (code, out) == (0, "2 new, 0 updated, 0 unchanged, 0 errors\n")
    assert RoadmapItem.objects.filter(product=expenses).count() == 2
    code, out, _ = run(capsys, str(path), "--product", "Expenses")
    assert out == "0 new, 0 updated, 2 unchanged, 0 errors\n"


def test_errors_print_line_column_message_exit_1_and_write_nothing(expenses, capsys, tmp_path):
    path = tmp_path / "backlog.csv"
    path.write_bytes(b"Title,Status,Effort\nGood,Idea,3\nBad,Ready for QA,lots\n")
    code, out, err = run(capsys, str(path), "--product", "Expenses")
    assert code == 1
    assert out.splitlines() == [
        "line 3: Status: Status \u201cReady for QA\u201d is not mapped to a status of the app.",
        "line 3: Effort: Effort \u201clots\u201d is not a number of points.",
        "1 new, 0 updated, 0 unchanged, 1 errors",
    ]
    assert "Nothing was written" in err
    assert not RoadmapItem.objects.exists()


def test_skip_errors_imports_the_valid_rows(expenses, capsys, tmp_path):
    path = tmp_path / "backlog.csv"
    path.write_bytes(b"Title,Effort\nGood,3\nBad,lots\n")
    code, _, _ = run(capsys, str(path), "--product", "Expenses", "--skip-errors")
    assert code == 0
    assert list(RoadmapItem.objects.values_list("title", flat=True)) == ["Good"]


def test_dry_run_writes_nothing_and_still_exits_1_on_errors(expenses, capsys):
    code, out, err = run(capsys, str(FILES / "linear.csv"), "--product", "Expenses", "--dry-run")
    assert code == 1  # the assignees are no one here
    assert out.splitlines()[-1] == "2 new, 0 updated, 0 unchanged, 3 errors"
    assert "line 2: Assignee: No one here is called \u201cpriya.menon@example.com\u201d" in out
    assert "Linear file" in err
    assert "Dry run: nothing was written." in err
    assert not RoadmapItem.objects.exists()


def test_format_overrides_the_detected_source(expenses, capsys, tmp_path):
    path = tmp_path / "looks-like-jira.csv"
    path.write_bytes(b"Summary,Issue key,Status\nDark mode,K-1,Idea\n")
    run(capsys, str(path), "--product", "Expenses")
    run(capsys, str(path), "--product", "Expenses", "--format", "spreadsheet")
    assert sorted(RoadmapItem.objects.values_list("external_source", "external_key")) == [
        ("jira", "K-1"), ("spreadsheet", "K-1")]


def test_an_unknown_product_or_a_bad_file_is_a_clear_error(expenses, tmp_path):
    with pytest.raises(CommandError, match=r"No product is called 'Nope'\. Products: Expenses\."):
        call_command("import_backlog", str(FILES / "linear.csv"), "--product", "Nope")
    empty = tmp_path / "empty.csv"
    empty.write_bytes(b"")
    with pytest.raises(CommandError, match=r"The file is empty\."):
        call_command("import_backlog", str(empty), "--product", "Expenses")
