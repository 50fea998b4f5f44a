"""The report form of a meeting (/admin/events/<id>/report) and a theme's synthesis
(/admin/themes/<theme>/<year>): the draft starts from the attendance, rows keep their order,
bad input writes nothing, other bassins' events are not found."""

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from tests.admin.conftest import sign_in
from tests.factories import series
from webapp.agenda.reports import Report, ReportQuote, ReportSection, ThemeSynthesis
from webapp.audit import AuditEntry
from webapp.extensions import db
from webapp.registrations.models import Registration
from webapp.timezones import utcnow

# (sector, status, attended) of the registrants of the meeting.
PEOPLE = [
    ("hopital", "confirmed", True),
    ("hopital", "confirmed", True),
    ("cpas", "confirmed", True),
    ("logement", "confirmed", False),
    ("maison-medicale", "confirmed", None),
    ("bas-seuil", "cancelled", True),
    ("sante-mentale", "waitlisted", None),
]
GROUP_OF = {
    "hopital": "hopital",
    "cpas": "social",
    "logement": "social",
    "maison-medicale": "premiere-ligne-soins",
    "bas-seuil": "bas-seuil",
    "sante-mentale": "sante-mentale",
}


def meeting(make_event, bassins=("sud",), people=PEOPLE):
    start = (utcnow() - timedelta(days=7)).replace(microsecond=0)
    event = make_event("Concertation liaison #2", start=start, bassins=bassins)
    for number, (sector, status, attended) in enumerate(people):
        db.session.add(
            Registration(
                event_id=event.id,
                status=status,
                first_name="P",
                last_name=str(number),
                email=f"p{number}@example.org",
                sector=sector,
                attended=attended,
            )
        )
    db.session.commit()
    return event


def expected(people, taken):
    """Participants and sector groups counted here, apart from the application."""
    counted = [
        sector
        for sector, status, attended in people
        if status == "confirmed" and (attended is True if taken else True)
    ]
    groups = {}
    for sector in counted:
        groups[GROUP_OF[sector]] = groups.get(GROUP_OF[sector], 0) + 1
    return len(counted), groups


def form(**changes):
    data = {
        "participants_count": "12",
        "sector_hopital": "4",
        "sector_social": "8",
        "presentation_url": "https://example.org/support.pdf",
        "report_url": "",
        "sections-0-position": "2",
        "sections-0-title_fr": "Pistes d'actions",
        "sections-0-text_fr": "Renforcer les trajets de sortie.",
        "sections-1-position": "1",
        "sections-1-title_fr": "Veille des besoins",
        "sections-1-title_nl": "Noden",
        "sections-1-text_fr": "Des retours à domicile précipités.",
        "sections-2-position": "3",
        "sections-2-title_fr": "Retirée",
        "sections-2-text_fr": "Cette partie est retirée.",
        "sections-2-remove": "y",
        "sections-3-position": "4",
        "quotes-0-position": "1",
        "quotes-0-text": "On se parle enfin.",
        "quotes-0-sector_group": "hopital",
        "quotes-1-position": "2",
        "quotes-1-text": "",
        "action": "save",
    }
    data.update(changes)
    return {k: v for k, v in data.items() if v is not None}


def report_of(event):
    db.session.expire_all()
    return db.session.scalar(select(Report).where(Report.event_id == event.id))


def audit_actions():
    return db.session.scalars(
        select(AuditEntry.action).where(AuditEntry.action.like("report.%")).order_by(AuditEntry.id)
    ).all()


def test_draft_figures_equal_the_attendance(sud_client, make_event):
    event = meeting(make_event)
    count, groups = expected(PEOPLE, taken=True)
    html = sud_client.get(f"/admin/events/{event.id}/report").get_data(as_text=True)
    assert f'name="participants_count" type="text" value="{count}"' in html
    for group, number in groups.items():
        assert f'name="sector_{group}" type="text" value="{number}"' in html
    assert 'name="sector_premiere-ligne-soins" type="text" value=""' in html
    assert "liste de présence" in html


def test_without_attendance_the_draft_counts_confirmed_registrations_marked(
    sud_client, client, make_event
):
    people = [(s, st, None) for s, st, _ in PEOPLE]
    event = meeting(make_event, people=people)
    count, groups = expected(people, taken=False)
    html = sud_client.get(f"/admin/events/{event.id}/report").get_data(as_text=True)
    assert f'name="participants_count" type="text" value="{count}"' in html
    assert "Pas de liste de présence" in html
    data = form(participants_count=str(count), sector_hopital=None, sector_social=None)
    data.update({f"sector_{g}": str(n) for g, n in groups.items()})
    data["action"] = "publish"
    response = sud_client.post(f"/admin/events/{event.id}/report", data=data)
    assert response.status_code == 303
    assert report_of(event).figures_source == "registrations"
    page = client.get(f"/events/{event.id}").get_data(as_text=True)
    assert "inscriptions confirmées" in page


def test_saved_rows_keep_their_numbers_order_and_removed_rows_go(sud_client, make_event, client):
    event = meeting(make_event)
    response = sud_client.post(f"/admin/events/{event.id}/report", data=form())
    assert response.status_code == 303
    report = report_of(event)
    assert report.status == "draft"
    assert report.figures_source == "manual"  # 12 typed, not the attendance's 3
    assert report.participant_sectors == {"hopital": 4, "social": 8}
    assert [s.title_fr for s in report.sections] == ["Veille des besoins", "Pistes d'actions"]
    assert report.sections[0].title_nl == "Noden"
    assert [(q.text, q.sector_group) for q in report.quotes] == [("On se parle enfin.", "hopital")]
    # The page again: the saved rows, then two empty ones of each.
    html = sud_client.get(f"/admin/events/{event.id}/report").get_data(as_text=True)
    assert 'name="sections-3-title_fr"' in html and 'name="sections-4-title_fr"' not in html
    assert 'name="quotes-2-text"' in html and 'name="quotes-3-text"' not in html
    # A draft is not public.
    assert "Veille des besoins" not in client.get(f"/events/{event.id}").get_data(as_text=True)
    assert audit_actions() == ["report.saved"]


def test_publish_and_unpublish_buttons(sud_client, make_event, client):
    event = meeting(make_event)
    response = sud_client.post(f"/admin/events/{event.id}/report", data=form(action="publish"))
    assert response.status_code == 303
    assert report_of(event).status == "published"
    assert "Veille des besoins" in client.get(f"/events/{event.id}").get_data(as_text=True)
    html = sud_client.get(f"/admin/events/{event.id}/report").get_data(as_text=True)
    assert 'value="unpublish"' in html
    response = sud_client.post(f"/admin/events/{event.id}/report", data={"action": "unpublish"})
    assert response.status_code == 303
    assert report_of(event).status == "draft"
    assert "Veille des besoins" not in client.get(f"/events/{event.id}").get_data(as_text=True)
    assert audit_actions() == ["report.saved", "report.published", "report.unpublished"]


@pytest.mark.parametrize(
    ("changes", "field_id"),
    [
        ({"participants_count": "-3"}, "participants_count"),
        ({"participants_count": "douze"}, "participants_count"),
        ({"sector_social": "1e9"}, "sector_social"),
        ({"presentation_url": "javascript:alert(1)"}, "presentation_url"),
        ({"report_url": "/relative/path"}, "report_url"),
        ({"presentation_url": "https://example.org/" + "a" * 600}, "presentation_url"),
        ({"sections-0-title_fr": "Pistes\x00"}, "sections-0-title_fr"),
        ({"sections-0-title_fr": "Deux\nlignes"}, "sections-0-title_fr"),
        ({"sections-0-title_fr": "x" * 201}, "sections-0-title_fr"),
        ({"sections-0-title_fr": ""}, "sections-0-title_fr"),  # a text needs its title
        ({"sections-0-position": "premier"}, "sections-0-position"),
        ({"quotes-0-text": "y" * 301}, "quotes-0-text"),
        ({"quotes-0-text": "bip\x07"}, "quotes-0-text"),
        ({"quotes-0-sector_group": "pirates"}, "quotes-0-sector_group"),
    ],
)
def test_bad_input_is_refused_beside_the_field_and_nothing_written(
    sud_client, make_event, changes, field_id
):
    event = meeting(make_event)
    response = sud_client.post(f"/admin/events/{event.id}/report", data=form(**changes))
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert f'id="{field_id}-error"' in html
    assert report_of(event) is None
    assert audit_actions() == []


def test_typed_script_is_escaped_on_the_public_page(sud_client, make_event, client):
    event = meeting(make_event)
    data = form(action="publish", **{"sections-0-title_fr": "<script>alert(1)</script>"})
    data["quotes-0-text"] = "<img src=x onerror=alert(1)>"
    assert sud_client.post(f"/admin/events/{event.id}/report", data=data).status_code == 303
    html = client.get(f"/events/{event.id}").get_data(as_text=True)
    assert "<script>alert(1)" not in html and "&lt;script&gt;alert(1)" in html
    assert "<img src=x" not in html


def test_other_bassins_event_is_not_found_and_service_is_forbidden(
    app, sud_client, make_event, make_staff
):
    nord = meeting(make_event, bassins=("nord",))
    for method in ("get", "post"):
        response = getattr(sud_client, method)(f"/admin/events/{nord.id}/report", data=form())
        assert response.status_code == 404
    response = sud_client.post(f"/admin/events/{nord.id}/report", data={"action": "unpublish"})
    assert response.status_code == 404
    service = sign_in(app.test_client(), make_staff("service", organisation="CPAS de Forest"))
    assert service.get(f"/admin/events/{nord.id}/report").status_code == 403
    assert report_of(nord) is None


def test_admin_reaches_every_bassin(admin_client, make_event):
    nord = meeting(make_event, bassins=("nord",))
    response = admin_client.post(f"/admin/events/{nord.id}/report", data=form())
    assert response.status_code == 303
    assert report_of(nord) is not None


def test_theme_synthesis_is_written_by_admins_only(admin_client, sud_client, make_event, client):
    series("sud-liaison", "Liaison ambulatoire-hôpital", ("sud",), "liaison-ambulatoire-hopital")
    db.session.commit()
    event = make_event("Liaison Sud #1", series_slug="sud-liaison")
    year = event.local_start.year
    url = f"/admin/themes/liaison-ambulatoire-hopital/{year}"
    assert sud_client.get(url).status_code == 403
    assert sud_client.post(url, data={"text_fr": "non"}).status_code == 403
    assert admin_client.get(url).status_code == 200
    assert admin_client.get(f"/admin/themes/inconnu/{year}").status_code == 404
    response = admin_client.post(url, data={"text_fr": "Bip\x07", "text_nl": ""})
    assert response.status_code == 422
    assert db.session.scalar(select(func.count()).select_from(ThemeSynthesis)) == 0
    response = admin_client.post(
        url, data={"text_fr": "Les bassins convergent.", "text_nl": "", "action": "publish"}
    )
    assert response.status_code == 303
    page = client.get(f"/themes/liaison-ambulatoire-hopital/{year}").get_data(as_text=True)
    assert "Les bassins convergent." in page
    assert (
        db.session.scalar(select(func.count()).where(AuditEntry.action == "theme.synthesis_saved"))
        == 1
    )


def test_rows_are_bounded(sud_client, make_event):
    event = meeting(make_event)
    data = form()
    for index in range(4, 70):
        data[f"sections-{index}-title_fr"] = f"Partie {index}"
        data[f"sections-{index}-text_fr"] = "texte"
    response = sud_client.post(f"/admin/events/{event.id}/report", data=data)
    assert response.status_code in (400, 422)
    assert db.session.scalar(select(func.count()).select_from(ReportSection)) == 0
    assert db.session.scalar(select(func.count()).select_from(ReportQuote)) == 0
