"""Editing evaluation questions: kinds' templates (admins) and one event's copy (the team,
while no answer exists). Keys and option values stay; results keep the old questions."""

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from tests.admin.conftest import sign_in
from webapp.audit import AuditEntry
from webapp.evaluations import jobs, results
from webapp.evaluations.defaults import default_questions, ensure_default_templates
from webapp.evaluations.models import Answer, EvaluationForm, EvaluationTemplate
from webapp.evaluations.question_editor import key_from
from webapp.extensions import db
from webapp.registrations.models import Registration
from webapp.timezones import local_today, utcnow

TEMPLATE = "/admin/evaluations/templates/concertation"


@pytest.fixture
def templates(app):
    ensure_default_templates()
    db.session.commit()


def template_questions(kind="concertation"):
    db.session.expire_all()
    return db.session.scalar(
        select(EvaluationTemplate.questions).where(EvaluationTemplate.kind == kind)
    )


def _pair(labels):
    return f"{labels['fr']} | {labels['nl']}"


def posted(questions, extra=(), **changes):
    """The editor's POST for `questions` (as the page shows them), with `changes` on rows:
    changes={"rows-0-fr": "..."}; `extra` rows appended as dicts."""
    data = {}
    rows = [
        {
            "key": q["key"],
            "order": str(n),
            "type": q["type"],
            "required": "y" if q.get("required") else "",
            "fr": q["fr"],
            "nl": q.get("nl", ""),
            "low": _pair(q["low"]) if q.get("low") else "",
            "high": _pair(q["high"]) if q.get("high") else "",
            "options": "\n".join(_pair(o) for o in q.get("options") or ()),
        }
        for n, q in enumerate(questions, 1)
    ] + list(extra)
    for n, row in enumerate(rows):
        for name, value in row.items():
            if value:
                data[f"rows-{n}-{name}"] = value
    data.update({k.replace("__", "-"): v for k, v in changes.items()})
    return data


def audit_count(action):
    return db.session.scalar(
        select(func.count()).select_from(AuditEntry).where(AuditEntry.action == action)
    )


def test_keys_are_generated_from_the_french_label_and_unique():
    assert key_from("Qu'en retenez-vous ?", set()) == "qu_en_retenez_vous"
    assert key_from("Qu'en retenez-vous ?", {"qu_en_retenez_vous"}) == "qu_en_retenez_vous_2"
    assert key_from("???", set()) == "question"
    assert len(key_from("très " * 40, set())) <= 40


def test_list_shows_every_kind_to_admins(admin_client, templates):
    page = admin_client.get("/admin/evaluations/templates")
    assert page.status_code == 200
    assert 'data-kind="concertation"' in page.text and 'data-kind="webinaire"' in page.text
    assert page.headers["Cache-Control"] == "private, no-store"


def test_admin_adds_a_question_keys_stay_and_one_audit_line(admin_client, templates):
    before = template_questions()
    new = {
        "order": "1",  # after the first (same number: the page's order)
        "type": "choice",
        "fr": "Comment avez-vous connu la rencontre ?",
        "nl": "Hoe hebt u de bijeenkomst leren kennen?",
        "options": "Par mail | Via e-mail\nPar un collègue | Via een collega",
        "required": "y",
    }
    response = admin_client.post(TEMPLATE, data=posted(before, extra=[new]))
    assert response.status_code == 303
    after = template_questions()
    assert [q["key"] for q in after] == [
        before[0]["key"],
        "comment_avez_vous_connu_la_rencontre",
    ] + [q["key"] for q in before[1:]]
    added = after[1]
    assert added["type"] == "choice" and added["required"] is True
    assert added["options"] == [
        {"value": "par_mail", "fr": "Par mail", "nl": "Via e-mail"},
        {"value": "par_un_collegue", "fr": "Par un collègue", "nl": "Via een collega"},
    ]
    assert audit_count("evaluation.template_saved") == 1
    # Saving the same again writes nothing.
    assert admin_client.post(TEMPLATE, data=posted(after)).status_code == 303
    assert audit_count("evaluation.template_saved") == 1


def test_rewording_keeps_keys_and_option_values(admin_client, templates):
    before = template_questions()
    sector = next(n for n, q in enumerate(before) if q["key"] == "sector_group")
    options = before[sector]["options"]
    # The first option changes its French wording (its Dutch stays), the second is removed,
    # a new one comes with the French wording of the removed one's neighbour swapped.
    lines = [f"Nouveau libellé | {options[0]['nl']}"] + [_pair(o) for o in options[2:]]
    lines.append("Autre secteur | Andere sector")
    response = admin_client.post(
        TEMPLATE,
        data=posted(
            before,
            **{
                "rows__0__fr": "Cette rencontre vous a-t-elle servi ?",
                f"rows__{sector}__options": "\n".join(lines),
            },
        ),
    )
    assert response.status_code == 303
    after = template_questions()
    assert [q["key"] for q in after] == [q["key"] for q in before]
    assert after[0]["fr"] == "Cette rencontre vous a-t-elle servi ?"
    values = [o["value"] for o in after[sector]["options"]]
    assert values[0] == options[0]["value"]
    assert values[1:-1] == [o["value"] for o in options[2:]]
    assert values[-1] == "autre_secteur" and options[1]["value"] not in values


def test_remove_and_reorder(admin_client, templates):
    before = template_questions()
    data = posted(before, rows__1__remove="y", rows__0__order="50")
    assert admin_client.post(TEMPLATE, data=data).status_code == 303
    after = template_questions()
    assert [q["key"] for q in after] == [q["key"] for q in before[2:]] + [before[0]["key"]]


BAD_INPUT = [
    ("rows__0__fr", "", "Ce champ est obligatoire."),
    ("rows__0__fr", "Utile ?\x00", "caractères non autorisés"),
    ("rows__0__fr", "Utile ?\nSuite", "Ce champ tient sur une ligne."),
    ("rows__0__low", "", "Une échelle a un libellé à chaque bout."),
    ("rows__0__order", "deux", "Un nombre de 1 à 999."),
    ("rows__0__order", "0", "Un nombre de 1 à 999."),
    ("rows__0__type", "essay", "Choisissez un type de la liste."),
    ("rows__5__options", "Seule réponse | Enig antwoord", "au moins deux réponses"),
    ("rows__5__options", "A | A\na | B", "Deux réponses ont le même libellé."),
    ("rows__5__options", " | Alleen Nederlands\nB | B", "commence par la réponse en français"),
    ("rows__0__key", "forged", "rechargez la page"),
    ("rows__1__key", "usefulness", "rechargez la page"),
]


@pytest.mark.parametrize("name, value, message", BAD_INPUT)
def test_bad_input_is_refused_beside_the_field(admin_client, templates, name, value, message):
    before = template_questions()
    response = admin_client.post(TEMPLATE, data=posted(before, **{name: value}))
    assert response.status_code == 422
    assert message in response.text
    assert template_questions() == before
    assert audit_count("evaluation.template_saved") == 0


def test_removing_every_question_is_refused(admin_client, templates):
    before = template_questions()
    removals = {f"rows__{n}__remove": "y" for n in range(len(before))}
    response = admin_client.post(TEMPLATE, data=posted(before, **removals))
    assert response.status_code == 422
    assert "au moins une question" in response.text
    assert template_questions() == before


def test_errors_keep_what_was_typed(admin_client, templates):
    before = template_questions()
    new = {"type": "short_text", "fr": "Une remarque ?", "nl": "Een opmerking?", "order": "x"}
    response = admin_client.post(TEMPLATE, data=posted(before, extra=[new]))
    assert response.status_code == 422
    assert 'value="Une remarque ?"' in response.text


def test_type_stays_once_answers_exist(admin_client, templates, make_event):
    event = make_event(kind="concertation")
    db.session.add(Answer(event_id=event.id, day=local_today(), values={"usefulness": "4"}))
    db.session.commit()
    before = template_questions()
    response = admin_client.post(TEMPLATE, data=posted(before, rows__0__type="short_text"))
    assert response.status_code == 422
    assert "le type ne change plus" in response.text
    assert template_questions() == before


def test_unknown_kind_404(admin_client, templates):
    assert admin_client.get("/admin/evaluations/templates/dinner").status_code == 404


def test_templates_are_for_admins_only(app, client, make_staff, templates):
    sud = sign_in(app.test_client(), make_staff("bassin", bassins=("sud",)))
    service = sign_in(app.test_client(), make_staff("service", organisation="CPAS"))
    before = template_questions()
    for client in (sud, service):
        assert client.get("/admin/evaluations/templates").status_code == 403
        assert client.get(TEMPLATE).status_code == 403
        assert client.post(TEMPLATE, data=posted(before[:1])).status_code == 403
    assert template_questions() == before


# --- One event's copy -------------------------------------------------------------------


@pytest.fixture
def ended(make_event, templates):
    """A concertation of Bassin Sud that ended two days ago, its evaluation open."""
    event = make_event(start=(utcnow() - timedelta(days=2)).replace(microsecond=0))
    for n in range(6):
        db.session.add(Registration(event_id=event.id, status="confirmed", email=f"p{n}@ex.org"))
    db.session.commit()
    jobs.send_evaluations()
    return event


def event_questions(event):
    db.session.expire_all()
    return db.session.scalar(
        select(EvaluationForm.questions).where(EvaluationForm.event_id == event.id)
    )


def questions_url(event):
    return f"/admin/events/{event.id}/evaluation/questions"


def test_team_adds_a_question_to_the_event_copy_only(sud_client, ended):
    before = event_questions(ended)
    new = {"type": "yes_no", "fr": "Reviendrez-vous ?", "nl": "Komt u terug?", "order": "99"}
    response = sud_client.post(questions_url(ended), data=posted(before, extra=[new]))
    assert response.status_code == 303
    after = event_questions(ended)
    assert after[:-1] == before and after[-1]["key"] == "reviendrez_vous"
    assert template_questions() == default_questions()
    assert audit_count("evaluation.questions_saved") == 1
    form = sud_client.get(f"/evaluations/open/{_open_token(ended)}")
    assert "Reviendrez-vous ?" in form.text


def _open_token(event):
    return db.session.scalar(
        select(EvaluationForm.open_token).where(EvaluationForm.event_id == event.id)
    )


def test_event_not_yet_opened_gets_its_copy_on_save(sud_client, make_event, templates):
    event = make_event(start=(utcnow() + timedelta(days=5)).replace(microsecond=0))
    page = sud_client.get(questions_url(event))
    assert page.status_code == 200 and "Cette rencontre vous a-t-elle été utile ?" in page.text
    new = {"type": "short_text", "fr": "Une attente ?", "nl": "Een verwachting?"}
    response = sud_client.post(questions_url(event), data=posted(default_questions(), [new]))
    assert response.status_code == 303
    assert event_questions(event)[-1]["key"] == "une_attente"


def test_read_only_once_an_answer_exists(sud_client, ended):
    db.session.add(Answer(event_id=ended.id, day=local_today(), values={"usefulness": "5"}))
    db.session.commit()
    before = event_questions(ended)
    page = sud_client.get(questions_url(ended))
    assert page.status_code == 200
    assert (
        'data-questions="locked"' in page.text
        and '<fieldset class="questions-rows" disabled' in page.text
    )
    new = {"type": "short_text", "fr": "Trop tard ?", "nl": "Te laat?"}
    refused = sud_client.post(questions_url(ended), data=posted(before, extra=[new]))
    assert refused.status_code == 422
    assert 'data-questions="locked"' in refused.text
    assert event_questions(ended) == before
    assert audit_count("evaluation.questions_saved") == 0


def test_answers_of_old_questions_still_shown_after_a_template_edit(
    sud_client, admin_client, ended
):
    for score in (5, 4, 4, 3, 5):
        db.session.add(
            Answer(event_id=ended.id, day=local_today(), values={"usefulness": str(score)})
        )
    db.session.commit()
    before = template_questions()
    data = posted(before, rows__0__remove="y", rows__1__fr="Autre chose ?")
    assert admin_client.post(TEMPLATE, data=data).status_code == 303
    assert all(q["key"] != "usefulness" for q in template_questions())
    page = sud_client.get(f"/admin/events/{ended.id}/evaluation").text
    assert 'data-question="usefulness"' in page
    assert "Cette rencontre vous a-t-elle été utile ?" in page
    assert results.event_results(ended, "fr").group("invited").questions[0].mean == 4.2


def test_foreign_bassin_404_and_service_403(app, client, make_staff, ended):
    nord = sign_in(app.test_client(), make_staff("bassin", bassins=("nord",)))
    service = sign_in(app.test_client(), make_staff("service", organisation="CPAS"))
    before = event_questions(ended)
    new = {"type": "short_text", "fr": "Intrus ?", "nl": "Indringer?"}
    for client, status in ((nord, 404), (service, 403)):
        assert client.get(questions_url(ended)).status_code == status
        assert client.post(questions_url(ended), data=posted(before, [new])).status_code == status
    assert event_questions(ended) == before
    assert audit_count("evaluation.questions_saved") == 0


def test_results_page_links_to_the_questions_of_kinds_with_a_form(sud_client, make_event, ended):
    link = f'href="/admin/events/{ended.id}/evaluation/questions"'
    assert link in sud_client.get(f"/admin/events/{ended.id}/evaluation").text
    dinner = make_event(kind="rencontre")
    page = sud_client.get(f"/admin/events/{dinner.id}/evaluation").text
    assert "/evaluation/questions" not in page
    assert sud_client.get(questions_url(dinner)).status_code == 404
