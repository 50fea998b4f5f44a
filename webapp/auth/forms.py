"""The sign-in form (contract: fields `email`, `password`, `csrf_token`)."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import EmailField, PasswordField
from wtforms.validators import DataRequired, Length


def _required():
    return DataRequired(message=_l("Ce champ est obligatoire."))


class LoginForm(FlaskForm):
    email = EmailField(_l("Adresse e-mail"), [_required(), Length(max=254)])
    password = PasswordField(_l("Mot de passe"), [_required(), Length(max=200)])
