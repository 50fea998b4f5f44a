"""The schema.org vocabulary from the stored official definitions (schemaorg/README.md),
and a check of a JSON-LD object against it."""

import csv
import gzip
from datetime import datetime
from functools import cache
from pathlib import Path

HERE = Path(__file__).resolve().parent / "schemaorg"
SCHEMA = "https://schema.org/"


def _split(cell):
    return {v.strip().removeprefix(SCHEMA) for v in cell.split(",") if v.strip()}


@cache
def vocabulary():
    with gzip.open(HERE / "schemaorg-current-https-types.csv.gz", "rt", newline="") as f:
        types = {row["label"]: row for row in csv.DictReader(f)}
    with gzip.open(HERE / "schemaorg-current-https-properties.csv.gz", "rt", newline="") as f:
        properties = {row["label"]: row for row in csv.DictReader(f)}
    return types, properties


def ancestors(type_name):
    """The type and every type above it."""
    types, _ = vocabulary()
    seen, todo = set(), [type_name]
    while todo:
        name = todo.pop()
        if name in seen or name not in types:
            continue
        seen.add(name)
        todo += _split(types[name]["subTypeOf"])
    return seen


DATATYPES = {
    "Text": lambda v: isinstance(v, str),
    "URL": lambda v: isinstance(v, str) and v.startswith(("http://", "https://")),
    "Boolean": lambda v: isinstance(v, bool),
    "Integer": lambda v: isinstance(v, int) and not isinstance(v, bool),
    "Number": lambda v: isinstance(v, (int, float)) and not isinstance(v, bool),
    "DateTime": lambda v: isinstance(v, str) and datetime.fromisoformat(v).tzinfo is not None,
    "Date": lambda v: isinstance(v, str) and bool(datetime.fromisoformat(v)),
}


def problems(node, path="$"):
    """Every way `node` (a JSON-LD object) differs from the vocabulary, as strings."""
    types, properties = vocabulary()
    found = []
    type_name = node.get("@type")
    if type_name not in types:
        return [f"{path}: unknown type {type_name!r}"]
    allowed = _split(types[type_name]["properties"])
    for key, value in node.items():
        if key.startswith("@"):
            continue
        where = f"{path}.{key}"
        if key not in properties:
            found.append(f"{where}: no such property")
            continue
        if key not in allowed:
            found.append(f"{where}: not a property of {type_name}")
        if properties[key]["supersededBy"]:
            found.append(f"{where}: superseded by {properties[key]['supersededBy']}")
        ranges = _split(properties[key]["rangeIncludes"])
        for i, item in enumerate(value if isinstance(value, list) else [value]):
            found += _value_problems(item, ranges, f"{where}[{i}]")
    return found


def _value_problems(value, ranges, where):
    types, _ = vocabulary()
    if isinstance(value, dict):
        if not ancestors(value.get("@type", "")) & ranges:
            return [f"{where}: a {value.get('@type')} is not in {sorted(ranges)}"]
        return problems(value, where)
    if isinstance(value, str) and value.startswith(SCHEMA):
        member = value.removeprefix(SCHEMA)
        if member not in types:
            return [f"{where}: unknown {member}"]
        enumeration = _split(types[member]["enumerationtype"]) or _split(types[member]["subTypeOf"])
        if not enumeration & ranges:
            return [f"{where}: {member} is not a member of {sorted(ranges)}"]
        return []
    for name in ranges:
        check = DATATYPES.get(name)
        try:
            if check and check(value):
                return []
        except ValueError:
            continue
    if ("Text" in ranges or "URL" in ranges) and isinstance(value, str):
        return []
    return [f"{where}: {value!r} fits none of {sorted(ranges)}"]
