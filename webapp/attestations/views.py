"""The attestation of participation: a person's PDF behind her personal link, a Grand Bain
visit's behind the visitor's, and the public check of a code (/attestations/<code>)."""

from flask import Blueprint, abort, g, make_response, render_template
from sqlalchemy import select

from webapp import limits
from webapp.attestations import issue, pdf
from webapp.extensions import db, limiter
from webapp.grandbain.models import Booking
from webapp.grandbain.visitor_views import find_link
from webapp.registrations.models import Registration
from webapp.tokens import find_by_token, normalise_attestation_code

bp = Blueprint("attestations", __name__)

# Only the name printed, the activity and its dates: what "this person attended" needs.
VERDICT_STATUS = {"valid": 200, "gone": 410, "unknown": 404}


@bp.app_template_global("attestation_of")
def attestation_of(registration):
    """The registration's attestation for its personal page and mail, or None."""
    return issue.for_registration(registration)


@bp.app_template_global("visit_attestation_of")
def visit_attestation_of(booking):
    """A Grand Bain visit's attestation for the visitor's pages, or None."""
    return issue.for_booking(booking)


def pdf_response(attestations, filename):
    """The PDF of `attestations`, never kept by a shared cache (it names people)."""
    response = make_response(pdf.render(attestations))
    response.headers["Content-Type"] = "application/pdf"
    response.headers["Content-Disposition"] = f'inline; filename="{filename}"'
    response.headers["Cache-Control"] = "private, no-store"
    response.headers["X-Robots-Tag"] = "noindex"
    return response


@bp.get("/registrations/<token>/attestation.pdf")
@limiter.limit(limits.ATTESTATION_PDF)
def registration_pdf(token):
    """The person's attestation; 404 for anyone not marked present (or not yet the day after)."""
    g.cookieless = True
    registration = find_by_token(Registration.token, token)
    attestation = issue.for_registration(registration) if registration is not None else None
    if attestation is None:
        abort(404)
    return pdf_response([attestation], "attestation.pdf")


@bp.get("/grand-bain/visits/<token>/<int:booking_id>/attestation.pdf")
@limiter.limit(limits.ATTESTATION_PDF)
def visit_pdf(token, booking_id):
    """A visit's attestation, through a link that reaches that visit (the visitor's, or the
    page of the request that booked it)."""
    g.cookieless = True
    link = find_link(token)
    if link is None:
        abort(404)
    booking = db.session.scalar(select(Booking).where(Booking.id == booking_id, link.covers()))
    attestation = issue.for_booking(booking) if booking is not None else None
    if attestation is None:
        abort(404)
    return pdf_response([attestation], "attestation.pdf")


@bp.get("/attestations/<code>")
@limiter.limit(limits.ATTESTATION_CHECK)
def verify(code):
    """Anyone checks a code: valid (the name printed, the activity, its dates), no longer
    available (withdrawn with attendance, or the person's data erased), or unknown."""
    normalised = normalise_attestation_code(code)
    verdict = issue.check(normalised) if normalised else issue.Verdict("unknown")
    response = make_response(
        render_template("attestations/verify.html", verdict=verdict),
        VERDICT_STATUS[verdict.status],
    )
    response.headers["Cache-Control"] = "no-store"
    response.headers["X-Robots-Tag"] = "noindex, nofollow"
    return response
