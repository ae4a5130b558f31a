"""Admin forms: kiosks, the trust pages (find and revoke attestations, partners), the studio."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import (
    DecimalField,
    HiddenField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, Length, NumberRange, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from attest.certificates.requirements import profile_codes


class KioskForm(FlaskForm):
    centre = SelectField(_l("Centrum"), coerce=int, choices=[])
    name = StringField(_l("Naam van de kiosk"), validators=[InputRequired(), Length(max=100)])


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

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.profiles.choices = [SelectChoice(code, title) for code, title in profile_codes()]


class ReviewStepForm(FlaskForm):
    """A step of the review workflow on one item (attest/assessment/review_service.py)."""

    step = SelectField(_l("Stap"), choices=[])
    expected_state = HiddenField()
    note = TextAreaField(_l("Opmerkingen"), validators=[Length(max=2000)])
    changes = TextAreaField(_l("Wat is er veranderd"), validators=[Length(max=2000)])


class StudioUploadForm(FlaskForm):
    """A recording for one clip: a file (uploaded, or recorded in the browser by
    static/audio-studio.js), where to trim it, and who spoke it (a pseudonym only)."""

    audio = FileField(_l("Opname (audiobestand)"), validators=[FileRequired()])
    start = DecimalField(_l("Begin (seconden)"), places=2, validators=[Optional(), NumberRange(0)])
    end = DecimalField(_l("Einde (seconden)"), places=2, validators=[Optional(), NumberRange(0)])
    speaker = StringField(
        _l("Spreker (pseudoniem, bv. spk-7)"), validators=[InputRequired(), Length(max=16)]
    )
    region = SelectField(
        _l("Uitspraak"),
        choices=[
            SelectChoice("flemish", _l("Vlaams")),
            SelectChoice("netherlands", _l("Nederlands (Nederland)")),
        ],
    )
