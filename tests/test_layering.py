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
    "audit_actions": 0,
    "audit_fields": 0,
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
    "budgets": 0,
    "logs": 0,
    "access_log": 0,
    "uploads": 0,
    "mail": 1,
    "agenda": 2,
    "feeds": 3,
    "registrations": 4,
    "api": 5,
    "grandbain": 5,
    # The digest by mail reads the agenda and writes to the outbox.
    "digest": 5,
    # Grand Bain visits get their evaluation form: evaluations reads grandbain's models.
    "evaluations": 6,
    # Attestations read registrations' and grandbain's attendance; evaluations' mail names them.
    "attestations": 6,
    "auth": 6,
    "proposals": 6,
    "admin": 7,
    "loading": 7,
    "worker": 7,
    "config_check": 7,
}


# Imports between two areas of the same layer, each with its reason; any other is refused, and
# so is a cycle among these (two areas that need each other are one area, or a third above).
SIDEWAYS = {
    # Layer 0: the small shared modules lean on the database handle, the clock and each other.
    ("access_log", "tokens"): "a logged URL masks personal-link tokens",
    ("audit", "unit_of_work"): "an audit line refuses to run outside a unit of work",
    ("audit", "audit_actions"): "an audit line takes only an action of the registry",
    ("capacity", "unit_of_work"): "a lock on places refuses to run outside a unit of work",
    ("capacity", "content_state"): "places are counted on the public tables",
    ("waitlist", "capacity"): "a waitlist promotes into the places capacity takes",
    ("formfields", "addresses"): "an address field normalises what is typed",
    ("logs", "access_log"): "the log filter masks URLs as the access log does",
    ("pagecache", "cache"): "cached pages live in the cache",
    ("pagecache", "content_state"): "a cached page is dropped when public content changes",
    ("templating", "formfields"): "templates render the shared form fields",
    ("extensions", "limits"): "the limiter counts by limits.client_address",
    # Layer 5: the API's Grand Bain endpoints read the Grand Bain's queries.
    ("api", "grandbain"): "the API serves the Grand Bain's programme",
    # Layer 6: a proposal's moderation is scoped by the account (auth.scopes).
    ("proposals", "auth"): "the moderation queue is the account's scope",
    # Layer 6: the mail inviting to evaluate carries the attestation of those present.
    ("evaluations", "attestations"): "the evaluation mail links the person's attestation",
}
# Everyone in layer 0 may import these three: the database handle, the clock, the words.
LAYER_0_BASE = {"extensions", "timezones", "vocabulary"}


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


def area_edges():
    """{(source, target): [where]} of every import from one area into another."""
    edges = {}
    for path in sources():
        source = area_of(path)
        for line, target in imported_areas(ast.parse(path.read_text(encoding="utf-8"))):
            if target != source:
                edges.setdefault((source, target), []).append(
                    f"{path.relative_to(WEBAPP.parent)}:{line}"
                )
    return edges


def test_an_import_within_a_layer_is_listed_with_its_reason():
    unlisted = [
        f"{where[0]} {source} -> {target}"
        for (source, target), where in area_edges().items()
        if LAYERS.get(target, 0) == LAYERS[source]
        and (source, target) not in SIDEWAYS
        and not (LAYERS[source] == 0 and target in LAYER_0_BASE)
    ]
    assert unlisted == [], "list it in SIDEWAYS with its reason, or move the code"


def test_every_listed_sideways_import_still_exists():
    assert set(SIDEWAYS) - set(area_edges()) == set(), "remove what no module imports"


def cycles(edges):
    """The cycles of a directed graph given as (source, target) pairs (each found once)."""
    graph = {}
    for source, target in edges:
        graph.setdefault(source, set()).add(target)
    found, path, on_path, done = set(), [], set(), set()

    def walk(node):
        path.append(node)
        on_path.add(node)
        for nxt in sorted(graph.get(node, ())):
            if nxt in on_path:
                cycle = path[path.index(nxt) :]
                turn = cycle.index(min(cycle))
                found.add(tuple(cycle[turn:] + cycle[:turn]))
            elif nxt not in done:
                walk(nxt)
        path.pop()
        on_path.discard(node)
        done.add(node)

    for node in sorted(graph):
        if node not in done:
            walk(node)
    return sorted(found)


def test_no_two_areas_need_each_other():
    assert cycles(area_edges()) == []


def test_the_cycle_check_finds_a_cycle():
    assert cycles([("a", "b"), ("b", "c"), ("c", "a"), ("c", "d")]) == [("a", "b", "c")]
    assert cycles([("a", "b"), ("b", "a")]) == [("a", "b")]
    assert cycles([("a", "b"), ("b", "c")]) == []


def test_the_check_sees_an_import_inside_a_function():
    tree = ast.parse("def f():\n    from webapp.registrations.rules import cancel\n")
    assert list(imported_areas(tree)) == [(2, "registrations")]
    tree = ast.parse("from webapp import audit, loading\nimport webapp.mail.outbox\n")
    assert [area for _, area in imported_areas(tree)] == ["audit", "loading", "mail"]
