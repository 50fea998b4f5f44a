"""The Grand Bain in the back office: moderation of offers by the bassin of the service's
commune (every answer mailed through the outbox to the local SMTP server), the editions'
settings, a host's visitors (its own only), their export and one message to them."""

import csv
import io

from openpyxl import load_workbook
from sqlalchemy import func, select

from tests.admin.conftest import sign_in
from tests.grandbain import conftest as grand_bain
from webapp.agenda.models import Bassin, Organisation
from webapp.audit import AuditEntry
from webapp.extensions import db
from webapp.grandbain.models import Edition, Offer
from webapp.grandbain.states import OfferStatus
from webapp.mail.models import OutboxMessage
from webapp.mail.outbox import deliver_all
from webapp.unit_of_work import unit_of_work

# The Grand Bain's fixtures (a real SMTP server, an edition, offers, people).
app_config = grand_bain.app_config
edition, make_offer, person, rules = (
    grand_bain.edition,
    grand_bain.make_offer,
    grand_bain.person,
    grand_bain.rules,
)


def delivered(smtp):
    sent, failed = deliver_all()
    assert failed == 0
    return sent


def status_of(offer):
    db.session.expire_all()
    return db.session.get(Offer, offer.id).status


def test_the_sud_team_sees_its_offers_waiting_first_and_not_another_bassins(
    sud_client, make_offer, edition
):
    accepted = make_offer("CPAS de Forest", commune="forest")
    waiting = make_offer(
        "Maison médicale d'Ixelles", commune="ixelles", status=OfferStatus.SUBMITTED
    )
    elsewhere = make_offer("Service de Ganshoren", commune="ganshoren", status="submitted")
    page = sud_client.get(f"/admin/grand-bain/{edition.year}/").get_data(as_text=True)
    assert page.index(f'data-offer-id="{waiting.id}"') < page.index(
        f'data-offer-id="{accepted.id}"'
    )
    assert "Ganshoren" not in page
    assert sud_client.get(f"/admin/grand-bain/offers/{elsewhere.id}").status_code == 404
    response = sud_client.post(f"/admin/grand-bain/offers/{elsewhere.id}/accept")
    assert response.status_code == 404
    assert status_of(elsewhere) == OfferStatus.SUBMITTED
    refused = sud_client.post(
        f"/admin/grand-bain/offers/{elsewhere.id}/refuse", data={"refusal-reason": "Non"}
    )
    assert refused.status_code == 404
    assert status_of(elsewhere) == OfferStatus.SUBMITTED


def test_moderation_asks_changes_then_accepts_and_the_service_is_told_each_time(
    sud_client, make_offer, smtp
):
    offer = make_offer("Maison médicale du Midi", status=OfferStatus.SUBMITTED, email="mm@midi.be")
    page = sud_client.get(f"/admin/grand-bain/offers/{offer.id}").get_data(as_text=True)
    assert "Accepter l'offre" in page

    empty = sud_client.post(
        f"/admin/grand-bain/offers/{offer.id}/changes", data={"changes-reason": "  "}
    )
    assert empty.status_code == 422
    assert "Ce champ est obligatoire." in empty.get_data(as_text=True)
    assert status_of(offer) == OfferStatus.SUBMITTED

    asked = sud_client.post(
        f"/admin/grand-bain/offers/{offer.id}/changes",
        data={"changes-reason": "Précisez l'accès PMR, s'il vous plaît."},
    )
    assert asked.status_code == 303
    assert status_of(offer) == OfferStatus.CHANGES_REQUESTED
    assert delivered(smtp) == 1
    (mail,) = smtp.inbox.to("mm@midi.be")
    assert "modification" in mail["Subject"]
    assert "Précisez l'accès PMR" in mail.get_body(("plain",)).get_content()

    assert sud_client.post(f"/admin/grand-bain/offers/{offer.id}/accept").status_code == 303
    assert status_of(offer) == OfferStatus.ACCEPTED
    assert delivered(smtp) == 1
    assert "acceptée" in smtp.inbox.to("mm@midi.be")[-1]["Subject"]
    actions = db.session.scalars(
        select(AuditEntry.action).where(AuditEntry.subject_id == offer.id)
    ).all()
    assert "grand_bain.offer_accepted" in actions

    # Once decided, it is not decided again: no mail, no change.
    sud_client.post(f"/admin/grand-bain/offers/{offer.id}/refuse", data={"refusal-reason": "x"})
    assert status_of(offer) == OfferStatus.ACCEPTED
    assert delivered(smtp) == 0


def test_a_refusal_carries_its_reason_to_the_service(sud_client, make_offer, smtp):
    offer = make_offer("Service X", status=OfferStatus.SUBMITTED, email="x@service.be")
    sud_client.post(
        f"/admin/grand-bain/offers/{offer.id}/refuse",
        data={"refusal-reason": "Hors des communes participantes."},
    )
    assert status_of(offer) == OfferStatus.REFUSED
    assert delivered(smtp) == 1
    mail = smtp.inbox.to("x@service.be")[0]
    assert "n'est pas retenue" in mail["Subject"]
    assert "Hors des communes participantes." in mail.get_body(("plain",)).get_content()


def test_a_service_account_cannot_decide_and_sees_only_its_organisations_offers(
    app, make_staff, make_offer
):
    with unit_of_work("orgs"):
        own = Organisation(name="Maison médicale du Midi")
        other = Organisation(name="CPAS de Forest")
        db.session.add_all([own, other])
    mine = make_offer("Maison médicale du Midi")
    theirs = make_offer("CPAS de Forest", email="cpas@forest.be")
    with unit_of_work("link"):
        db.session.get(Offer, mine.id).organisation_id = own.id
        db.session.get(Offer, theirs.id).organisation_id = other.id
    client = sign_in(app.test_client(), make_staff("service", organisation=own.name))
    assert client.get(f"/admin/grand-bain/offers/{mine.id}").status_code == 200
    assert client.get(f"/admin/grand-bain/offers/{theirs.id}").status_code == 404
    assert client.get(f"/admin/grand-bain/offers/{theirs.id}/visitors.csv").status_code == 404
    message = {"subject": "Accès", "body": "Bonjour"}
    response = client.post(f"/admin/grand-bain/offers/{theirs.id}/message", data=message)
    assert response.status_code == 404
    assert client.post(f"/admin/grand-bain/offers/{mine.id}/accept").status_code == 403
    listing = client.get("/admin/grand-bain/").get_data(as_text=True)
    assert f'data-offer-id="{mine.id}"' in listing
    assert f'data-offer-id="{theirs.id}"' not in listing


def book_two(make_offer, edition, person):
    """Two hosts; three people booked: two at the Midi (one named like a formula), one at
    Forest."""
    midi = make_offer("Maison médicale du Midi", email="mm@midi.be")
    forest = make_offer(
        "CPAS de Forest", slots=((1, "14:00", "15:00", 5),), commune="forest", email="c@f.be"
    )
    rules.book(
        edition.id,
        [midi.slots[0].id],
        person(1, last_name='=HYPERLINK("http://evil.example","x")'),
        {midi.slots[0].id: "+33 Puis-je venir avec une stagiaire ?"},
    )
    rules.book(edition.id, [midi.slots[0].id], person(2, last_name="Maes"))
    rules.book(edition.id, [forest.slots[0].id], person(3, last_name="Secret-Forest"))
    return midi, forest


def test_the_host_link_shows_its_own_visitors_only_and_exports_formula_safe_cells(
    client, make_offer, edition, person
):
    midi, forest = book_two(make_offer, edition, person)
    page = client.get(f"/grand-bain/offers/{midi.token}").get_data(as_text=True)
    assert "Maes" in page and "Secret-Forest" not in page
    assert "anne.2@example.org" not in page  # not even the visitors' addresses

    response = client.get(f"/grand-bain/offers/{midi.token}/visitors.csv")
    assert response.headers["Cache-Control"] == "private, no-store"
    body = response.get_data()
    assert body.startswith("\ufeff".encode())
    rows = list(csv.reader(io.StringIO(body.decode("utf-8-sig")), delimiter=";"))
    assert len(rows) == 3
    names = [row[3] for row in rows[1:]]
    assert names[0].startswith("'=HYPERLINK(")
    assert "Maes" in names and not any("Secret" in cell for row in rows for cell in row)
    assert rows[1][7].startswith("'+33")

    xlsx = client.get(f"/grand-bain/offers/{midi.token}/visitors.xlsx")
    sheet = load_workbook(io.BytesIO(xlsx.get_data())).active
    cells = [cell for row in sheet.iter_rows() for cell in row if cell.value]
    assert not any(c.data_type == "f" for c in cells)
    # The trap is a string cell: text by its type, without the CSV's apostrophe.
    (trap,) = [c for c in cells if str(c.value).startswith("=HYPERLINK(")]
    assert trap.data_type == "s"
    assert sheet.max_row == 3


def test_the_host_writes_once_to_its_visitors_each_alone(client, make_offer, edition, person, smtp):
    midi, forest = book_two(make_offer, edition, person)
    delivered(smtp)
    smtp.inbox.messages.clear()
    smtp.inbox.envelopes.clear()
    bad = client.post(
        f"/grand-bain/offers/{midi.token}/message",
        data={"subject": "Accès\r\nBcc: x@y", "body": ""},
    )
    assert bad.status_code == 422
    assert (
        db.session.scalar(
            select(func.count()).select_from(OutboxMessage).where(OutboxMessage.status == "pending")
        )
        == 0
    )
    response = client.post(
        f"/grand-bain/offers/{midi.token}/message",
        data={"subject": "Accès", "body": "Sonnez deux fois.\nÀ bientôt !"},
    )
    assert response.status_code == 303
    assert delivered(smtp) == 2
    recipients = sorted(r for _sender, rs in smtp.inbox.envelopes for r in rs)
    assert recipients == ["anne.1@example.org", "anne.2@example.org"]
    for message in smtp.inbox.messages:
        assert "Sonnez deux fois." in message.get_body(("plain",)).get_content()
        assert "," not in message["To"]  # one recipient per message
    assert not smtp.inbox.to("anne.3@example.org")


def test_a_foreign_offer_id_in_the_admin_url_is_404_for_the_host_views(
    sud_client, make_offer, edition, person
):
    midi, _forest = book_two(make_offer, edition, person)
    nord = make_offer("Service de Ganshoren", commune="ganshoren", email="g@g.be")
    assert sud_client.get(f"/admin/grand-bain/offers/{nord.id}/visitors.xlsx").status_code == 404
    page = sud_client.get(f"/admin/grand-bain/offers/{midi.id}").get_data(as_text=True)
    assert "Maes" in page and "Secret-Forest" not in page


def test_an_admin_opens_an_edition_and_changes_its_settings(admin_client, sud_client, territory):
    form = {
        "year": "2031",
        "week_start": "2031-10-13",
        "week_end": "2031-10-17",
        "bassins": ["sud", "nord"],
        "call_opens_at": "2031-03-01T09:00",
        "call_closes_at": "2031-05-01T17:00",
        "booking_opens_at": "2031-09-01T09:00",
        "booking_closes_at": "",
        "max_slots_per_offer": "2",
        "max_visits_per_visitor": "3",
        "margin_minutes": "20",
        "reported_services": "",
        "reported_visitors": "",
        "reported_visits": "",
    }
    assert sud_client.post("/admin/grand-bain/new", data=form).status_code == 403
    wrong = admin_client.post("/admin/grand-bain/new", data={**form, "week_end": "2031-10-10"})
    assert wrong.status_code == 422
    assert "La semaine se termine après son premier jour." in wrong.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(Edition)) == 0

    assert admin_client.post("/admin/grand-bain/new", data=form).status_code == 303
    opened = db.session.scalar(select(Edition).where(Edition.year == 2031))
    assert [b.slug for b in opened.bassins] == ["nord", "sud"]
    assert opened.margin_minutes == 20 and opened.max_slots_per_offer == 2
    assert opened.call_opens_at.hour == 8  # 09:00 in Brussels on 1 March is 08:00 UTC

    page = admin_client.get("/admin/grand-bain/2031/settings").get_data(as_text=True)
    assert 'value="2031-03-01T09:00"' in page
    changed = {**form, "reported_visits": "182", "bassins": ["sud"]}
    assert admin_client.post("/admin/grand-bain/2031/settings", data=changed).status_code == 303
    db.session.expire_all()
    opened = db.session.get(Edition, opened.id)
    assert opened.reported_visits == 182
    assert [b.slug for b in opened.bassins] == ["sud"]
    taken = admin_client.post("/admin/grand-bain/new", data=form)
    assert taken.status_code == 422
    assert "Une édition existe déjà pour cette année." in taken.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(Bassin)) == 5


def test_an_offer_name_mixing_alphabets_is_flagged_in_the_queue(sud_client, make_offer, edition):
    lookalike = make_offer("Maison m\u0435dicale du Midi", status=OfferStatus.SUBMITTED)
    plain = make_offer("Maison médicale du Midi", status=OfferStatus.SUBMITTED)
    page = sud_client.get(f"/admin/grand-bain/{edition.year}/").get_data(as_text=True)
    rows = {
        int(part.split('"')[0]): part.split("</tr>")[0]
        for part in page.split('data-offer-id="')[1:]
    }
    assert 'data-mixed-alphabets="CYRILLIC LATIN"' in rows[lookalike.id]
    assert "data-mixed-alphabets" not in rows[plain.id]
