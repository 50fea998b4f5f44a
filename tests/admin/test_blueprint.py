"""The back office's frame: signed-in staff only, never cached, roles kept to their views."""

from flask import Blueprint

from tests.admin.conftest import sign_in
from webapp.admin import access


def test_admin_pages_send_a_signed_out_visitor_to_sign_in(app, client):
    from webapp.admin.blueprint import bp

    assert "_staff_only" in [f.__name__ for f in bp.before_request_funcs[None]]
    response = client.get("/admin/")
    assert response.status_code == 302
    assert "/login?next=/admin/" in response.headers["Location"]


def test_the_staff_navigation_shows_what_the_role_may_use(app, client, make_staff):
    sign_in(client, make_staff("service", organisation="Infor-Jeunes Bruxelles"))
    page = client.get("/admin/").get_data(as_text=True)
    assert 'aria-label="Gestion"' in page
    assert "/admin/audit" not in page
    assert client.get("/admin/").headers["Cache-Control"] == "private, no-store"


def test_roles_refuse_other_roles_with_403(app, client, make_staff):
    probe = Blueprint("probe", __name__)

    @probe.get("/admin/probe-admins-only")
    @access.roles("admin")
    def admins_only():
        return "ok"

    app.register_blueprint(probe)
    sign_in(client, make_staff("bassin", bassins=("sud",)))
    assert client.get("/admin/probe-admins-only").status_code == 403
