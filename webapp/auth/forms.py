"""The sign-in form (contract: fields `email`, `password`, `csrf_token`) and the password
forms: change (signed in), forgotten (an address), reset (from the emailed link)."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import EmailField, PasswordField
from wtforms.validators import DataRequired, EqualTo, Length

from webapp.auth.passwords import MIN_LENGTH
from webapp.formfields import address, strip

# Longer than any sensible passphrase, short enough that hashing it costs nothing special.
PASSWORD_MAX = 200


def _required():
    return DataRequired(message=_l("Ce champ est obligatoire."))


def _password(label):
    return PasswordField(label, [_required(), Length(max=PASSWORD_MAX)])


class LoginForm(FlaskForm):
    email = EmailField(_l("Adresse e-mail"), [_required(), Length(max=254)])
    password = PasswordField(_l("Mot de passe"), [_required(), Length(max=200)])


class NewPasswordForm(FlaskForm):
    """A new password, typed twice (the reset link's form)."""

    new_password = _password(_l("Nouveau mot de passe"))
    new_password_again = PasswordField(
        _l("Nouveau mot de passe, une seconde fois"),
        [
            _required(),
            EqualTo("new_password", message=_l("Les deux mots de passe ne sont pas identiques.")),
        ],
    )


class PasswordChangeForm(NewPasswordForm):
    """The account page's form: the current password, then the new one twice."""

    current_password = _password(_l("Mot de passe actuel"))


class ForgotPasswordForm(FlaskForm):
    email = EmailField(
        _l("Adresse e-mail"), [_required(), Length(max=254), address], filters=[strip]
    )


def refusal_messages():
    """What a refused password means, beside the field it concerns (AccountRefused.reason)."""
    return {
        "wrong-password": (
            "current_password",
            _l("Ce n'est pas votre mot de passe actuel."),
        ),
        "too-short": (
            "new_password",
            _l("Le mot de passe doit compter au moins %(count)d caractères.", count=MIN_LENGTH),
        ),
        "too-common": (
            "new_password",
            _l(
                "Ce mot de passe est trop courant ou trop facile à deviner : choisissez-en un "
                "autre (une phrase de quelques mots, par exemple)."
            ),
        ),
    }


def show_refusal(form, reason):
    """Put a refused password's message beside its field."""
    field_name, message = refusal_messages()[reason]
    form[field_name].errors = [*form[field_name].errors, message]
