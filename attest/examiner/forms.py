"""Forms of the examiner pages: one radio group per rubric criterion, re-mark reasons."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, RadioField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, Length

from attest.assessment.rubrics import Rubric


def bands_form(rubric: Rubric, *, with_calibration: bool = False) -> FlaskForm:
    """Return a form with one required band choice per criterion of the rubric."""

    class BandsForm(FlaskForm):
        pass

    for criterion in rubric.criteria:
        field = RadioField(
            criterion.label,
            choices=[SelectChoice(str(b), str(b)) for b in range(len(criterion.descriptors))],
            validators=[InputRequired(message=_l("Kies een band voor dit criterium."))],
        )
        setattr(BandsForm, f"band_{criterion.code}", field)
    if with_calibration:
        BandsForm.is_calibration = BooleanField(
            _l("Ook in de kalibratieset voor nieuwe examinatoren")
        )
    return BandsForm()


def bands_of(form: FlaskForm, rubric: Rubric) -> dict[str, int]:
    """Return the chosen band per criterion of a validated form."""
    return {c.code: int(getattr(form, f"band_{c.code}").data) for c in rubric.criteria}


class RemarkForm(FlaskForm):
    reason = TextAreaField(
        _l("Reden van de herbeoordeling (zonder persoonsgegevens)"),
        validators=[
            InputRequired(message=_l("Geef een reden voor de herbeoordeling.")),
            Length(max=500, message=_l("Gebruik hoogstens 500 tekens.")),
        ],
    )
