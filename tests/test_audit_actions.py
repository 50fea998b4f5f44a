"""The registry of audit actions (webapp/audit_actions.py): each action named once, dots and
underscores, labelled in French and Dutch; every `audit.record` call passes a member (never
text), and every member is recorded by some call: no line without a label, no label without
a line."""

import ast
import re
from pathlib import Path

import pytest
from flask_babel import force_locale
from sqlalchemy import func, select

from webapp import audit
from webapp.audit_actions import UNKNOWN_LABEL, AuditAction, label_of
from webapp.extensions import db
from webapp.unit_of_work import unit_of_work

WEBAPP = Path(__file__).resolve().parent.parent / "webapp"
NAME = re.compile(r"[a-z]+(?:_[a-z]+)*\.[a-z]+(?:_[a-z]+)*")


def labels(language):
    with force_locale(language):
        return {member: str(member.label) for member in AuditAction}


def test_every_action_is_named_the_one_way(app):
    assert [m for m in AuditAction if not NAME.fullmatch(m.value)] == []
    assert len({m.value for m in AuditAction}) == len(AuditAction)


def test_every_action_has_its_french_and_dutch_label_each_telling_it_apart(app):
    french, dutch = labels("fr"), labels("nl")
    assert [m for m in AuditAction if not french[m].strip()] == []
    # Translated: the Dutch catalogue has each one (a missing msgstr falls back to French).
    assert [m for m in AuditAction if dutch[m] == french[m]] == []
    # Two actions under one label could not be told apart on the page or in its filter.
    assert len(set(french.values())) == len(AuditAction)
    assert len(set(dutch.values())) == len(AuditAction)


def test_a_stored_action_reads_as_its_label_and_an_unknown_one_as_unknown(app):
    with force_locale("nl"):
        assert str(label_of("registration.erased")) == "Persoonsgegevens gewist"
        assert str(label_of("grand-bain.offer-refused")) == "Onbekende handeling"
    assert label_of("<script>") is UNKNOWN_LABEL and label_of(None) is UNKNOWN_LABEL


@pytest.mark.parametrize("action", ["event.published", "event.publish", "", None])
def test_recording_refuses_anything_but_a_member(app, action):
    with pytest.raises(TypeError, match="AuditAction"), unit_of_work("test"):
        audit.record(audit.SYSTEM, action, "event", 1)
    assert db.session.scalar(select(func.count()).select_from(audit.AuditEntry)) == 0


# --- The static walk: what reaches audit.record, followed through names and wrappers ------


class Module:
    """One source file (or text standing for one): its module-level assignments and
    functions, the function around each node, and the names it imports from webapp.audit."""

    def __init__(self, path, source=None):
        self.path = path
        self.tree = ast.parse(source if source is not None else path.read_text(encoding="utf-8"))
        self.values = {
            target.id: node.value
            for node in self.tree.body
            if isinstance(node, ast.Assign)
            for target in node.targets
            if isinstance(target, ast.Name)
        }
        self.functions = {n.name: n for n in self.tree.body if isinstance(n, ast.FunctionDef)}
        self.enclosing = {}
        for function in ast.walk(self.tree):  # outer first: an inner def overwrites
            if isinstance(function, ast.FunctionDef):
                for node in ast.walk(function):
                    if node is not function:
                        self.enclosing[node] = function
        self.imported = {
            alias.asname or alias.name: alias.name
            for node in ast.walk(self.tree)
            if isinstance(node, ast.ImportFrom) and node.module == "webapp.audit"
            for alias in node.names
        }

    def where(self, node):
        return f"{self.path.relative_to(WEBAPP.parent)}:{node.lineno}"


class Walk:
    """Follows an action expression to where it is spelled: members reached, and problems
    (text, an f-string, anything the walk cannot follow)."""

    def __init__(self, module):
        self.module = module
        self.members = set()
        self.problems = []
        self.calls = 0
        self.seen = set()

    def check(self, expr, function):
        key = (id(expr), id(function))
        if key in self.seen:
            return
        self.seen.add(key)
        if isinstance(expr, ast.Attribute) and _is_registry(expr.value):
            if expr.attr in AuditAction.__members__:
                self.members.add(AuditAction[expr.attr])
            else:
                self.problem(expr, f"AuditAction has no {expr.attr}")
        elif isinstance(expr, ast.Constant) and expr.value is None:
            pass  # no action: audit.record refuses it when it runs
        elif isinstance(expr, ast.IfExp):
            self.check(expr.body, function)
            self.check(expr.orelse, function)
        elif isinstance(expr, ast.BoolOp):
            for value in expr.values:
                self.check(value, function)
        elif isinstance(expr, ast.Subscript):
            for item in self.contents(expr.value, function):
                self.check(item, function)
        elif isinstance(expr, ast.Call) and isinstance(expr.func, ast.Name):
            self.returned_by(expr, expr.func.id)
        elif isinstance(expr, ast.Name):
            self.name(expr, function)
        else:
            self.problem(expr, f"an action spelled {ast.unparse(expr)!r}")

    def contents(self, expr, function):
        """What subscripting `expr` can give: a mapping's values, a tuple's items."""
        if isinstance(expr, ast.Name) and expr.id in self.module.values:
            return self.contents(self.module.values[expr.id], None)
        if isinstance(expr, ast.Dict):
            return expr.values
        if isinstance(expr, (ast.Tuple, ast.List)):
            return expr.elts
        if isinstance(expr, ast.Subscript):
            return [
                x
                for inner in self.contents(expr.value, function)
                for x in self.contents(inner, function)
            ]
        self.problem(expr, f"cannot follow {ast.unparse(expr)!r}")
        return []

    def returned_by(self, call, name):
        function = self.module.functions.get(name)
        if function is None:
            self.problem(call, f"cannot follow the call {ast.unparse(call)!r}")
            return
        for node in ast.walk(function):
            if isinstance(node, ast.Return) and node.value is not None:
                self.check(node.value, function)

    def name(self, expr, function):
        if function is None:
            if expr.id in self.module.values:
                self.check(self.module.values[expr.id], None)
            else:
                self.problem(expr, f"cannot follow {expr.id}")
            return
        assigned = [
            node.value
            for node in ast.walk(function)
            if isinstance(node, ast.Assign)
            and any(isinstance(t, ast.Name) and t.id == expr.id for t in node.targets)
        ]
        for value in assigned:
            if isinstance(value, ast.BoolOp):  # action = action or _action(...)
                for part in value.values:
                    if not (isinstance(part, ast.Name) and part.id == expr.id):
                        self.check(part, function)
            else:
                self.check(value, function)
        parameters = function.args.args + function.args.kwonlyargs
        if expr.id in [p.arg for p in parameters]:
            self.passed_to(function, expr.id)
        elif not assigned:
            self.problem(expr, f"cannot follow {expr.id}")

    def passed_to(self, function, parameter):
        """Every call of a private wrapper in its module passes a member for `parameter`."""
        positional = [p.arg for p in function.args.args]
        defaults = dict(
            zip(
                positional[len(positional) - len(function.args.defaults) :],
                function.args.defaults,
                strict=True,
            )
        )
        defaults.update(
            {
                p.arg: d
                for p, d in zip(function.args.kwonlyargs, function.args.kw_defaults, strict=True)
                if d
            }
        )
        calls = [
            node
            for node in ast.walk(self.module.tree)
            if isinstance(node, ast.Call)
            and isinstance(node.func, ast.Name)
            and node.func.id == function.name
        ]
        if not calls or not function.name.startswith("_"):
            self.problem(function, f"{function.name}() passes its {parameter} on: pass a member")
            return
        for call in calls:
            caller = self.module.enclosing.get(call)
            given = [k.value for k in call.keywords if k.arg == parameter]
            if (
                not given
                and parameter in positional
                and positional.index(parameter) < len(call.args)
            ):
                given = [call.args[positional.index(parameter)]]
            if not given and parameter in defaults:
                given = [defaults[parameter]]
            for value in given or [call]:
                if value is call:
                    self.problem(call, f"{function.name}() called without its {parameter}")
                else:
                    self.check(value, caller)

    def problem(self, node, text):
        self.problems.append(f"{self.module.where(node)} {text}")


def _is_registry(expr):
    return (isinstance(expr, ast.Name) and expr.id == "AuditAction") or (
        isinstance(expr, ast.Attribute) and expr.attr == "AuditAction"
    )


def _recording_calls(module):
    """(call, its action expression) of every audit.record and audit.purged (audit.py's own
    `purged` passes its caller's member on: its callers are walked instead)."""
    if module.path == WEBAPP / "audit.py":
        return
    positions = {"record": 1, "purged": 0}
    for node in ast.walk(module.tree):
        if not isinstance(node, ast.Call):
            continue
        called = ast.unparse(node.func)
        if called.startswith("audit."):
            called = called.removeprefix("audit.")
        elif called in module.imported:  # from webapp.audit import record
            called = module.imported[called]
        else:
            continue
        if called not in positions:
            continue
        keyword = [k.value for k in node.keywords if k.arg == "action"]
        yield node, keyword[0] if keyword else node.args[positions[called]]


def walk(module):
    """The walk of every recording call of a module."""
    found = Walk(module)
    for call, action in _recording_calls(module):
        found.calls += 1
        found.check(action, module.enclosing.get(call))
    return found


def walk_webapp():
    members, problems, calls = set(), [], 0
    for path in sorted(WEBAPP.rglob("*.py")):
        found = walk(Module(path))
        members |= found.members
        problems += found.problems
        calls += found.calls
    return members, problems, calls


def test_every_recorded_action_is_a_member_of_the_registry():
    _, problems, calls = walk_webapp()
    assert calls > 45  # the walk sees the calls (it would pass vacuously otherwise)
    assert problems == []


def test_every_member_of_the_registry_is_recorded_somewhere():
    members, _, _ = walk_webapp()
    assert sorted(set(AuditAction) - members) == []


SPELLED = WEBAPP / "agenda" / "spelled.py"  # never written: parsed from the text given


@pytest.mark.parametrize(
    "source, problem",
    [
        ('audit.record(actor, "event.published", "event", 1)', "an action spelled"),
        ('audit.record(actor, f"{kind}.created", kind, 1)', "an action spelled"),
        ('audit.purged("registration.purged", "registration", 1, 12)', "an action spelled"),
        (
            "from webapp.audit import record as write\nwrite(actor, 'event.moved', 'event', 1)",
            "an action spelled",
        ),
        ("audit.record(actor, AuditAction.EVENT_PUBLISHD, 'event', 1)", "has no"),
        (
            "def _record(actor, action):\n    audit.record(actor, action, 'event', 1)\n"
            "def publish(actor):\n    _record(actor, 'event.published')\n",
            "an action spelled",
        ),
        (
            "NAMES = {'a': AuditAction.EVENT_CREATED, 'b': 'event.updated'}\n"
            "def save(kind):\n    audit.record(SYSTEM, NAMES[kind], kind, 1)\n",
            "an action spelled",
        ),
        (
            "def record_it(actor, action):\n    audit.record(actor, action, 'event', 1)\n",
            "pass a member",
        ),
    ],
)
def test_the_walk_finds_an_action_spelled_as_text(source, problem):
    found = walk(Module(SPELLED, source))
    assert found.calls == 1 and len(found.problems) == 1 and problem in found.problems[0]


def test_the_walk_follows_wrappers_mappings_and_conditions():
    source = (
        "SAVED = {'series': (AuditAction.SERIES_CREATED, AuditAction.SERIES_UPDATED)}\n"
        "def _record(actor, action, kind):\n    audit.record(actor, action, kind, 1)\n"
        "def save(actor, kind, created):\n"
        "    _record(actor, SAVED[kind][0] if created else SAVED[kind][1], kind)\n"
        "def _action(changed):\n"
        "    if changed:\n        return AuditAction.EVENT_MOVED\n"
        "    return {1: AuditAction.EVENT_PUBLISHED}[changed] or AuditAction.EVENT_UPDATED\n"
        "def _change(actor, changed, action=None):\n"
        "    action = action or _action(changed)\n"
        "    audit.record(actor, action, 'event', 1)\n"
        "def move(actor):\n    return _change(actor, True, action=AuditAction.EVENT_DELETED)\n"
        "def edit(actor):\n    return _change(actor, True)\n"
    )
    found = walk(Module(SPELLED, source))
    assert found.problems == []
    assert found.members == {
        AuditAction.SERIES_CREATED,
        AuditAction.SERIES_UPDATED,
        AuditAction.EVENT_MOVED,
        AuditAction.EVENT_PUBLISHED,
        AuditAction.EVENT_UPDATED,
        AuditAction.EVENT_DELETED,
    }
