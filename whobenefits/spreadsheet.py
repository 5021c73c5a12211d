"""CSV cells that a spreadsheet opens as text, never as a formula.

Shared by the roadmap export and the audit trail export. It lives here, outside both
apps, because roadmap imports audit (the audited admin) and neither should import the other
just for this.
"""

# A cell starting with one of these is a formula in Excel, LibreOffice and Google Sheets
# (tab and carriage return can hide one, OWASP's CSV injection advice).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value):
    """The value as text, prefixed with a quote when a spreadsheet would evaluate it.

    Text that already starts with quotes before a formula character gets one more, so
    unescape_cell() gives back exactly what was written.
    """
    text = "" if value is None else str(value)
    return "'" + text if text.lstrip("'").startswith(FORMULA_STARTS) else text


def unescape_cell(text):
    """What safe_cell() was given, from what it wrote (for re-importing an export)."""
    if text.startswith("'") and text.lstrip("'").startswith(FORMULA_STARTS):
        return text[1:]
    return text


class Echo:
    """A file-like object that hands back what csv.writer writes, for streaming."""

    def write(self, value):
        return value
