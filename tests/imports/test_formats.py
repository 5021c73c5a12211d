"""Reading backlog files: each tool's layout and quirks, and every bad file's message."""

import codecs
import io
from pathlib import Path

import pytest
from openpyxl import Workbook

from imports.formats import MAX_ROWS, FileProblem, read_table
from imports.sources import detect_source, guess_columns

FILES = Path(__file__).parent / "files"


def read(name, **options):
    return read_table((FILES / name).read_bytes(), **options)


def test_jira_all_fields_keeps_repeated_columns_and_multi_line_cells():
    table = read("jira_all_fields.csv")
    assert table.headers.count("Labels") == 3
    assert table.columns("Sprint") == [19, 20]
    line, cells = table.rows[0]
    assert line == 2
    assert cells[table.headers.index("Description")] == (
        'Customers ask for SAML, "today".\nOkta and Azure AD first, then Google.')
    # The multi-line description pushes the next row down a line: lines are the file's.
    assert [line for line, _ in table.rows] == [2, 4, 5, 8, 9]
    assert cells[table.headers.index("Created")] == "07/Nov/26 10:16 AM"


def test_windows_1252_with_semicolons():
    table = read("spreadsheet_semicolon_cp1252.csv")
    assert (table.encoding, table.delimiter) == ("cp1252", ";")
    assert table.rows[0][1][0] == "Café mode: “dark” theme"
    assert table.rows[1][1][1] == "Typing km; error-prone"


def test_excel_unicode_text_is_utf16_with_tabs():
    table = read("spreadsheet_unicode_text.txt")
    assert (table.encoding, table.delimiter) == ("utf-16", "\t")
    assert table.headers == ["Title", "Status", "Horizon", "Labels"]
    assert table.rows[1][1][0] == "Guided first report 🚀"


def test_a_utf8_byte_order_mark_is_not_part_of_the_first_header():
    table = read("spreadsheet_utf8_bom.csv")
    assert table.headers[0] == "Name"
    assert table.encoding == "utf-8-sig"


def test_github_json_flattens_labels_and_people():
    table = read("github.json")
    assert table.kind == "json"
    cells = dict(zip(table.headers, table.rows[0][1], strict=True))
    assert cells["labels"] == ["enhancement", "compliance"]
    assert cells["author"] == "octocat"
    assert cells["url"] == "https://github.com/acme/expenses/issues/42"


def test_xlsx_reads_the_first_sheet_with_numbers_as_text():
    book = Workbook()
    sheet = book.active
    sheet.append(["Title", "Effort", "Status"])
    sheet.append(["Dark mode", 3, "Idea"])
    sheet.append([None, None, None])
    sheet.append(["Per diem", 2.0, "Planned"])
    stream = io.BytesIO()
    book.save(stream)
    table = read_table(stream.getvalue())
    assert table.kind == "xlsx"
    assert table.rows == [(2, ["Dark mode", "3", "Idea"]), (4, ["Per diem", "2", "Planned"])]


@pytest.mark.parametrize("name, source", [
    ("jira_all_fields.csv", "jira"), ("jira_current_fields.csv", "jira"),
    ("linear.csv", "linear"), ("github.json", "github"), ("productboard.csv", "productboard"),
    ("spreadsheet_semicolon_cp1252.csv", "spreadsheet"),
])
def test_the_source_is_detected_from_the_headers(name, source):
    assert detect_source(read(name).headers) == source


def test_jira_columns_map_by_name_whatever_their_order():
    assert guess_columns(read("jira_current_fields.csv").headers, "jira") == {
        "title": "Summary", "status": "Status", "owner": "Assignee",
        "effort": "Custom field (Story point estimate)", "external_key": "Issue key",
        "labels": "Labels",
    }


def test_an_override_reads_the_file_another_way():
    table = read("spreadsheet_semicolon_cp1252.csv", encoding="latin-1", delimiter=",")
    assert table.headers == ["Title;Description;Status;Effort;Owner;Key"]


PNG = bytes.fromhex("89504e470d0a1a0a0000000d4948445200000001000000010806000000") + bytes(
    range(256)) * 8


@pytest.mark.parametrize("data, message", [
    (b"", "The file is empty."),
    (b"\r\n\r\n", "The file is empty."),
    (codecs.BOM_UTF8, "The file is empty."),
    (b"Title,Status\r\n", "The file has a header row but no rows under it."),
    (PNG, "it looks like binary data"),
    ("Title\nCafé crème\nNaïve ".encode() + b"\xff\xfe\n", "UTF-8 with bytes that are not: byte"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(500), "old Excel .xls"),
    (b"PK\x03\x04" + bytes(100), "not an .xlsx workbook"),
    (b'[{"title": "a"', "not valid JSON"),
    (b'{"a": 1}', "not a list of objects"),
])
def test_a_bad_file_gets_a_clear_message(data, message):
    with pytest.raises(FileProblem, match=message):
        read_table(data)


def test_more_rows_than_the_limit_is_refused_naming_it():
    data = ("Title\n" + "x\n" * (MAX_ROWS + 1)).encode()
    with pytest.raises(FileProblem, match="more than 50,000 rows"):
        read_table(data)


def test_a_file_over_20_mb_is_refused_naming_the_limit():
    with pytest.raises(FileProblem, match="the limit is 20 MB"):
        read_table(b"Title\n" + b"x" * (20 * 1024 * 1024))


def test_a_100000_character_cell_is_read_whole():
    table = read_table(b"Title,Description\nBig," + b"d" * 100_000 + b"\n")
    assert len(table.rows[0][1][1]) == 100_000
