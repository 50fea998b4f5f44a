"""The registry of audit keys (webapp/audit_fields.py): every key an operation can store in an
audit line's before/after has its label, in French and Dutch, so the log never shows a
column's name; a stored key the registry does not know reads as "Autre champ".

The walk follows each `audit.record` call's before/after to where its keys are spelled: dict
literals, the fields given to `audit.changes`, the snapshots and `_facts` the values come
from, wrappers' parameters (their callers, in any module) and `**kwargs`.
"""

import ast
import itertools
from functools import cache

import pytest
from flask_babel import force_locale

from tests.test_audit_actions import WEBAPP, Module, _recording_calls
from webapp.audit_fields import FIELDS, UNKNOWN_FIELD, label_of

# Keys the walk cannot spell from the source; each is checked against the models below.
FOLLOWED_AT_RUN_TIME = {
    # A merge keeps the removed row's columns and counts the rows moved per column.
    ("agenda/catalogue.py", "[column.key for column in model.__table__.columns]"),
    ("agenda/catalogue.py", "ref.name"),
    # A new Grand Bain edition keeps its form's data: SETTINGS, as audit.changes names them.
    ("admin/grandbain/views.py", "form.settings()"),
}


@cache
def module_at(path):
    return Module(path)


@cache
def all_modules():
    return [module_at(path) for path in sorted(WEBAPP.rglob("*.py"))]


@cache
def _imports(module):
    """{name: (module, its name there)} of `from webapp.x import name`, and {name: module}
    of `from webapp.x import module`."""
    names, modules = {}, {}
    for node in ast.walk(module.tree):
        if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("webapp"):
            base = WEBAPP.parent / node.module.replace(".", "/")
            for alias in node.names:
                local = alias.asname or alias.name
                if (base / f"{alias.name}.py").exists():
                    modules[local] = module_at(base / f"{alias.name}.py")
                elif base.with_suffix(".py").exists():
                    names[local] = (module_at(base.with_suffix(".py")), alias.name)
    return names, modules


class Keys:
    """The keys a before/after expression can hold (`of`), and the names a sequence of
    field names can give (`names`); what cannot be followed is a problem."""

    def __init__(self):
        self.keys = set()
        self.problems = []
        self.seen = set()

    # --- dicts -------------------------------------------------------------------------

    def of(self, module, expr, function):
        key = ("of", id(expr), id(function))
        if key in self.seen:
            return set()
        self.seen.add(key)
        if isinstance(expr, ast.Constant) and expr.value is None:
            return set()
        if isinstance(expr, ast.Dict):
            found = set()
            for k, v in zip(expr.keys, expr.values, strict=True):
                if k is None:  # **spread
                    found |= self.of(module, v, function)
                elif isinstance(k, ast.Constant) and isinstance(k.value, str):
                    found.add(k.value)
                else:
                    self.problem(module, k, "a key spelled")
            return found
        if isinstance(expr, ast.DictComp):
            return self.comprehended(module, expr.key, expr.generators, function)
        if isinstance(expr, (ast.BoolOp, ast.IfExp)):
            parts = expr.values if isinstance(expr, ast.BoolOp) else (expr.body, expr.orelse)
            return set().union(*(self.of(module, p, function) for p in parts))
        if isinstance(expr, ast.Name):
            return self.name(module, expr, function, self.of)
        if isinstance(expr, ast.Call):
            return self.returned(module, expr, function)
        return self.problem(module, expr, "cannot follow")

    def comprehended(self, module, key, generators, function):
        """The keys of {key: ... for ... in ...}: a constant, a loop variable, or an
        f-string of loop variables ("{part}_{language}")."""
        if isinstance(key, ast.Constant):
            return {key.value}
        if isinstance(key, ast.Name):
            return self.bound(module, key.id, generators, function)
        if isinstance(key, ast.JoinedStr):
            pieces = []
            for value in key.values:
                if isinstance(value, ast.Constant):
                    pieces.append({value.value})
                elif isinstance(value, ast.FormattedValue) and isinstance(value.value, ast.Name):
                    pieces.append(self.bound(module, value.value.id, generators, function))
                else:
                    return self.problem(module, key, "cannot follow")
            return {"".join(p) for p in itertools.product(*pieces)}
        return self.problem(module, key, "cannot follow")

    def bound(self, module, name, generators, function):
        """What the loop variable `name` takes: the names its iterable gives (the first of a
        `for name, value in d.items()`: d's keys)."""
        for generator in generators:
            target, source = generator.target, generator.iter
            if isinstance(target, ast.Name) and target.id == name:
                return self.names(module, source, function)
            if (
                isinstance(target, ast.Tuple)
                and isinstance(target.elts[0], ast.Name)
                and target.elts[0].id == name
                and isinstance(source, ast.Call)
                and isinstance(source.func, ast.Attribute)
                and source.func.attr == "items"
            ):
                return self.of(module, source.func.value, function)
        return self.problem(module, generators[0].iter, f"cannot follow {name}")

    def returned(self, module, call, function, item=None):
        """The keys of what a call gives (`item`: of that element of the tuple it gives)."""
        if ast.unparse(call.func) in ("audit.changes", "changes") and item is not None:
            return self.names(module, call.args[1], function)
        if isinstance(call.func, ast.Name) and call.func.id == "dict" and item is None:
            return self.of(module, call.args[0], function) if call.args else set()
        target = self.function(module, call.func)
        if target is None:
            return self.problem(module, call, "cannot follow the call")
        found = set()
        where, defined = target
        for node in ast.walk(defined):
            if isinstance(node, ast.Return) and node.value is not None:
                value = node.value
                if item is not None:
                    if not isinstance(value, ast.Tuple):
                        self.problem(where, value, "cannot follow")
                        continue
                    value = value.elts[item]
                found |= self.of(where, value, defined)
        return found

    def function(self, module, func):
        """(module, def) a call names: a function of the module or imported from webapp,
        or a method of one of the module's classes (`x.as_counts()`)."""
        if isinstance(func, ast.Name):
            if func.id in module.functions:
                return module, module.functions[func.id]
            imported = _imports(module)[0].get(func.id)
            if imported and imported[1] in imported[0].functions:
                return imported[0], imported[0].functions[imported[1]]
        if isinstance(func, ast.Attribute):
            for node in ast.walk(module.tree):
                if isinstance(node, ast.ClassDef):
                    for item in node.body:
                        if isinstance(item, ast.FunctionDef) and item.name == func.attr:
                            return module, item
        return None

    # --- names (field lists) ---------------------------------------------------------

    def names(self, module, expr, function):
        key = ("names", id(expr), id(function))
        if key in self.seen:
            return set()
        self.seen.add(key)
        if isinstance(expr, (ast.Tuple, ast.List, ast.Set)):
            found = set()
            for element in expr.elts:
                if isinstance(element, ast.Starred):
                    found |= self.names(module, element.value, function)
                elif isinstance(element, ast.Constant) and isinstance(element.value, str):
                    found.add(element.value)
                else:
                    self.problem(module, element, "a name spelled")
            return found
        if isinstance(expr, ast.BinOp):
            return self.names(module, expr.left, function) | self.names(
                module, expr.right, function
            )
        if isinstance(expr, (ast.GeneratorExp, ast.ListComp, ast.SetComp)):
            return self.comprehended(module, expr.elt, expr.generators, function)
        if isinstance(expr, ast.Call) and ast.unparse(expr.func) in (
            "tuple",
            "list",
            "sorted",
            "frozenset",
            "set",
        ):
            return self.names(module, expr.args[0], function) if expr.args else set()
        if isinstance(expr, ast.Name):
            return self.name(module, expr, function, self.names)
        if isinstance(expr, (ast.Call, ast.Dict, ast.DictComp)):
            return self.of(module, expr, function)  # iterating a dict: its keys
        return self.problem(module, expr, "cannot follow")

    # --- names bound in a function, at module level, or by a caller ---------------------

    def name(self, module, expr, function, follow):
        if function is None:
            if expr.id in module.values:
                return follow(module, module.values[expr.id], None)
            imported = _imports(module)[0].get(expr.id)
            if imported and imported[1] in imported[0].values:
                return follow(imported[0], imported[0].values[imported[1]], None)
            return self.problem(module, expr, f"cannot follow {expr.id}")
        found, assigned = set(), False
        for node in ast.walk(function):
            if not isinstance(node, ast.Assign):
                continue
            for target in node.targets:
                if isinstance(target, ast.Name) and target.id == expr.id:
                    assigned = True
                    found |= follow(module, node.value, function)
                elif isinstance(target, ast.Tuple):
                    for index, element in enumerate(target.elts):
                        if isinstance(element, ast.Name) and element.id == expr.id:
                            assigned = True
                            found |= self.item(module, node.value, index, function)
                elif (
                    isinstance(target, ast.Subscript)
                    and isinstance(target.value, ast.Name)
                    and target.value.id == expr.id
                    and isinstance(target.slice, ast.Constant)
                ):
                    found.add(target.slice.value)  # facts["bassins"] = ...
        parameters = [p.arg for p in function.args.args + function.args.kwonlyargs]
        if expr.id in parameters:
            return found | self.passed(module, function, expr.id, follow)
        if function.args.kwarg is not None and function.args.kwarg.arg == expr.id:
            return found | self.keywords(module, function)
        if not assigned:
            return found | self.name(module, expr, None, follow)
        return found

    def item(self, module, value, index, function):
        """The keys of element `index` of a tuple assignment's value."""
        if isinstance(value, ast.Tuple):
            return self.of(module, value.elts[index], function)
        if isinstance(value, ast.IfExp):
            return self.item(module, value.body, index, function) | self.item(
                module, value.orelse, index, function
            )
        if isinstance(value, ast.Call):
            return self.returned(module, value, function, item=index)
        return self.problem(module, value, "cannot follow")

    def calls(self, module, function):
        """(module, call, enclosing def) of every call of `function` in webapp: by its name
        in its module, by its imported name or through its module elsewhere."""
        for caller in dict.fromkeys([module, *all_modules()]):  # a test's text is not in webapp/
            for node in ast.walk(caller.tree):
                if isinstance(node, ast.Call) and _names(node.func, function, module, caller):
                    yield caller, node, caller.enclosing.get(node)

    def passed(self, module, function, parameter, follow):
        """What every caller passes for `parameter` (or its default)."""
        positional = [p.arg for p in function.args.args]
        found, calls = set(), list(self.calls(module, function))
        if not calls:
            return self.problem(module, function, f"{function.name}() is never called")
        for where, call, caller in calls:
            given = [k.value for k in call.keywords if k.arg == parameter]
            index = positional.index(parameter) if parameter in positional else None
            if (
                not given
                and index is not None
                and index < len(call.args)
                and not any(isinstance(a, ast.Starred) for a in call.args[: index + 1])
            ):
                given = [call.args[index]]
            for value in given:
                found |= follow(where, value, caller)
        return found

    def keywords(self, module, function):
        """The names given to a `**kwargs` by every caller."""
        named = {p.arg for p in function.args.args + function.args.kwonlyargs}
        return {
            k.arg
            for _where, call, _caller in self.calls(module, function)
            for k in call.keywords
            if k.arg is not None and k.arg not in named
        }

    def problem(self, module, node, text):
        place = (
            str(module.path.relative_to(WEBAPP)),
            ast.unparse(node) if isinstance(node, ast.expr) else "",
        )
        if place not in FOLLOWED_AT_RUN_TIME:
            self.problems.append(f"{module.where(node)} {text}: {place[1]!r}")
        return set()


def _names(func, function, module, caller):
    """Whether `func` (a call's callee, in `caller`) names `function` of `module`."""
    names, modules = _imports(caller)
    if isinstance(func, ast.Name):
        if caller is module:
            return func.id == function.name
        return names.get(func.id) == (module, function.name)
    return (
        isinstance(func, ast.Attribute)
        and func.attr == function.name
        and isinstance(func.value, ast.Name)
        and modules.get(func.value.id) is module
    )


def _values(call):
    """The before and after expressions of a recording call."""
    given = {k.arg: k.value for k in call.keywords}
    positional = call.args[4:6]
    before = given.get("before", positional[0] if positional else None)
    after = given.get("after", positional[1] if len(positional) > 1 else None)
    return [value for value in (before, after) if value is not None]


def walk_keys(modules):
    found = Keys()
    calls = 0
    for module in modules:
        for call, _action in _recording_calls(module):
            calls += 1
            for value in _values(call):
                found.keys |= found.of(module, value, module.enclosing.get(call))
        for node in ast.walk(module.tree):  # audit.changes outside a record's arguments
            if isinstance(node, ast.Call) and ast.unparse(node.func) == "audit.changes":
                found.keys |= found.names(module, node.args[1], module.enclosing.get(node))
    return found, calls


def test_every_key_an_operation_records_has_a_label():
    found, calls = walk_keys(all_modules())
    assert calls > 45 and found.problems == []
    # The walk reaches the keys behind names and snapshots (it would pass vacuously otherwise).
    assert {"start_at", "title_fr", "bassins", "overrides", "duplicated_from"} <= found.keys
    assert {"participants_count", "needs_nl", "no_shows", "moved_to", "after_meeting"} <= (
        found.keys
    )
    assert {"max_slots_per_offer", "step_free", "website", "slug"} <= found.keys
    assert sorted(found.keys - set(FIELDS)) == []


def test_what_the_walk_leaves_to_run_time_has_its_label_too(app):
    from webapp.agenda.catalogue import _columns_of, _referencing_columns
    from webapp.agenda.models import Organisation, Venue
    from webapp.grandbain.editions import SETTINGS
    from webapp.registrations.rules import PERSON_FIELDS

    merged = set()
    for model in (Venue, Organisation):
        merged |= set(_columns_of(model)) | {"survivor_id"}
        merged |= {f"{c.table.name}.{c.name}" for c in _referencing_columns(model.__table__)}
    details = {*PERSON_FIELDS, "inami_number", "answers"}  # what "fields" names
    assert sorted((merged | details | set(SETTINGS)) - set(FIELDS)) == []


@pytest.mark.parametrize(
    "source, problem",
    [
        ("def save(k):\n    audit.record(A, M, 'event', 1, None, {k: 1})\n", "a key spelled"),
        ("def save(d):\n    audit.record(A, M, 'event', 1, None, d.copy())\n", "cannot follow"),
        (
            "def save():\n    audit.record(A, M, 'event', 1, None, {n: 1 for n in get()})\n",
            "cannot follow",
        ),
        (
            "def _note(after):\n    audit.record(A, M, 'event', 1, None, after)\n",
            "never called",
        ),
    ],
)
def test_the_walk_says_what_it_cannot_follow(source, problem):
    found, calls = walk_keys([Module(WEBAPP / "agenda" / "spelled.py", source)])
    assert calls == 1 and len(found.problems) == 1 and problem in found.problems[0]


def test_the_walk_follows_names_wrappers_snapshots_and_field_lists():
    source = (
        "SHOWN = ('title_fr', 'start_at')\n"
        "def _facts(e):\n"
        "    facts = {n: getattr(e, n) for n in SHOWN}\n"
        "    facts['bassins'] = []\n    return facts\n"
        "def _record(actor, before, after, **more):\n"
        "    audit.record(actor, M, 'event', 1, before, {**after, **more})\n"
        "def edit(e):\n"
        "    before = _facts(e)\n    after = _facts(e)\n"
        "    changed = tuple(n for n in after if after[n] != before[n])\n"
        "    _record(A, {n: before[n] for n in changed}, {'status': 1}, moved_to=2)\n"
        "def save(o):\n"
        "    before, after = audit.changes(o, ('room',))\n"
        "    _record(A, before, {f'{p}_{l}': 1 for p in ('text',) for l in ('fr', 'nl')})\n"
    )
    found, _ = walk_keys([Module(WEBAPP / "agenda" / "spelled.py", source)])
    assert found.problems == []
    assert found.keys == {
        "title_fr",
        "start_at",
        "bassins",
        "status",
        "moved_to",
        "room",
        "text_fr",
        "text_nl",
    }


def test_every_label_is_in_french_and_dutch(app):
    with force_locale("fr"):
        french = {key: str(label) for key, label in FIELDS.items()}
    with force_locale("nl"):
        dutch = {key: str(label) for key, label in FIELDS.items()}
    assert [key for key in FIELDS if not french[key].strip()] == []
    assert [key for key in FIELDS if dutch[key] == french[key]] == []


@pytest.mark.parametrize("stored", ["<script>alert(1)</script>", "", "x" * 10_000, None, 3])
def test_a_key_the_registry_does_not_know_reads_as_another_field(app, stored):
    assert label_of(stored) is UNKNOWN_FIELD
    with force_locale("nl"):
        assert str(label_of(stored)) == "Ander veld"
