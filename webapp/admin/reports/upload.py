"""The presentation PDF of the report form (admin/reports.py): the file received, or the
one received with a form refused earlier (its digest in a hidden field), or the report's
own; refusals beside the field in the team's words; the file served to staff."""

from flask_babel import gettext as _

from webapp import uploads
from webapp.agenda.report_files import clean_name
from webapp.agenda.report_operations import Attachment

UPLOAD_REFUSALS = {
    "empty": lambda: _("Ce fichier est vide."),
    "not-pdf": lambda: _("Ce fichier n'est pas un PDF : joignez la présentation exportée en PDF."),
    "too-big": lambda: _(
        "Ce fichier dépasse 20 Mo : exportez-le en taille réduite, ou indiquez un lien."
    ),
}


def received_presentation(form, report):
    """The Attachment the report is to keep (None: no file), after storing what came."""
    upload = form.presentation_upload.data
    if upload is not None and getattr(upload, "filename", ""):
        try:
            stored = uploads.store_pdf(upload.stream)
        except uploads.UploadRefused as refused:
            form.presentation_upload.errors = [
                *form.presentation_upload.errors,
                UPLOAD_REFUSALS[refused.reason](),
            ]
        else:
            name = clean_name(upload.filename)
            form.presentation_pending.data = stored.digest
            form.presentation_pending_name.data = name
            form.presentation_remove.data = False
            return Attachment(stored.digest, name, stored.size)
    if form.presentation_remove.data:
        form.presentation_pending.data = ""
        return None
    pending = uploads.path_of(form.presentation_pending.data)
    if pending is not None:
        name = clean_name(form.presentation_pending_name.data)
        form.presentation_pending_name.data = name
        return Attachment(form.presentation_pending.data, name, pending.stat().st_size)
    form.presentation_pending.data = ""
    if report is not None and report.presentation_file:
        return Attachment(
            report.presentation_file, report.presentation_file_name, report.presentation_file_size
        )
    return None
