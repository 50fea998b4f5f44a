"""The digest's pages: subscribe (/subscribe), confirm (the link of the confirmation mail),
change the choices and unsubscribe (the links of every digest). No JavaScript.

The subscribe form answers the same page whatever the address (subscribed, pending, new,
or past its mail budget), so it tells no one whether an address is on the list. The links
carry a subscription's tokens, only ever sent to its mailbox; their pages are never stored.
`POST /digest/<token>/unsubscribe` is the one-click unsubscribe of RFC 8058 (the mailbox
provider posts `List-Unsubscribe=One-Click`, with no form token): it unsubscribes at once.
"""

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from webapp import budgets, limits
from webapp.addresses import typed_address_key
from webapp.digest import rules
from webapp.digest.forms import ChoicesForm, SubscribeForm
from webapp.digest.models import DigestSubscription
from webapp.extensions import csrf, limiter
from webapp.pagecache import never_stored
from webapp.tokens import find_by_token_or_404
from webapp.unit_of_work import unit_of_work

bp = Blueprint("digest", __name__)
# The pages of a subscription's links, whose tokens are in the path (hygiene.py keeps the
# referrer to this site).
never_stored(bp, {"digest.confirm", "digest.manage", "digest.unsubscribe"})


@bp.route("/subscribe", methods=["GET", "POST"])
@limiter.limit(limits.PUBLIC_FORM, methods=["POST"])
def subscribe():
    form = SubscribeForm()
    if form.validate_on_submit():
        key = ("digest-subscribe", typed_address_key(form.email.data))
        if not budgets.spent(limits.DIGEST_MAILS_TO_ONE_ADDRESS, *key):
            budgets.spend(limits.DIGEST_MAILS_TO_ONE_ADDRESS, *key)
            with unit_of_work("digest-subscribe"):
                rules.subscribe(form.email.data, form.choices())
        return redirect(url_for(".sent"), 303)
    status = 422 if request.method == "POST" else 200
    return render_template("digest/subscribe.html", form=form), status


@bp.get("/subscribe/sent")
def sent():
    return render_template("digest/sent.html")


@bp.route("/subscribe/confirm/<token>", methods=["GET", "POST"])
def confirm(token):
    """A page with a button: mail scanners that open links confirm nothing."""
    subscription = find_by_token_or_404(DigestSubscription.confirm_token, token)
    if request.method == "POST":
        with unit_of_work("digest-confirm"):
            rules.confirm(subscription)
        return redirect(url_for(".manage", token=subscription.token, confirmed=1), 303)
    return render_template("digest/confirm.html", token=token)


def _subscription_or_404(token):
    found = find_by_token_or_404(DigestSubscription.token, token)
    if found.confirmed_at is None:
        abort(404)
    return found


@bp.route("/digest/<token>", methods=["GET", "POST"])
def manage(token):
    subscription = _subscription_or_404(token)
    form = ChoicesForm()
    if form.validate_on_submit():
        with unit_of_work("digest-change"):
            rules.change(subscription, form.choices())
        flash(_("Vos choix sont enregistrés."), "success")
        return redirect(url_for(".manage", token=token), 303)
    if request.method == "GET":
        form.show(subscription)
    status = 422 if request.method == "POST" else 200
    return render_template(
        "digest/manage.html",
        form=form,
        token=token,
        confirmed=request.args.get("confirmed") == "1",
    ), status


@bp.route("/digest/<token>/unsubscribe", methods=["GET", "POST"])
@csrf.exempt
def unsubscribe(token):
    """GET: a page with the button; POST (the button, or a mailbox's one-click): done."""
    subscription = _subscription_or_404(token)
    if request.method == "POST":
        with unit_of_work("digest-unsubscribe"):
            rules.unsubscribe(subscription)
        # 200 with the page, no redirect: a mailbox's one-click POST reads the status only.
        return render_template("digest/unsubscribed.html")
    return render_template("digest/unsubscribe.html", token=token)
