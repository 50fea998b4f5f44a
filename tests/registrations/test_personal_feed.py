"""The personal feeds: what the web page links to covers one registration; the link that
lists everything an address is registered for only ever reaches that mailbox."""

import re

from tests.edge import personal_data, rules
from tests.registrations.test_views import form_data
from webapp.extensions import db
from webapp.mail.outbox import deliver_all
from webapp.registrations.models import Registration

# The page links its feed absolute (webcal, and inside Google and Outlook links): the path.
FEED_LINK = re.compile(
    r'href="(?:webcal|https?)://[^/"]+(/calendar/[A-Za-z0-9_-]{43}\.ics)(?:\?lang=\w+)?"'
)


def summaries(body):
    return re.findall(r"^SUMMARY:(.*)$", body.replace("\r\n ", "").replace("\r\n", "\n"), re.M)


def test_a_stranger_who_registers_an_address_sees_none_of_its_other_registrations(
    client, make_event, person
):
    concertation = make_event(title="Concertation santé mentale", capacity=5)
    formation = make_event(title="Formation Diogène", capacity=5)
    decoy = make_event(title="Atelier du Changement #9", capacity=5)
    rules.register(concertation.id, person(1))
    rules.register(formation.id, person(1))

    # The attacker types the victim's address: the 303 leads to the personal page.
    response = client.post(f"/events/{decoy.id}/register", data=form_data(1))
    assert response.status_code == 303
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    links = set(FEED_LINK.findall(page))
    assert len(links) == 1
    feed = client.get(links.pop())
    assert feed.status_code == 200
    assert summaries(feed.get_data(as_text=True)) == ["Atelier du Changement #9"]

    # No token of the mailbox link anywhere on the page.
    for registration in db.session.scalars(db.select(Registration)):
        assert registration.mailbox_token not in page

    # Cancelled, the link still answers, with nothing in it: the entry leaves the calendar.
    token = response.headers["Location"].rsplit("/", 1)[1]
    client.post(f"/registrations/{token}/cancel")
    feed = client.get(FEED_LINK.search(page).group(1))
    assert feed.status_code == 200
    assert "BEGIN:VCALENDAR" in feed.get_data(as_text=True)
    assert summaries(feed.get_data(as_text=True)) == []


def test_the_link_sent_by_mail_lists_every_registration_of_the_address(
    client, make_event, person, smtp
):
    first = make_event(title="Concertation A", capacity=3)
    full = make_event(title="Formation B", capacity=1)
    other = make_event(title="Atelier C", capacity=3)
    rules.register(full.id, person(9))
    rules.register(first.id, person(1))
    rules.register(full.id, person(1))  # waitlisted
    rules.register(other.id, person(2))
    deliver_all()
    mail = smtp.inbox.to("anne.1@example.org")[0]
    link = re.search(r"/calendar/[A-Za-z0-9_-]{43}\.ics", mail.get_body(("plain",)).get_content())
    response = client.get(link.group(0))
    assert response.status_code == 200
    body = response.get_data(as_text=True)
    assert sorted(summaries(body)) == ["Concertation A", "Formation B (liste d'attente)"]
    events = body.split("BEGIN:VEVENT")[1:]
    waitlisted = next(e for e in events if "Formation B" in e)
    assert "STATUS:TENTATIVE" in waitlisted
    assert "private" in response.headers["Cache-Control"]
    assert "public" not in response.headers["Cache-Control"]
    assert "Set-Cookie" not in response.headers
    again = client.get(link.group(0), headers={"If-None-Match": response.headers["ETag"]})
    assert again.status_code == 304


def test_an_erased_registration_has_no_feed_any_more(client, make_event, person):
    registration = rules.register(make_event(capacity=3).id, person(1)).registration
    calendar, mailbox = registration.calendar_token, registration.mailbox_token
    personal_data.erase(registration.id)
    assert client.get(f"/calendar/{calendar}.ics").status_code == 404
    assert client.get(f"/calendar/{mailbox}.ics").status_code == 404


def test_the_personal_page_is_never_stored_by_a_cache(client, make_event, person):
    registration = rules.register(make_event(capacity=3).id, person(1)).registration
    response = client.get(f"/registrations/{registration.token}")
    assert "no-store" in response.headers["Cache-Control"]
    assert "private" in response.headers["Cache-Control"]


def mailed_feed_link(mail):
    body = mail.get_body(("plain",)).get_content()
    return re.search(r"/calendar/[A-Za-z0-9_-]{43}\.ics", body).group(0)


def test_the_first_calendar_links_still_answer_after_cancelling_and_registering_again(
    client, make_event, person, smtp
):
    event = make_event(title="Concertation santé mentale", capacity=5)
    other = make_event(title="Formation Diogène", capacity=5)
    rules.register(other.id, person(1))
    first = rules.register(event.id, person(1)).registration
    deliver_all()
    mailed = mailed_feed_link(smtp.inbox.to("anne.1@example.org")[-1])
    page = client.get(f"/registrations/{first.token}").get_data(as_text=True)
    shown = FEED_LINK.search(page).group(1)

    rules.cancel(first.id)
    assert summaries(client.get(shown).get_data(as_text=True)) == []
    assert summaries(client.get(mailed).get_data(as_text=True)) == ["Formation Diogène"]

    again = rules.register(event.id, person(1)).registration
    assert again.id != first.id
    for link in (shown, mailed):
        assert client.get(link).status_code == 200
    assert summaries(client.get(shown).get_data(as_text=True)) == ["Concertation santé mentale"]
    assert sorted(summaries(client.get(mailed).get_data(as_text=True))) == [
        "Concertation santé mentale",
        "Formation Diogène",
    ]
    # The new page shows the link already subscribed to; the old row's links are gone.
    new_page = client.get(f"/registrations/{again.token}").get_data(as_text=True)
    assert FEED_LINK.search(new_page).group(1) == shown
    old_row = db.session.get(Registration, first.id)
    assert old_row.anonymised_at is not None
    assert old_row.calendar_token not in shown and old_row.mailbox_token not in mailed

    # Erased, every link of the registration is dead.
    personal_data.erase(again.id)
    assert client.get(shown).status_code == 404
    assert client.get(mailed).status_code == 404


def test_a_waitlisted_feed_on_the_page_is_tentative_and_says_so(client, make_event, person):
    event = make_event(title="Formation Diogène", capacity=1)
    rules.register(event.id, person(1))
    waiting = rules.register(event.id, person(2)).registration
    page = client.get(f"/registrations/{waiting.token}").get_data(as_text=True)
    body = client.get(FEED_LINK.search(page).group(1)).get_data(as_text=True)
    assert summaries(body) == ["Formation Diogène (liste d'attente)"]
    assert "STATUS:TENTATIVE" in body


def test_a_pending_feed_in_dutch_says_aanvraag_in_behandeling(client, make_event, person):
    event = make_event(
        title="Groupe fermé", title_nl="Gesloten groep", registration_mode="approval"
    )
    pending = rules.register(event.id, person(1), language="nl").registration
    body = client.get(f"/calendar/{pending.calendar_token}.ics").get_data(as_text=True)
    assert summaries(body) == ["Gesloten groep (aanvraag in behandeling)"]
    assert "STATUS:TENTATIVE" in body
