"""Forms of the public verification pages and the admin pages for attestations and partners."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import SelectField, SelectMultipleField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, Length
from wtforms.widgets import CheckboxInput, ListWidget


class VerifyForm(FlaskForm):
    """Typed code and birth date. Nothing is validated here: every bad input must get the
    same answer as an unknown code, so the service judges the raw text."""

    code = StringField(_l("Code van het attest"), render_kw={"autocomplete": "off"})
    birth_date = StringField(_l("Geboortedatum van de houder"), render_kw={"type": "date"})
    profile = SelectField(_l("Vereiste (optioneel)"), choices=[], validate_choice=False)
    lease_start = StringField(
        _l("Startdatum van het huurcontract (alleen voor sociale huur)"),
        render_kw={"type": "date"},
    )


REASON_CHOICES = [
    SelectChoice("fraud", _l("Fraude")),
    SelectChoice("error", _l("Fout bij het uitreiken")),
    SelectChoice("withdrawn", _l("Ingetrokken door de uitreiker")),
]


class FindAttestationForm(FlaskForm):
    code = StringField(_l("Code van het attest"), validators=[InputRequired(), Length(max=64)])


class RevokeForm(FlaskForm):
    reason = SelectField(_l("Reden"), choices=REASON_CHOICES)
    revoked_on = StringField(_l("Ingetrokken vanaf (datum)"), render_kw={"type": "date"})
    note = TextAreaField(
        _l("Toelichting op de controlepagina (geen persoonsgegevens)"),
        validators=[Length(max=300)],
    )


class PartnerForm(FlaskForm):
    name = StringField(_l("Naam van de organisatie"), validators=[InputRequired(), Length(max=200)])
    profiles = SelectMultipleField(
        _l("Vereisten die ze mag opvragen"),
        choices=[],
        widget=ListWidget(prefix_label=False),
        option_widget=CheckboxInput(),
    )


def profile_choices(*, blank: bool = False) -> list[SelectChoice]:
    """Return the requirement profiles as choices (with an empty first choice if asked)."""
    from attest.certificates.requirements import profile_codes

    choices = [SelectChoice(code, title) for code, title in profile_codes()]
    return [SelectChoice("", "…"), *choices] if blank else choices
