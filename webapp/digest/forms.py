"""The digest's forms: the choices (bassins, kinds, themes, frequency, language), and the
address on the subscribe form. Choices come from the agenda's filter form."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import EmailField, RadioField
from wtforms.validators import Length

from webapp.agenda.forms import filter_choices
from webapp.digest.rules import Choices
from webapp.digest.states import DigestLanguage, Frequency
from webapp.formfields import MultiCheckboxField, address, text
from webapp.vocabulary import current_language

FREQUENCIES = {
    Frequency.WEEKLY: _l("Chaque semaine (le lundi)"),
    Frequency.MONTHLY: _l("Chaque mois (le premier du mois)"),
}
LANGUAGES = {DigestLanguage.FR: "Français", DigestLanguage.NL: "Nederlands"}


class ChoicesForm(FlaskForm):
    bassins = MultiCheckboxField(_l("Bassins"), description=_l("Aucun coché : tous les bassins."))
    kinds = MultiCheckboxField(
        _l("Types d'activité"), description=_l("Aucun coché : tous les types.")
    )
    themes = MultiCheckboxField(
        _l("Thématiques et séries"), description=_l("Aucune cochée : toutes.")
    )
    frequency = RadioField(
        _l("Fréquence"), choices=list(FREQUENCIES.items()), default=Frequency.WEEKLY
    )
    language = RadioField(_l("Langue des e-mails"), choices=list(LANGUAGES.items()))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        choices = filter_choices()
        self.bassins.choices = choices["bassins"]
        self.kinds.choices = choices["kinds"]
        self.themes.choices = choices["themes"]
        if not self.language.data:
            self.language.data = current_language()

    def choices(self):
        """The form's values as Choices."""
        return Choices(
            bassins=tuple(self.bassins.data or ()),
            kinds=tuple(self.kinds.data or ()),
            themes=tuple(self.themes.data or ()),
            frequency=self.frequency.data,
            language=self.language.data,
        )

    def show(self, subscription):
        """Fill the form with a subscription's choices."""
        self.bassins.data = list(subscription.bassins or ())
        self.kinds.data = list(subscription.kinds or ())
        self.themes.data = list(subscription.themes or ())
        self.frequency.data = subscription.frequency
        self.language.data = subscription.language


class SubscribeForm(ChoicesForm):
    email = text(
        _l("Votre adresse e-mail"),
        Length(max=254),
        address,
        field=EmailField,
        render_kw={"autocomplete": "email"},
    )
