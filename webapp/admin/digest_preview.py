"""/admin/digest: the team's preview of the digest by mail (what a subscriber with these
choices would receive this period) and the number of subscribers. No subscriber is ever
shown: not an address, not a choice; only the counts."""

from datetime import timedelta
from types import SimpleNamespace

from flask import render_template, request
from werkzeug.datastructures import MultiDict

from webapp.admin import access
from webapp.admin.blueprint import bp
from webapp.auth.states import AccountRole
from webapp.digest.content import DigestContent
from webapp.digest.forms import ChoicesForm
from webapp.digest.jobs import render_digest
from webapp.digest.periods import WINDOWS
from webapp.digest.rules import subscriber_counts
from webapp.digest.states import Frequency
from webapp.timezones import utcnow


@bp.get("/digest")
@access.roles(AccountRole.ADMIN, AccountRole.BASSIN)
def digest_preview():
    form = ChoicesForm(request.args, meta={"csrf": False})
    if not form.validate():  # nothing asked yet, or values from no list: the defaults
        form = ChoicesForm(MultiDict(), meta={"csrf": False})
        form.frequency.data = Frequency.WEEKLY
    choices = form.choices()
    now = utcnow()
    frequency = Frequency(choices.frequency)
    content = DigestContent(frequency, now)
    # "New" as for a subscriber whose last digest went one period ago.
    since = now - (timedelta(days=7) if frequency == Frequency.WEEKLY else timedelta(days=31))
    digest = content.digest_for(choices.bassins, choices.kinds, choices.themes, since)
    preview = None
    if not digest.empty:
        reader = SimpleNamespace(language=choices.language, frequency=frequency, token=None)
        text, _html, subject = render_digest(reader, digest, content, preview=True)
        preview = {"subject": subject, "text": text}
    confirmed, pending = subscriber_counts()
    return render_template(
        "admin/digest_preview.html",
        form=form,
        preview=preview,
        confirmed=confirmed,
        pending=pending,
        window_days=WINDOWS[frequency].days,
    )
