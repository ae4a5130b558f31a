"""Forms of the proctor pages."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import BooleanField, DateField, HiddenField, IntegerField, SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, Length, NumberRange, Optional

DOCUMENT_CHOICES = [
    SelectChoice("identity_card", _l("Identiteitskaart")),
    SelectChoice("residence_card", _l("Verblijfskaart")),
    SelectChoice("passport", _l("Paspoort")),
    SelectChoice("other", _l("Ander document")),
]


NOTE_HELP = _l("Geen namen of andere persoonsgegevens.")


class CandidateForm(FlaskForm):
    # Names are checked by attest.names (one rule for every way in): a mononym has no given names.
    family_name = StringField(_l("Familienaam"), validators=[Length(max=1000)])
    given_names = StringField(
        _l("Voornamen"),
        validators=[Length(max=1000)],
        description=_l("Leeg laten als het document maar één naam vermeldt."),
    )
    birth_date = DateField(_l("Geboortedatum"), validators=[InputRequired()])
    insz = StringField(
        _l("Rijksregisternummer (INSZ, optioneel)"), validators=[Optional(), Length(max=20)]
    )
    id_document_type = SelectField(_l("Identiteitsdocument"), choices=DOCUMENT_CHOICES)
    # Only the last 4 letters or digits are kept (attest.identity): the proctor may type those.
    id_document_number = StringField(
        _l("Documentnummer"),
        validators=[InputRequired(), Length(max=64)],
        description=_l("Alleen de laatste 4 tekens worden bewaard, nooit het hele nummer."),
    )
    is_new_person = BooleanField(
        _l("Dit is een andere persoon met dezelfde naam en geboortedatum: toch inschrijven")
    )


class StartSessionForm(FlaskForm):
    purpose = SelectField(_l("Doel van de test"), choices=[])
    is_fee_paid = BooleanField(_l("Inschrijvingsgeld betaald"))
    # Only an admin may allow an attempt that the retake rules forbid, and must say why.
    exception_reason = StringField(
        _l("Uitzondering op de herkansingsregels: reden (alleen beheerder)"),
        validators=[Optional(), Length(max=300)],
        description=NOTE_HELP,
    )


class IssueForm(FlaskForm):
    """Issue the attestation: the requirement the candidate came for (the only one printed),
    the lease start for social housing, and the confirmation of an uncertain result."""

    requirement = SelectField(_l("Vereiste waarvoor de kandidaat kwam"), choices=[], default="")
    lease_start = DateField(
        _l("Startdatum van het huurcontract (alleen voor sociale huur)"), validators=[Optional()]
    )
    uncertain_reason = StringField(
        _l("Onzeker resultaat: waarom reikt u het attest toch uit?"),
        validators=[Optional(), Length(max=300)],
    )


class DisplayModesForm(FlaskForm):
    """Accessibility accommodations for the kiosk pages of one session."""

    large_text = BooleanField(_l("Grote letters"))
    high_contrast = BooleanField(_l("Hoog contrast"))


class SpeakingModeForm(FlaskForm):
    """Who holds the speaking tasks: the kiosk alone, or a live examiner (an interview)."""

    examiner_led = BooleanField(_l("Spreken met een examinator (gesprek, opname op de tablet)"))


EXTRA_TIME_REASONS = [
    SelectChoice("accommodation", _l("Aanpassing voor de kandidaat (bijvoorbeeld dyslexie)")),
    SelectChoice("technical", _l("Technisch probleem")),
    SelectChoice("disturbance", _l("Storing in het testlokaal")),
    SelectChoice("other", _l("Andere reden (beschrijf)")),
]
EXTRA_TIME_SCOPES = [
    SelectChoice("current", _l("Alleen het deel dat nu loopt")),
    SelectChoice("rest", _l("Dit deel en alle volgende delen")),
]
END_REASONS = [
    SelectChoice("candidate_request", _l("Op vraag van de kandidaat")),
    SelectChoice("illness", _l("De kandidaat is ziek of onwel")),
    SelectChoice("irregularity", _l("Onregelmatigheid of fraude")),
    SelectChoice("technical", _l("Technisch probleem")),
    SelectChoice("other", _l("Andere reden (beschrijf)")),
]


class ExtraTimeForm(FlaskForm):
    minutes = IntegerField(
        _l("Minuten (negatief om terug te nemen)"),
        validators=[InputRequired(), NumberRange(min=-120, max=120)],
    )
    scope = SelectField(_l("Voor"), choices=EXTRA_TIME_SCOPES)
    reason = SelectField(_l("Reden"), choices=EXTRA_TIME_REASONS)
    note = StringField(
        _l("Toelichting"), validators=[Optional(), Length(max=200)], description=NOTE_HELP
    )


class EndSessionForm(FlaskForm):
    reason = SelectField(_l("Reden"), choices=END_REASONS)
    note = StringField(
        _l("Toelichting"), validators=[Optional(), Length(max=200)], description=NOTE_HELP
    )


ADMISSION_DOCUMENTS = [
    SelectChoice("identity_card", _l("Identiteitskaart")),
    SelectChoice("passport", _l("Paspoort")),
    SelectChoice("residence_card", _l("Verblijfskaart")),
    SelectChoice("driving_licence", _l("Rijbewijs")),
    SelectChoice("other", _l("Ander document (beschrijf)")),
]


class AdmissionForm(FlaskForm):
    """Admission: the identity document (only the last 4 characters of its number) and the
    test-day photo (taken with the webcam by admission.js, or uploaded)."""

    # The choices are checked by attest.id_documents and attest.admissions, with messages
    # that name the field (validate_choice off).
    booking = SelectField(_l("Afspraak"), choices=[], default="", validate_choice=False)
    document_type = SelectField(
        _l("Identiteitsdocument"), choices=ADMISSION_DOCUMENTS, validate_choice=False
    )
    other_type = StringField(
        _l("Welk document? (alleen bij Ander document)"), validators=[Length(max=200)]
    )
    country = SelectField(_l("Land van uitgifte"), choices=[], validate_choice=False)
    number_end = StringField(
        _l("Laatste 4 tekens van het documentnummer"),
        validators=[Length(max=64)],
        description=_l("Alleen de laatste 4 tekens worden bewaard, nooit het hele nummer."),
    )
    expires_on = DateField(_l("Geldig tot"), validators=[Optional()])
    expired_reason = StringField(
        _l("Document verlopen: waarom laat u de kandidaat toch toe?"),
        validators=[Length(max=400)],
        description=NOTE_HELP,
    )
    photo = FileField(_l("Foto van vandaag (als er geen camera is)"))
    photo_source = HiddenField(default="upload")
