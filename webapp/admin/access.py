"""Who is acting and what they reach, for the back office's views.

`find_or_404` is the only way a view loads an object named by a URL or a form field: an
object outside the account's scope is not found, whatever its id. `roles` keeps a view to
some roles (others get 403: they know the page exists, they may not use it).
"""

from functools import wraps

from flask import abort, current_app
from flask_login import current_user

from webapp import audit
from webapp.auth import scopes
from webapp.auth.accounts import scope_of
from webapp.auth.states import AccountRole
from webapp.extensions import db


def scope():
    """The signed-in account's scope (auth.scopes.Scope)."""
    return scope_of(current_user)


def actor():
    """The signed-in account as the audit log names it."""
    return audit.Actor.account(current_user.id)


def role():
    return AccountRole(current_user.role)


def is_admin():
    return role() is AccountRole.ADMIN


def find_or_404(model, object_id, within=None):
    """The object of that id within the account's scope, or a 404. `within`: a narrower
    filter than the model's (scopes.venue_edit_filter, organisation_edit_filter: the rows it
    may change)."""
    found = scopes.find(db.session, scope(), model, object_id, within)
    if found is None:
        abort(404)
    return found


def find_all_or_404(model, object_ids):
    """Every object of those ids within the scope, or a 404 if one of them is not (a list
    of ids posted by a bulk action is all reachable or refused whole)."""
    found = [find_or_404(model, object_id) for object_id in dict.fromkeys(object_ids)]
    return found


def roles(*allowed):
    """Keep a view to these roles (AccountRole values)."""
    allowed = {AccountRole(r) for r in allowed}

    def decorate(view):
        @wraps(view)
        def checked(*args, **kwargs):
            if role() not in allowed:
                abort(403)
            return view(*args, **kwargs)

        checked.allowed_roles = frozenset(allowed)
        return checked

    return decorate


def may_open(endpoint):
    """Whether the signed-in account's role may open that view (its `roles(...)`): links
    to a page are shown only to those it lets in. A view without `roles` is open to all
    staff; an endpoint that does not exist in this app is not."""
    view = current_app.view_functions.get(endpoint)
    if view is None:
        return False
    allowed = getattr(view, "allowed_roles", None)
    return allowed is None or role() in allowed
