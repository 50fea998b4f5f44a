"""The visits a visitor has ticked, carried in the URL as `slot` (repeated) from one day of
the programme to the next and on to the booking form, so the selection needs no script
and no session: `drop` takes one out (the programme's "Retirer" without JavaScript)."""

from dataclasses import dataclass

from webapp.formfields import database_id

# More visits than any edition lets one person book: the rest of a long list is not read.
MAX_SLOTS_IN_SET = 20


@dataclass(frozen=True)
class Selection:
    """The ticked slot ids in the order given, once each; `malformed` when a value was no id."""

    ids: tuple = ()
    malformed: bool = False

    def without(self, slot_id):
        return Selection(tuple(i for i in self.ids if i != slot_id), self.malformed)


def read(values, drop=None, once=True):
    """The selection from the `slot` values of a query string or form (at most
    MAX_SLOTS_IN_SET read), less the `drop` value if it is one of them. `once=False` keeps
    a slot given twice (the booking rules refuse it and say so)."""
    ids, malformed = [], False
    for value in values[:MAX_SLOTS_IN_SET]:
        slot_id = database_id(value)
        if slot_id is None:
            malformed = True
        elif not once or slot_id not in ids:
            ids.append(slot_id)
    selection = Selection(tuple(ids), malformed)
    dropped = database_id(drop) if drop else None
    return selection.without(dropped) if dropped else selection
