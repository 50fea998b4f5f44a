"""The unit of work commits once, or rolls everything back."""

import pytest
from sqlalchemy import func, select

from webapp.agenda.models import Venue
from webapp.extensions import db
from webapp.unit_of_work import transactional, unit_of_work


def venues():
    return db.session.scalar(select(func.count()).select_from(Venue))


def test_a_unit_of_work_commits_what_it_did(territory):
    with unit_of_work():
        db.session.add(Venue(name="Maison de quartier", address="Rue A 1"))
    db.session.rollback()  # nothing left to roll back: it was committed
    assert venues() == 1


def test_any_error_rolls_everything_back(territory):
    with pytest.raises(RuntimeError), unit_of_work():
        db.session.add(Venue(name="Maison de quartier", address="Rue A 1"))
        db.session.flush()
        raise RuntimeError("crash mid-request")
    assert venues() == 0


def test_a_transactional_function_is_one_unit(territory):
    @transactional
    def add_two(fail):
        db.session.add(Venue(name="Salle 1", address="Rue A 1"))
        db.session.flush()
        if fail:
            raise ValueError("refused")
        db.session.add(Venue(name="Salle 2", address="Rue A 2"))

    with pytest.raises(ValueError):
        add_two(fail=True)
    assert venues() == 0
    add_two(fail=False)
    assert venues() == 2
