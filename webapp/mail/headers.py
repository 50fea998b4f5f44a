"""Header values made safe to send: one line, no control characters, cut to fit a column."""

import re

# C0 and C1 controls (CR, LF, NUL, tab, NEL...) and the Unicode line and paragraph separators:
# any of them in a header could end it and start another one (header injection).
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]")
ELLIPSIS = "…"


def one_line(value):
    """The value on one line: control characters and runs of spaces fold into single spaces."""
    return " ".join(_CONTROL.sub(" ", value or "").split())


def fit(value, length):
    """The value cut to at most `length` characters (never inside one), ending with an ellipsis."""
    if len(value) <= length:
        return value
    return value[: length - len(ELLIPSIS)].rstrip() + ELLIPSIS


def storable(text):
    """Text the database can keep: PostgreSQL refuses NUL characters in text columns."""
    return None if text is None else text.replace("\x00", "")
