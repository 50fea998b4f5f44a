"""The personal feeds: what the web page links to covers one registration; the link that
lists everything an address is registered for only ever reaches that mailbox."""

import re

from tests.edge import personal_data, rules
from tests.registrations.test_views import form_data
from webapp.extensions import db
from webapp.mail.outbox import deliver_all
from webapp.registrations.models import Registration

FEED_LINK = re.compile(r'href="(/calendar/[A-Za-z0-9_-]{43}\.ics)"')


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

    # Cancelled, the link still shows that one event only, now as cancelled.
    token = response.headers["Location"].rsplit("/", 1)[1]
    client.post(f"/registrations/{token}/cancel")
    body = client.get(FEED_LINK.search(page).group(1)).get_data(as_text=True)
    assert summaries(body) == ["Atelier du Changement #9"]
    assert "STATUS:CANCELLED" in body


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
    assert sorted(summaries(body)) == ["Concertation A", "Formation B"]
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
