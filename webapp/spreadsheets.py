"""Cells a person typed, made safe for a spreadsheet: nothing they wrote runs as a formula.

One rule for every export (participants, statistics, evaluations, Grand Bain visitors):
a text that starts with what Excel or LibreOffice would read as a formula gets a leading
quote (OWASP's advice for CSV injection).
"""

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def as_text_cell(value):
    """The value as a text that never runs as a formula (None: an empty cell)."""
    value = "" if value is None else str(value)
    return "'" + value if value.startswith(FORMULA_STARTS) else value
