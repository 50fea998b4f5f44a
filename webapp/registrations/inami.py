"""INAMI/RIZIV numbers: what an accredited training's registration form asks of a care
provider, for the attendance list its organiser uploads to INAMI.

A number is 11 digits, written 1-23456-78-901 (profession and serial number, two check
digits, the qualification) or as plain digits. Only the shape is checked: INAMI documents
two check-digit rules (modulo 97, and modulo 89 for numbers given since 2012-2019) without
saying which number follows which, so refusing on them would refuse real numbers.
"""

import re

# Plain digits, or the printed groups 1-23456-78-901 (a space, dot or slash also separates).
INAMI_SHAPE = re.compile(r"\A(\d)([-. /]?)(\d{5})\2(\d{2})\2(\d{3})\Z", re.ASCII)


def normalise_inami(text):
    """The 11 digits of a typed INAMI number, or None when it is not one."""
    if not isinstance(text, str) or len(text) > 20:
        return None
    found = INAMI_SHAPE.match(text.strip())
    if found is None:
        return None
    return "".join(found.group(1, 3, 4, 5))


def printed_inami(number):
    """« 1-23456-78-901 » from the 11 stored digits (anything else as it is)."""
    if not number or len(number) != 11:
        return number or ""
    return f"{number[0]}-{number[1:6]}-{number[6:8]}-{number[8:]}"
