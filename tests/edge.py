"""Operations as the edge calls them: each call in a unit of work of its own, as a view or a
command does. Tests that need a committed registration (then visit a page with the client)
use these; tests of the operations themselves call the modules directly."""

import inspect

from webapp.registrations import personal_data as _personal_data
from webapp.registrations import rules as _rules
from webapp.unit_of_work import unit_of_work


class Committed:
    """The module's functions, each run in its own unit of work; other names as they are."""

    def __init__(self, module):
        self._module = module

    def __getattr__(self, name):
        value = getattr(self._module, name)
        if not inspect.isfunction(value):
            return value

        def run(*args, **kwargs):
            with unit_of_work(name):
                return value(*args, **kwargs)

        return run


rules = Committed(_rules)
personal_data = Committed(_personal_data)
