"""Reading a backlog file into a table: CSV (any delimiter and encoding), .xlsx and JSON.

Nothing here knows about roadmap items: a table is a header and rows of text cells, each
row with the line it starts on, so any import (items, evidence) can map it onto its fields.
"""

import codecs
import csv
import io
import json
import zipfile
from dataclasses import dataclass, field
from datetime import date, datetime

from charset_normalizer import from_bytes

MAX_BYTES = 20 * 1024 * 1024
MAX_ROWS = 50_000
DELIMITERS = {",": "comma", ";": "semicolon", "\t": "tab"}
# Encodings a PM can choose when the detected one reads the file wrong.
ENCODINGS = {
    "utf-8": "UTF-8", "utf-16": "UTF-16 (Excel \u201cUnicode text\u201d)",
    "cp1252": "Windows-1252 (Western European)", "cp1250": "Windows-1250 (Central European)",
    "latin-1": "ISO-8859-1 (Latin-1)", "mac_roman": "Mac Roman",
}
ZIP_MAGIC = b"PK\x03\x04"
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # the old binary .xls


class FileProblem(Exception):
    """The file cannot be read as a table; the message says why, in a PM's words."""


@dataclass
class Table:
    """A header and rows. A cell is text, or a list of texts where the source holds a list
    (JSON). `line` is where the row starts in the file (the sheet's row for .xlsx, the
    position in the list for JSON), for messages a person can find."""

    headers: list
    rows: list  # [(line, cells)]
    kind: str  # "csv", "xlsx" or "json"
    encoding: str = ""
    delimiter: str = ""
    notes: list = field(default_factory=list)

    def columns(self, name):
        """The indexes of every column with this header (Jira repeats Labels, Sprint...)."""
        return [i for i, header in enumerate(self.headers) if header == name]


def describe_size(size):
    return f"{size / 1024 / 1024:.1f} MB" if size >= 1024 * 1024 else f"{size / 1024:.0f} KB"


def check_size(size):
    if size > MAX_BYTES:
        raise FileProblem(f"The file is {describe_size(size)}; the limit is "
                          f"{MAX_BYTES // 1024 // 1024} MB. Split it, or export fewer columns.")


def read_table(data, *, encoding="", delimiter=""):
    """The table in `data` (bytes). `encoding` and `delimiter` override what is detected.

    Raises FileProblem for anything that is not a readable table with rows.
    """
    check_size(len(data))
    if not data.strip(b" \t\r\n\x00") or data in (codecs.BOM_UTF8, codecs.BOM_UTF16_LE,
                                                  codecs.BOM_UTF16_BE):
        raise FileProblem("The file is empty.")
    if data.startswith(ZIP_MAGIC):
        table = _read_xlsx(data)
    elif data.startswith(OLE_MAGIC):
        raise FileProblem("This is an old Excel .xls workbook: save it as .xlsx or CSV and "
                          "upload that.")
    else:
        encoding = encoding or detect_encoding(data)
        try:
            text = data.decode(encoding)
        except (UnicodeDecodeError, LookupError) as error:
            raise FileProblem(f"The file cannot be read as {ENCODINGS.get(encoding, encoding)}: "
                              f"{_where(data, error)}. Choose another encoding.") from error
        text = text.removeprefix("\ufeff")
        if text.lstrip()[:1] in ("[", "{"):
            table = _read_json(text)
        else:
            table = _read_csv(text, delimiter or detect_delimiter(text))
        table.encoding = encoding
    if not table.headers:
        raise FileProblem("The file is empty.")
    if not table.rows:
        raise FileProblem("The file has a header row but no rows under it.")
    return table


def detect_encoding(data):
    """UTF-8 or UTF-16 when the bytes say so; else charset-normalizer's guess, preferring
    Windows-1252 (what Excel writes in Western Europe) among equally plausible ones."""
    if data.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    try:
        data.decode("utf-8")
    except UnicodeDecodeError as error:
        if _mostly_utf8(data):
            raise FileProblem(f"The file is UTF-8 with bytes that are not: {_where(data, error)}. "
                              "Export it again, or choose the encoding it was saved in.") from error
    else:
        return "utf-8"
    matches = from_bytes(data)
    best = matches.best()
    if best is None:
        raise FileProblem("This file is not text (CSV, tab-separated or JSON) or an .xlsx "
                          "workbook: it looks like binary data, such as an image or a PDF.")
    western = next((m for m in matches if m.encoding == "cp1252"
                    and m.chaos <= best.chaos + 0.05), None)
    return (western or best).encoding


def _mostly_utf8(data):
    """Broken UTF-8 (a few bad bytes among valid multi-byte characters), not another encoding:
    text in Windows-1252 almost never forms valid UTF-8 sequences."""
    decoded = data.decode("utf-8", errors="replace")
    bad = decoded.count("\ufffd")
    wide = sum(1 for char in decoded if ord(char) > 127 and char != "\ufffd")
    return wide > bad


def _where(data, error):
    start = getattr(error, "start", None)
    if start is None:
        return str(error)
    line = data[:start].count(b"\n") + 1
    return f"byte {start + 1} (line {line}) is {data[start:start + 1].hex(' ').upper()}"


def detect_delimiter(text):
    """Comma, semicolon or tab, from the header line (csv.Sniffer over the first lines)."""
    sample = "\n".join(text.splitlines()[:20])
    try:
        return csv.Sniffer().sniff(sample, delimiters="".join(DELIMITERS)).delimiter
    except csv.Error:
        header = text.splitlines()[0] if text else ""
        return max(DELIMITERS, key=header.count)


def _read_csv(text, delimiter):
    if delimiter not in DELIMITERS:
        raise FileProblem("Choose a comma, a semicolon or a tab as the delimiter.")
    csv.field_size_limit(MAX_BYTES)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)

    def records():
        while True:
            line = reader.line_num + 1  # where the record starts: a cell may span lines
            try:
                yield line, next(reader)
            except StopIteration:
                return

    try:
        headers, rows = _header_and_rows(records())
    except csv.Error as error:
        raise FileProblem(
            f"Line {reader.line_num}: the file is not valid CSV ({error}).") from error
    return Table(headers=headers, rows=rows, kind="csv", delimiter=delimiter)


def _header_and_rows(records):
    """The first non-blank record as the header, the others as rows (blank ones skipped,
    their lines still counted), at most MAX_ROWS of them."""
    headers, rows = None, []
    for line, cells in records:
        if not any(cell.strip() for cell in cells):
            continue
        if headers is None:
            headers = [cell.strip() or f"Column {n}" for n, cell in enumerate(cells, 1)]
        elif len(rows) >= MAX_ROWS:
            raise FileProblem(f"The file has more than {MAX_ROWS:,} rows (the limit): "
                              "split it into several files.")
        else:
            rows.append((line, cells))
    return headers or [], rows


def _read_xlsx(data):
    from openpyxl import load_workbook  # only for workbooks: it takes a while to import

    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError) as error:
        raise FileProblem("This file is a ZIP archive but not an .xlsx workbook that can be "
                          "read. Save it from Excel as .xlsx, or export CSV.") from error
    try:
        sheet = book.active
        headers, rows = _header_and_rows(
            (line, [_cell_text(value) for value in values])
            for line, values in enumerate(sheet.iter_rows(values_only=True), 1))
    finally:
        book.close()
    several = len(book.sheetnames) > 1
    notes = [f"Read the first sheet, \u201c{sheet.title}\u201d."] if several else []
    return Table(headers=headers, rows=rows, kind="xlsx", notes=notes)


def _cell_text(value):
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime | date):
        return value.isoformat()
    return str(value)


def _read_json(text):
    """A list of objects, such as `gh issue list --json ...` writes."""
    try:
        data = json.loads(text)
    except json.JSONDecodeError as error:
        raise FileProblem(f"The file starts like JSON but is not valid JSON: {error.msg} on "
                          f"line {error.lineno}.") from error
    if isinstance(data, dict):
        lists = [value for value in data.values() if isinstance(value, list)]
        data = lists[0] if len(lists) == 1 else None
    if not isinstance(data, list) or not all(isinstance(entry, dict) for entry in data):
        raise FileProblem("This JSON is not a list of objects (one per issue), as "
                          "`gh issue list --json ...` writes.")
    if len(data) > MAX_ROWS:
        raise FileProblem(f"The file has more than {MAX_ROWS:,} entries (the limit): split it.")
    headers = list(dict.fromkeys(key for entry in data for key in entry))
    rows = [(n, [_json_cell(entry.get(key)) for key in headers]) for n, entry in enumerate(data, 1)]
    return Table(headers=headers, rows=rows, kind="json")


def _json_cell(value):
    """Text, or a list of texts: a label list stays a list, a person becomes their login."""
    if value is None:
        return ""
    if isinstance(value, list):
        return [_json_cell(entry) for entry in value if entry not in (None, "")]
    if isinstance(value, dict):
        for key in ("login", "name", "title", "email"):
            if isinstance(value.get(key), str):
                return value[key]
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)
