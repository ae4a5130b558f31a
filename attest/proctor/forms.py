"""Forms of the proctor pages."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, DateField, SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, Length, Optional

DOCUMENT_CHOICES = [
    SelectChoice("identity_card", _l("Identiteitskaart")),
    SelectChoice("residence_card", _l("Verblijfskaart")),
    SelectChoice("passport", _l("Paspoort")),
    SelectChoice("other", _l("Ander document")),
]


class CandidateForm(FlaskForm):
    family_name = StringField(_l("Familienaam"), validators=[InputRequired(), Length(max=200)])
    given_names = StringField(_l("Voornamen"), validators=[InputRequired(), Length(max=200)])
    birth_date = DateField(_l("Geboortedatum"), validators=[InputRequired()])
    insz = StringField(
        _l("Rijksregisternummer (INSZ, optioneel)"), validators=[Optional(), Length(max=20)]
    )
    id_document_type = SelectField(_l("Identiteitsdocument"), choices=DOCUMENT_CHOICES)
    id_document_number = StringField(
        _l("Documentnummer"), validators=[InputRequired(), Length(max=64)]
    )


class StartSessionForm(FlaskForm):
    purpose = SelectField(_l("Doel van de test"), choices=[])


class EmptyForm(FlaskForm):
    """A form with only the CSRF token, for POST buttons."""


class DisplayModesForm(FlaskForm):
    """Accessibility accommodations for the kiosk pages of one session."""

    large_text = BooleanField(_l("Grote letters"))
    high_contrast = BooleanField(_l("Hoog contrast"))
