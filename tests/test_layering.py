"""An area imports only the areas below it (../shared/STYLE.md, "Writes"): where two areas
must be composed, the composition lives above both (webapp/loading/)."""

import ast
from pathlib import Path

WEBAPP = Path(__file__).resolve().parent.parent / "webapp"

# Bottom to top. Every module and package directly under webapp/ has its row: whoever adds
# one decides where it stands. webapp/__init__.py (create_app) may import everything.
LAYERS = {
    "extensions": 0,
    "timezones": 0,
    "vocabulary": 0,
    "addresses": 0,
    "unit_of_work": 0,
    "states": 0,
    "tokens": 0,
    "urls": 0,
    "capacity": 0,
    "waitlist": 0,
    "audit": 0,
    "content_state": 0,
    "formfields": 0,
    "spreadsheets": 0,
    "cache": 0,
    "pagecache": 0,
    "hygiene": 0,
    "i18n": 0,
    "templating": 0,
    "errors": 0,
    "health": 0,
    "static_urls": 0,
    "limits": 0,
    "logs": 0,
    "access_log": 0,
    "uploads": 0,
    "mail": 1,
    "agenda": 2,
    "feeds": 3,
    "registrations": 4,
    "api": 5,
    "grandbain": 5,
    # Grand Bain visits get their evaluation form: evaluations reads grandbain's models.
    "evaluations": 6,
    "auth": 6,
    "proposals": 6,
    "admin": 7,
    "loading": 7,
    "worker": 7,
    "config_check": 7,
}


def area_of(path):
    """The area a source file belongs to: its package under webapp/, or its module."""
    relative = path.relative_to(WEBAPP)
    return relative.parts[0] if len(relative.parts) > 1 else relative.stem


def imported_areas(tree):
    """(line, area) of every `webapp.<area>` a module imports, inside functions too."""
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names = [node.module]
            if node.module == "webapp":  # from webapp import audit, content_state
                names = [f"webapp.{alias.name}" for alias in node.names]
        else:
            continue
        for name in names:
            parts = name.split(".")
            if parts[0] == "webapp" and len(parts) > 1:
                yield node.lineno, parts[1]


def sources():
    return sorted(p for p in WEBAPP.rglob("*.py") if p != WEBAPP / "__init__.py")


def test_every_area_has_its_layer():
    areas = {area_of(path) for path in sources()}
    assert areas - set(LAYERS) == set(), "place the new area in LAYERS"
    assert set(LAYERS) - areas == set(), "an area of LAYERS is gone"


def test_no_area_imports_one_above_it():
    upward = []
    for path in sources():
        source = area_of(path)
        for line, target in imported_areas(ast.parse(path.read_text(encoding="utf-8"))):
            if LAYERS.get(target, 0) > LAYERS[source]:
                upward.append(f"{path.relative_to(WEBAPP.parent)}:{line} {source} -> {target}")
    assert upward == []


def test_the_check_sees_an_import_inside_a_function():
    tree = ast.parse("def f():\n    from webapp.registrations.rules import cancel\n")
    assert list(imported_areas(tree)) == [(2, "registrations")]
    tree = ast.parse("from webapp import audit, loading\nimport webapp.mail.outbox\n")
    assert [area for _, area in imported_areas(tree)] == ["audit", "loading", "mail"]
