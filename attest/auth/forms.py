"""Login forms: password, then the second-step code."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import PasswordField, StringField
from wtforms.validators import DataRequired, Length


class LoginForm(FlaskForm):
    username = StringField(_l("Gebruikersnaam"), validators=[DataRequired(), Length(max=120)])
    password = PasswordField(_l("Wachtwoord"), validators=[DataRequired(), Length(max=256)])


class CodeForm(FlaskForm):
    """The second step: a 6-digit code from the app, or a recovery code."""

    code = StringField(
        _l("Code"),
        validators=[
            DataRequired(message=_l("Vul de code in.")),
            Length(max=32, message=_l("Deze code is te lang.")),
        ],
    )
