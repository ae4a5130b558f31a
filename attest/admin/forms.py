"""Admin forms."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import SelectField, StringField
from wtforms.validators import InputRequired, Length


class KioskForm(FlaskForm):
    centre = SelectField(_l("Centrum"), coerce=int, choices=[])
    name = StringField(_l("Naam van de kiosk"), validators=[InputRequired(), Length(max=100)])
