"""/admin/stats: the figures equal counts made here from the rows, per bassin and regional."""

import csv
import io
from collections import Counter

import pytest

from tests.admin.conftest import sign_in
from tests.factories import local
from webapp.extensions import db
from webapp.registrations.models import Registration
from webapp.vocabulary import sectors

GROUP = {s["slug"]: s["group"] for s in sectors()}

# (bassins, kind, status, participants_count, people: (sector, commune, status, attended))
MEETINGS = [
    (
        ("sud",),
        "concertation",
        "published",
        None,
        [
            ("hopital", "Forest", "confirmed", True),
            ("cpas", "forest ", "confirmed", True),
            ("medecine-generale", "Uccle", "confirmed", False),
            ("cpas", "Uccle", "cancelled", None),
            ("hopital", "Ixelles", "waitlisted", None),
        ],
    ),
    (
        ("sud",),
        "concertation",
        "published",
        None,
        [  # no attendance taken
            ("hopital", "Anderlecht", "confirmed", None),
            ("cpas", "Forest", "confirmed", None),
        ],
    ),
    (
        ("sud", "nord"),
        "atelier-du-changement",
        "published",
        12,
        [
            ("cpas", "Schaerbeek", "confirmed", True),
        ],
    ),
    (("sud",), "formation", "cancelled", None, [("cpas", "Forest", "cancelled", None)]),
    (("nord",), "concertation", "published", None, [("hopital", "Evere", "confirmed", True)]),
]


@pytest.fixture
def year_2026(app, make_event):
    events = []
    for index, (bassins, kind, status, count, people) in enumerate(MEETINGS):
        event = make_event(
            title=f"Rencontre {index}",
            start=local(2026, 3 + index, 10, 9, 30),
            bassins=bassins,
            kind=kind,
            status=status,
            participants_count=count,
            capacity=30,
        )
        for number, (sector, commune, state, attended) in enumerate(people):
            db.session.add(
                Registration(
                    event_id=event.id,
                    status=state,
                    first_name="P",
                    last_name=f"{index}-{number}",
                    email=f"p{index}-{number}@example.org",
                    organisation="Service",
                    sector=sector,
                    commune=commune,
                    attended=attended,
                )
            )
        event.confirmed_count = sum(1 for p in people if p[2] == "confirmed")
        events.append(event)
    db.session.commit()
    return events


def expected(bassin):
    """The figures of one bassin, counted here from MEETINGS the way the page says it counts."""
    mine = [m for m in MEETINGS if bassin in m[0]]
    held = [m for m in mine if m[2] == "published"]
    confirmed = [p for m in held for p in m[4] if p[2] == "confirmed"]
    taken = [m for m in held if any(p[3] is not None for p in m[4])]
    present = sum(1 for m in taken for p in m[4] if p[2] == "confirmed" and p[3] is True)
    absent = sum(1 for m in taken for p in m[4] if p[2] == "confirmed" and p[3] is False)
    sector_groups = Counter()
    for m in held:
        counted = [p for p in m[4] if p[2] == "confirmed" and (m not in taken or p[3] is True)]
        sector_groups.update(GROUP[p[0]] for p in counted)
    return {
        "events": len(held),
        "cancelled": len(mine) - len(held),
        "registrations": len(confirmed),
        "present": present,
        "no_shows": absent,
        "rate": round(100 * present / (present + absent)) if present + absent else None,
        "kinds": Counter(m[1] for m in held),
        "sector_groups": sector_groups,
    }


def table(client, query):
    response = client.get(f"/admin/stats.csv?{query}")
    assert response.status_code == 200
    text = response.get_data(as_text=True)
    assert text.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff")), delimiter=";"))
    return rows[0], {(r[0], r[1]): r[2:] for r in rows[1:]}


def test_a_bassin_team_sees_its_figures_equal_to_the_rows(app, client, make_staff, year_2026):
    sign_in(client, make_staff("bassin", bassins=("sud",)))
    header, rows = table(client, "year=2026")
    assert header[2:] == ["Bassin Sud"]
    sud = expected("sud")
    assert rows[("Vue d'ensemble", "Activités organisées")] == [str(sud["events"])]
    assert rows[("Vue d'ensemble", "Activités annulées")] == [str(sud["cancelled"])]
    assert rows[("Vue d'ensemble", "Inscriptions confirmées")] == [str(sud["registrations"])]
    assert rows[("Vue d'ensemble", "Présent·es")] == [str(sud["present"])]
    assert rows[("Vue d'ensemble", "Absent·es (inscrit·es non venu·es)")] == [str(sud["no_shows"])]
    assert rows[("Vue d'ensemble", "Taux de présence (%)")] == [str(sud["rate"])]
    kinds = {
        label: int(v[0]) for (section, label), v in rows.items() if section == "Activités par type"
    }
    assert sum(kinds.values()) == sud["events"] and len(kinds) == len(sud["kinds"])
    sectors_shown = {
        label: int(v[0]) for (section, label), v in rows.items() if section.startswith("Secteurs")
    }
    assert sum(sectors_shown.values()) == sum(sud["sector_groups"].values())
    communes = {label: int(v[0]) for (s, label), v in rows.items() if s.startswith("Communes")}
    assert communes["Forest"] == 3  # "Forest" and "forest " are one; present, else confirmed
    assert "Evere" not in communes  # Nord's meeting


def test_an_admin_sees_the_five_bassins_side_by_side_with_the_region(app, admin_client, year_2026):
    header, rows = table(admin_client, "year=2026")
    names = header[2:]
    assert len(names) == 6 and names[-1] == "Région" and "Bassin Sud" in names
    activities = rows[("Vue d'ensemble", "Activités organisées")]
    assert int(activities[names.index("Bassin Sud")]) == expected("sud")["events"]
    assert int(activities[names.index("Bassin Nord")]) == expected("nord")["events"]
    # The shared atelier counts in Sud and in Nord, once in the region.
    held = sum(1 for m in MEETINGS if m[2] == "published")
    assert int(activities[-1]) == held
    page = admin_client.get("/admin/stats?year=2026").get_data(as_text=True)
    assert "<svg" in page and 'role="img"' in page and "<table" in page


def test_a_bassin_team_cannot_ask_for_another_bassin(app, client, make_staff, year_2026):
    sign_in(client, make_staff("bassin", bassins=("sud",)))
    assert client.get("/admin/stats?bassin=nord&year=2026").status_code == 404
    assert client.get("/admin/stats?year=1900").status_code == 404
    page = client.get("/admin/stats?year=2026").get_data(as_text=True)
    assert "Evere" not in page


def test_a_service_account_gets_no_statistics(app, client, make_staff):
    sign_in(client, make_staff("service", organisation="Infor-Jeunes Bruxelles"))
    assert client.get("/admin/stats").status_code == 403
    assert client.get("/admin/stats.csv").status_code == 403


def test_a_typed_commune_never_runs_as_a_formula(app, client, make_staff, make_event):
    event = make_event(start=local(2026, 5, 5, 9), capacity=10)
    db.session.add(
        Registration(
            event_id=event.id,
            status="confirmed",
            first_name="E",
            last_name="Vil",
            email="e@example.org",
            sector="cpas",
            commune='=HYPERLINK("http://x")',
        )
    )
    event.confirmed_count = 1
    db.session.commit()
    sign_in(client, make_staff("bassin", bassins=("sud",)))
    _header, rows = table(client, "year=2026")
    labels = [label for (section, label) in rows if section.startswith("Communes")]
    assert labels and all(not label.startswith("=") for label in labels)


def test_walk_ins_count_apart_and_a_published_report_gives_the_participants(
    app, client, make_staff, make_event
):
    from webapp.agenda.reports import Report

    ticked = make_event(start=local(2026, 4, 7, 9, 30), capacity=10, kind="formation")
    for number, (attended, walk_in) in enumerate([(True, False), (None, False), (True, True)]):
        db.session.add(
            Registration(
                event_id=ticked.id,
                status="confirmed",
                first_name="P",
                last_name=str(number),
                email=None if walk_in else f"w{number}@example.org",
                sector="cpas",
                attended=attended,
                walk_in=walk_in,
            )
        )
    ticked.confirmed_count = 2
    reported = make_event(start=local(2026, 5, 7, 9, 30), capacity=10, kind="rencontre")
    db.session.add(Report(event_id=reported.id, status="published", participants_count=25))
    db.session.add(Report(event_id=ticked.id, status="draft", participants_count=99))
    db.session.commit()
    sign_in(client, make_staff("bassin", bassins=("sud",)))
    _header, rows = table(client, "year=2026")
    overview = {label: v[0] for (section, label), v in rows.items() if section == "Vue d'ensemble"}
    assert overview["Inscriptions confirmées"] == "2"  # the walk-in took no place
    assert overview["Présent·es"] == "1"
    assert overview["Absent·es (inscrit·es non venu·es)"] == "1"  # not ticked: did not come
    assert overview["Sans inscription (sur place)"] == "1"
    averages = {
        label: v[0]
        for (section, label), v in rows.items()
        if section.endswith("par type") and section.startswith("Participant")
    }
    assert averages["Formation"] == "2"  # present + walk-in; the draft report does not count
    assert averages["Rencontre"] == "25"  # the published report's own figure
