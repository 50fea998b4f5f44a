"""Every key an audit line's before/after can hold, once, with what it says to a reader (the
twin of audit_actions.py: that one names what happened, this one what changed).

Keys come from the columns an operation records (an event's `_facts`, the catalogue's
columns, a Grand Bain edition's settings, a report's snapshot) and from the small dicts
operations pass to `audit.record` ("status", "event_id", "recipients"...). The wording
repeats the forms' labels where a form has the field, so one msgid serves both.
tests/test_audit_fields.py walks the code and fails on a key recorded without a label here.
"""

from flask_babel import lazy_gettext as _l

FIELDS = {
    # An event (agenda.operations COLUMNS, RELATIONS; wording of admin/events/forms.py)
    "external_id": _l("Identifiant d'import"),
    "kind": _l("Type d'activité"),
    "title_fr": _l("Titre (français)"),
    "title_nl": _l("Titre (néerlandais)"),
    "description_fr": _l("Description (français)"),
    "description_nl": _l("Description (néerlandais)"),
    "audience": _l("Public"),
    "registration_mode": _l("Inscription"),
    "capacity": _l("Places sur place"),
    "waitlist_enabled": _l("Liste d'attente quand c'est complet"),
    "mode": _l("Sur place ou en ligne"),
    "online_capacity": _l("Places en ligne"),
    "online_url_public": _l("Lien de la réunion publié"),
    "status": _l("Statut"),
    "status_reason_fr": _l("Raison du changement (français)"),
    "status_reason_nl": _l("Raison du changement (néerlandais)"),
    "start_at": _l("Début"),
    "end_at": _l("Fin"),
    "venue_id": _l("Lieu"),
    "room": _l("Salle"),
    "online_url": _l("Lien de la réunion en ligne"),
    "series_id": _l("Série"),
    "series_number": _l("Numéro dans la série"),
    "organiser_id": _l("Organisateur"),
    "contact_email": _l("Adresse e-mail de contact"),
    "accreditation": _l("Numéro d'accréditation INAMI/RIZIV"),
    "presentation_url": _l("Lien vers la présentation"),
    "report_url": _l("Lien vers le compte rendu"),
    "report_summary_fr": _l("Synthèse (français)"),
    "report_summary_nl": _l("Synthèse (néerlandais)"),
    "participants_count": _l("Nombre de participant·es"),
    "participant_sectors": _l("Participant·es par secteur"),
    "registration_opens_at": _l("Ouverture des inscriptions"),
    "registration_closes_at": _l("Clôture des inscriptions"),
    "rrule": _l("Répétition"),
    "exdates": _l("Dates retirées de la répétition"),
    "rdates": _l("Dates ajoutées à la répétition"),
    "languages": _l("Langues de la rencontre"),
    "free": _l("Gratuit"),
    "price_fr": _l("Prix (français)"),
    "price_nl": _l("Prix (néerlandais)"),
    "interpreting_fr": _l("Interprétation (français)"),
    "interpreting_nl": _l("Interprétation (néerlandais)"),
    "bassins": _l("Bassins"),
    "overrides": _l("Dates modifiées de la répétition"),
    "duplicated_from": _l("Préparée depuis l'activité"),
    # Inside an override or a question (shown within their list)
    "recurrence_start": _l("Date prévue"),
    "cancelled": _l("Annulations"),
    "id": _l("Numéro"),
    "label_fr": _l("Question (français)"),
    "label_nl": _l("Question (néerlandais)"),
    "required": _l("Obligatoire"),
    "options": _l("Choix proposés"),
    # The catalogue: series, venues, organisations (admin/catalogue/forms.py)
    "slug": _l("Adresse publique (slug)"),
    "theme": _l("Thème"),
    "name": _l("Nom"),
    "address": _l("Adresse (rue et numéro)"),
    "postal_code": _l("Code postal"),
    "commune_id": _l("Commune"),
    "access_notes_fr": _l("Accès (français)"),
    "access_notes_nl": _l("Accès (néerlandais)"),
    "step_free": _l("Accès de plain-pied"),
    "lift": _l("Ascenseur"),
    "search_text": _l("Texte de recherche"),
    "sector": _l("Secteur"),
    "email": _l("Adresse e-mail"),
    "phone": _l("Téléphone"),
    "website": _l("Site web"),
    # A merge: the survivor, and the rows moved per column (admin/catalogue/merge.py)
    "survivor_id": _l("Gardé"),
    "events.venue_id": _l("activités à ce lieu"),
    "occurrence_overrides.venue_id": _l("dates d'activités répétées déplacées à ce lieu"),
    "event_occurrences.venue_id": _l("dates à l'agenda"),
    "events.organiser_id": _l("activités organisées"),
    "accounts.organisation_id": _l("comptes de service"),
    "grand_bain_offers.organisation_id": _l("offres du Grand Bain"),
    # A report and a theme synthesis (agenda.report_operations)
    "figures_source": _l("Origine des chiffres"),
    "presentation_file": _l("Présentation (fichier)"),
    "sections": _l("Parties"),
    "quotes": _l("Citations"),
    "text_fr": _l("Texte (français)"),
    "text_nl": _l("Texte (néerlandais)"),
    "needs_fr": _l("Besoins (français)"),
    "needs_nl": _l("Besoins (néerlandais)"),
    "actions_fr": _l("Actions (français)"),
    "actions_nl": _l("Actions (néerlandais)"),
    "perspectives_fr": _l("Perspectives (français)"),
    "perspectives_nl": _l("Perspectives (néerlandais)"),
    "themes": _l("Thèmes"),
    "position": _l("Position"),
    "text": _l("Texte"),
    "sector_group": _l("Groupe de secteurs"),
    # A Grand Bain edition (grandbain.editions SETTINGS; admin/grandbain/forms.py)
    "year": _l("Année"),
    "week_start": _l("Premier jour de la semaine"),
    "week_end": _l("Dernier jour de la semaine"),
    "call_opens_at": _l("Ouverture de l'appel aux services"),
    "call_closes_at": _l("Clôture de l'appel aux services"),
    "booking_opens_at": _l("Ouverture des réservations"),
    "booking_closes_at": _l("Clôture des réservations"),
    "max_slots_per_offer": _l("Créneaux par service, au plus"),
    "max_visits_per_visitor": _l("Visites par visiteur, au plus"),
    "margin_minutes": _l("Minutes entre deux visites"),
    "reported_services": _l("Services (saisis à la main)"),
    "reported_visitors": _l("Visiteurs (saisis à la main)"),
    "reported_visits": _l("Visites (saisies à la main)"),
    # Grand Bain offers, bookings, attendance
    "slots": _l("Créneaux"),
    "slot_id": _l("Créneau"),
    "organisation_id": _l("Organisation"),
    "taken": _l("Présences notées"),
    "came": _l("Présent·es"),
    "no_shows": _l("Absent·es"),
    # Registrations and the participants' pages
    "event_id": _l("Activité"),
    "need": _l("Besoin"),
    "moved_to": _l("Inscription créée à l'autre rencontre"),
    "moved_from": _l("Inscription d'origine"),
    "date": _l("Date"),
    "after_meeting": _l("Ajouté·e après la rencontre"),
    "tapped_at": _l("Noté à"),
    "fields": _l("Champs corrigés"),
    "statuses": _l("Destinataires (statuts)"),
    "recipients": _l("Destinataires"),
    "subject": _l("Objet"),
    "format": _l("Format"),
    "columns": _l("Colonnes"),
    "rows": _l("Lignes"),
    "count": _l("Nombre"),
    "questions": _l("Questions"),
    # Accounts
    "role": _l("Rôle"),
    "sessions": _l("Sessions fermées"),
    # The mail outbox
    "since": _l("Depuis"),
    "reference": _l("Référence"),
    "by_prefix": _l("Par sorte de message"),
    # A registrant's own details (registrations.rules PERSON_FIELDS, named in "fields")
    "first_name": _l("Prénom"),
    "last_name": _l("Nom"),
    "organisation": _l("Organisation"),
    "job_title": _l("Fonction"),
    "commune": _l("Commune"),
    "inami_number": _l("Numéro INAMI"),
    "answers": _l("Réponses"),
}

# A stored key no entry has (a line older than its field's label): read as such, never as the
# key, which is data and may be anything.
UNKNOWN_FIELD = _l("Autre champ")


def label_of(key):
    """What a stored key says to a reader, in the page's language."""
    return FIELDS.get(key, UNKNOWN_FIELD) if isinstance(key, str) else UNKNOWN_FIELD
