"""Every action the audit log records, once, with what it says to a reader (pretix registers
each log action once with its text).

`audit.record` takes only a member; the stored text is its value ("event.published"), so a
member compares equal to the lines already written. Names are `<what>.<what happened>`, dots
and underscores only. A member is declared with its label: one cannot be added without the
other, and tests/test_audit_actions.py fails on a member no operation records.
"""

from enum import StrEnum

from flask_babel import lazy_gettext as _l


class AuditAction(StrEnum):
    def __new__(cls, value, label):
        member = str.__new__(cls, value)
        member._value_ = value
        member.label = label  # lazy: in the language of the page that shows it
        return member

    # Events (agenda.operations, registrations.questions, the participants' list, attestations)
    EVENT_CREATED = "event.created", _l("Activité créée")
    EVENT_UPDATED = "event.updated", _l("Activité modifiée")
    EVENT_PUBLISHED = "event.published", _l("Activité publiée")
    EVENT_UNPUBLISHED = "event.unpublished", _l("Activité dépubliée")
    EVENT_CANCELLED = "event.cancelled", _l("Activité annulée")
    EVENT_POSTPONED = "event.postponed", _l("Activité reportée")
    EVENT_MOVED = "event.moved", _l("Activité déplacée (date, heure ou lieu)")
    EVENT_DUPLICATED = "event.duplicated", _l("Rencontre suivante préparée")
    EVENT_DELETED = "event.deleted", _l("Brouillon supprimé")
    EVENT_QUESTIONS_CHANGED = (
        "event.questions_changed",
        _l("Questions du formulaire d'inscription modifiées"),
    )
    EVENT_PARTICIPANTS_EXPORTED = (
        "event.participants_exported",
        _l("Liste des participant·es téléchargée"),
    )
    EVENT_PARTICIPANTS_MESSAGED = (
        "event.participants_messaged",
        _l("Message envoyé aux participant·es"),
    )
    EVENT_ATTESTATIONS_DOWNLOADED = (
        "event.attestations_downloaded",
        _l("Attestations de participation téléchargées"),
    )
    EVENT_INAMI_LIST_EXPORTED = (
        "event.inami_list_exported",
        _l("Liste de présence INAMI téléchargée"),
    )

    # Reports (agenda.report_operations)
    REPORT_SAVED = "report.saved", _l("Compte rendu enregistré")
    REPORT_PUBLISHED = "report.published", _l("Compte rendu publié")
    REPORT_UNPUBLISHED = "report.unpublished", _l("Compte rendu dépublié")
    REPORT_QUOTE_ADDED = "report.quote_added", _l("Citation ajoutée au compte rendu")
    REPORT_DELETED = "report.deleted", _l("Compte rendu supprimé, avec son PDF")
    THEME_SYNTHESIS_SAVED = "theme.synthesis_saved", _l("Synthèse thématique enregistrée")
    THEME_SYNTHESIS_PUBLISHED = "theme.synthesis_published", _l("Synthèse thématique publiée")
    THEME_SYNTHESIS_UNPUBLISHED = "theme.synthesis_unpublished", _l("Synthèse thématique dépubliée")

    # The catalogue (agenda.catalogue)
    SERIES_CREATED = "series.created", _l("Série créée")
    SERIES_UPDATED = "series.updated", _l("Série modifiée")
    VENUE_CREATED = "venue.created", _l("Lieu créé")
    VENUE_UPDATED = "venue.updated", _l("Lieu modifié")
    VENUE_MERGED = "venue.merged", _l("Lieux fusionnés")
    ORGANISATION_CREATED = "organisation.created", _l("Organisation créée")
    ORGANISATION_UPDATED = "organisation.updated", _l("Organisation modifiée")
    ORGANISATION_MERGED = "organisation.merged", _l("Organisations fusionnées")

    # Registrations (registrations.rules, staff, attendance, personal_data)
    REGISTRATION_CREATED = "registration.created", _l("Inscription (par la personne)")
    REGISTRATION_ADDED_BY_STAFF = (
        "registration.added_by_staff",
        _l("Inscription ajoutée par l'équipe"),
    )
    REGISTRATION_APPROVED = "registration.approved", _l("Inscription acceptée")
    REGISTRATION_REFUSED = "registration.refused", _l("Inscription refusée")
    REGISTRATION_PROMOTED = (
        "registration.promoted",
        _l("Inscription confirmée depuis la liste d'attente"),
    )
    REGISTRATION_CANCELLED = "registration.cancelled", _l("Inscription annulée")
    REGISTRATION_DETAILS_UPDATED = (
        "registration.details_updated",
        _l("Coordonnées ou réponses corrigées (par la personne)"),
    )
    REGISTRATION_CANCELLED_BY_STAFF = (
        "registration.cancelled_by_staff",
        _l("Inscription annulée par l'équipe"),
    )
    REGISTRATION_MOVED = "registration.moved", _l("Inscription déplacée vers une autre rencontre")
    REGISTRATION_MOVED_HERE = (
        "registration.moved_here",
        _l("Inscription reçue d'une autre rencontre"),
    )
    REGISTRATION_CHECKED_IN = "registration.checked_in", _l("Présence notée")
    REGISTRATION_CHECK_IN_UNDONE = "registration.check_in_undone", _l("Présence retirée")
    REGISTRATION_WALK_IN_ADDED = (
        "registration.walk_in_added",
        _l("Personne venue sans inscription ajoutée"),
    )
    REGISTRATION_ACCOMMODATION_ANSWERED = (
        "registration.accommodation_answered",
        _l("Réponse à une demande d'aménagement"),
    )
    REGISTRATION_ERASED = "registration.erased", _l("Données personnelles effacées")
    REGISTRATION_PURGED = (
        "registration.purged",
        _l("Données personnelles effacées (durée de conservation)"),
    )

    # Evaluations
    EVALUATION_TEMPLATE_SAVED = "evaluation.template_saved", _l("Modèle d'évaluation enregistré")
    EVALUATION_QUESTIONS_SAVED = (
        "evaluation.questions_saved",
        _l("Questions d'évaluation de l'activité enregistrées"),
    )
    EVALUATION_INVITED = "evaluation.invited", _l("Invitation à évaluer envoyée")
    EVALUATION_REMINDED = "evaluation.reminded", _l("Rappel d'évaluation envoyé")

    # Proposals
    PROPOSAL_SUBMITTED = "proposal.submitted", _l("Proposition reçue")
    PROPOSAL_RESUBMITTED = "proposal.resubmitted", _l("Proposition renvoyée après modification")
    PROPOSAL_CHANGES_REQUESTED = (
        "proposal.changes_requested",
        _l("Proposition : modifications demandées"),
    )
    PROPOSAL_ACCEPTED = "proposal.accepted", _l("Proposition acceptée et publiée")
    PROPOSAL_REFUSED = "proposal.refused", _l("Proposition non retenue")
    PROPOSAL_PURGED = (
        "proposal.purged",
        _l("Proposition : coordonnées effacées (durée de conservation)"),
    )

    # The Grand Bain
    GRAND_BAIN_EDITION_CREATED = "grand_bain.edition_created", _l("Grand Bain : édition créée")
    GRAND_BAIN_EDITION_UPDATED = "grand_bain.edition_updated", _l("Grand Bain : édition modifiée")
    GRAND_BAIN_OFFER_SUBMITTED = "grand_bain.offer_submitted", _l("Grand Bain : offre reçue")
    GRAND_BAIN_OFFER_UPDATED = (
        "grand_bain.offer_updated",
        _l("Grand Bain : offre modifiée par l'hôte"),
    )
    GRAND_BAIN_OFFER_ACCEPTED = "grand_bain.offer_accepted", _l("Grand Bain : offre acceptée")
    GRAND_BAIN_OFFER_CHANGES_REQUESTED = (
        "grand_bain.offer_changes_requested",
        _l("Grand Bain : modifications de l'offre demandées"),
    )
    GRAND_BAIN_OFFER_REFUSED = "grand_bain.offer_refused", _l("Grand Bain : offre refusée")
    GRAND_BAIN_OFFER_LINKED = (
        "grand_bain.offer_linked",
        _l("Grand Bain : offre rattachée à une organisation"),
    )
    GRAND_BAIN_HOST_MESSAGE_SENT = (
        "grand_bain.host_message_sent",
        _l("Grand Bain : message de l'hôte à ses visiteur·ses"),
    )
    GRAND_BAIN_BOOKED = "grand_bain.booked", _l("Grand Bain : visite réservée")
    GRAND_BAIN_CANCELLED = "grand_bain.cancelled", _l("Grand Bain : visite annulée")
    GRAND_BAIN_PROMOTED = (
        "grand_bain.promoted",
        _l("Grand Bain : visite confirmée depuis la liste d'attente"),
    )
    GRAND_BAIN_ATTENDANCE_RECORDED = (
        "grand_bain.attendance_recorded",
        _l("Grand Bain : présences notées"),
    )
    GRAND_BAIN_ERASED = "grand_bain.erased", _l("Grand Bain : données personnelles effacées")
    GRAND_BAIN_PURGED = (
        "grand_bain.purged",
        _l("Grand Bain : données personnelles effacées (durée de conservation)"),
    )
    GRAND_BAIN_OFFER_CONTACT_PURGED = (
        "grand_bain.offer_contact_purged",
        _l("Grand Bain : coordonnées de l'hôte effacées (durée de conservation)"),
    )

    # Accounts (auth)
    ACCOUNT_CREATED = "account.created", _l("Compte créé")
    ACCOUNT_UPDATED = "account.updated", _l("Compte modifié")
    ACCOUNT_PASSWORD_CHANGED = "account.password_changed", _l("Mot de passe changé")
    ACCOUNT_PASSWORD_RESET_REQUESTED = (
        "account.password_reset_requested",
        _l("Lien de nouveau mot de passe demandé"),
    )
    ACCOUNT_PASSWORD_RESET = "account.password_reset", _l("Mot de passe changé par le lien reçu")
    ACCOUNT_SESSIONS_ENDED = "account.sessions_ended", _l("Sessions du compte fermées")

    # Mail
    OUTBOX_FAILED_REQUEUED = "outbox.failed_requeued", _l("Messages non remis renvoyés")


# A stored value no member has (a line older than its action's name): read as such, never as
# its code.
UNKNOWN_LABEL = _l("Action non répertoriée")


def label_of(stored):
    """What a stored action says to a reader, in the page's language."""
    try:
        return AuditAction(stored).label
    except ValueError:
        return UNKNOWN_LABEL
