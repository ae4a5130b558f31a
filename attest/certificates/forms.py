"""Forms of the public verification pages (the admin pages' forms are in attest/admin/forms.py)."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import SelectField, StringField
from wtforms.fields.choices import SelectChoice


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


def profile_choices(*, blank: bool = False) -> list[SelectChoice]:
    """Return the requirement profiles as choices (with an empty first choice if asked)."""
    from attest.certificates.requirements import profile_codes

    choices = [SelectChoice(code, title) for code, title in profile_codes()]
    return [SelectChoice("", "…"), *choices] if blank else choices
