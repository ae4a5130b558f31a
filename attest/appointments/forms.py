"""Forms of the appointment pages (proctor and public)."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, EmailField, IntegerField, SelectField, StringField, TextAreaField
from wtforms.fields import TimeField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, Length, NumberRange, Optional


class SlotForm(FlaskForm):
    """A test slot: its local date and time, length, purpose and places."""

    day = DateField(_l("Datum"), validators=[InputRequired()])
    time = TimeField(_l("Beginuur"), validators=[InputRequired()])
    duration_minutes = IntegerField(
        _l("Duur (minuten)"), default=120, validators=[InputRequired(), NumberRange(1, 480)]
    )
    purpose = SelectField(_l("Doel van de test"), choices=[])
    capacity = IntegerField(
        _l("Plaatsen"),
        default=1,
        validators=[InputRequired(), NumberRange(1, 1000)],
        description=_l("Hoogstens het aantal actieve kiosken van het centrum."),
    )


class BookCandidateForm(FlaskForm):
    candidate = SelectField(_l("Kandidaat"), choices=[], coerce=int, validate_choice=False)


class MarkForm(FlaskForm):
    """Attended or no-show: the button pressed gives the status."""

    status = SelectField(
        choices=[
            SelectChoice("attended", _l("Aanwezig")),
            SelectChoice("no_show", _l("Niet opgedaagd")),
        ],
    )


class PublicBookingForm(FlaskForm):
    # The slot may fill up between showing and sending: the service decides, not the choices.
    slot = SelectField(_l("Moment"), choices=[], coerce=int, validate_choice=False)
    family_name = StringField(
        _l("Familienaam"),
        validators=[Length(max=1000)],
        description=_l(
            "Zoals op uw identiteitsdocument. Heeft het maar één naam, vul die hier in."
        ),
    )
    given_names = StringField(_l("Voornamen"), validators=[Length(max=1000)])
    birth_date = DateField(_l("Geboortedatum"), validators=[InputRequired()])
    email = EmailField(_l("E-mailadres"), validators=[InputRequired(), Length(max=254)])
    language = SelectField(_l("Taal voor berichten"), choices=[])
    accommodation = TextAreaField(
        _l("Aanpassing nodig? (optioneel)"),
        validators=[Optional(), Length(max=1000)],
        description=_l("Bijvoorbeeld: rolstoel, grote letters, extra tijd bij dyslexie."),
    )


class RescheduleForm(FlaskForm):
    slot = SelectField(_l("Nieuw moment"), choices=[], coerce=int, validate_choice=False)
