"""Every back-office form against extreme numbers, long strings and odd Unicode: never a 500.

The forms are found, not listed: every POST route under /admin (the URL map), with the
objects of test_permissions' world in its URL, gets as fields every name a back-office page
renders in a form and every field of every form class (wtforms.Form's subclasses), so a new
form is covered the day it is added. Hypothesis draws the values, derandomized (the same
examples on every run) and in a few rounds, so the test is deterministic and quick.
"""

import re

from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from wtforms import Form
from wtforms.fields.core import UnboundField

from tests.admin.conftest import sign_in
from tests.admin.test_permissions import admin_rules, fill, methods, world  # noqa: F401

# The account's own sessions: a drawn id may be this client's, which signs it out.
SIGNING_OUT = {"admin.end_session"}
# Kept to service accounts (an admin gets 403 there).
SERVICE_ONLY = {"admin.propose_as_service"}
ROUNDS = settings(
    max_examples=6,
    deadline=None,
    derandomize=True,
    # Each example posts to every form: a failure is reported as found, not shrunk for minutes.
    phases=[Phase.explicit, Phase.generate],
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

EXTREME_NUMBERS = st.sampled_from(
    [
        "2147483648",
        "2147483647",
        "-2147483649",
        "-1",
        "0",
        "99999999999999999999999",
        "9" * 5000,
        "1e9",
        "0x7fffffff",
        "1.5",
        "NaN",
        "\u0663",  # ARABIC-INDIC DIGIT THREE
        "\uff11\uff12",  # FULLWIDTH 12
        " 12 ",
        "",
    ]
)
ODD_TEXT = st.sampled_from(
    [
        "\u202eevil\u202c",
        "\u200b\u200d\ufeff",
        "\x00",
        "a\r\nb",
        "\U0001f600" * 50,
        "\u0301" * 30,
        "É\u0301quipe d'\u0430ppui",
        "<script>alert(1)</script>",
        '=HYPERLINK("http://x")',
        "2027-02-30",
        "25:61",
        "9999-12-31",
        "0001-01-01",
    ]
)
VALUES = st.one_of(
    EXTREME_NUMBERS,
    st.integers(min_value=-(2**70), max_value=2**70).map(str),
    ODD_TEXT,
    st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=40),
    st.builds(lambda n: "x" * n, st.integers(min_value=250, max_value=1200)),
)


def form_class_fields():
    """Every field name of every form class (sub-forms' fields are named on the pages)."""
    found, waiting = set(), [Form]
    while waiting:
        form_class = waiting.pop()
        waiting.extend(form_class.__subclasses__())
        for name in dir(form_class):
            if isinstance(getattr(form_class, name, None), UnboundField):
                found.add(name)
    return found


NAME = re.compile(r"<(?:input|select|textarea|button)\b[^>]*?\bname=\"([^\"]+)\"")


def rendered_fields(client, rules, ids):
    """Every field name in the forms of the back office's pages (prefixed sub-forms too)."""
    found = set()
    for rule in rules:
        url = fill(rule, ids) if rule.arguments else rule.rule
        if url is None or "GET" not in rule.methods:
            continue
        page = client.get(url)
        if page.mimetype == "text/html":
            found.update(NAME.findall(page.get_data(as_text=True)))
    return found


@ROUNDS
@given(draw=st.data())
def test_no_back_office_form_answers_500_to_hostile_values(app, client, world, make_staff, draw):  # noqa: F811
    admin = sign_in(app.test_client(), make_staff("admin"))
    service = sign_in(app.test_client(), world["service"])
    rules = [rule for rule in admin_rules(app) if rule.endpoint not in SIGNING_OUT]
    names = sorted(form_class_fields() | rendered_fields(admin, rules, world["sud"]))
    assert {"capacity", "series_number", "participants_count", "margin_minutes"} <= set(names)
    posted = 0
    for rule in rules:
        if "POST" not in methods(rule):
            continue
        url = fill(rule, world["sud"]) if rule.arguments else rule.rule
        # A few values per round, spread over the names from a drawn start.
        values = draw.draw(st.lists(VALUES, min_size=7, max_size=7), label=rule.endpoint)
        start = draw.draw(st.integers(min_value=0, max_value=6))
        data = {name: values[(start + n) % len(values)] for n, name in enumerate(names)}
        poster = service if rule.endpoint in SERVICE_ONLY else admin
        response = poster.post(url, data=data)
        assert response.status_code < 500, (rule.rule, response.status_code)
        posted += 1
    assert posted >= 40
