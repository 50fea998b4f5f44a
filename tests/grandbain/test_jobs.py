"""Reminders two days before a visit: once per booking, through the outbox."""

from datetime import timedelta

from tests.grandbain.conftest import rules
from webapp.extensions import db
from webapp.grandbain import jobs
from webapp.grandbain.models import Slot
from webapp.mail.outbox import deliver_all
from webapp.timezones import utcnow
from webapp.unit_of_work import unit_of_work


def test_a_visit_within_48_hours_is_reminded_once_with_its_cancel_link(
    edition, make_offer, person, smtp
):
    soon = make_offer("Maison médicale du Midi", [(0, "09:00", "10:00", 5)])
    later = make_offer("CPAS de Forest", [(1, "09:00", "10:00", 5)], email="c@f.be")
    rules.book(edition.id, [soon.slots[0].id, later.slots[0].id], person())
    waiting_for = make_offer("Hôpital Molière", [(2, "09:00", "10:00", 1)], email="h@m.be")
    rules.book(edition.id, [waiting_for.slots[0].id], person(2))
    rules.book(edition.id, [waiting_for.slots[0].id], person(), waitlist=True)
    with unit_of_work("bring the visit close"):
        slot = db.session.get(Slot, soon.slots[0].id)
        slot.start_at = utcnow() + timedelta(hours=30)
        slot.end_at = slot.start_at + timedelta(hours=1)
        slot = db.session.get(Slot, waiting_for.slots[0].id)  # waitlisted: no reminder
        slot.start_at = utcnow() + timedelta(hours=20)
        slot.end_at = slot.start_at + timedelta(hours=1)
    deliver_all()
    before = len(smtp.inbox.to("anne.1@example.org"))
    assert jobs.send_reminders() == 2  # hers, and the one who holds the place she waits for
    assert jobs.send_reminders() == 0
    deliver_all()
    (reminder,) = smtp.inbox.to("anne.1@example.org")[before:]
    assert "rappel" in reminder["Subject"]
    body = reminder.get_body(("plain",)).get_content()
    assert "Maison médicale du Midi" in body and "CPAS de Forest" not in body
    assert "/grand-bain/visits/" in body
