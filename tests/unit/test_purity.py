"""Domain modules import neither Flask nor SQLAlchemy: they can be tested and benchmarked alone.

Each module is imported in a fresh interpreter through the real `attest` package (whose app
factory imports Flask only when called)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PURE_MODULES = [
    "attest.vocabulary",
    "attest.public_urls",
    "attest.identity",
    "attest.id_documents",
    "attest.photos",
    "attest.names",
    "attest.signals",
    "attest.pseudonyms",
    "attest.charts",
    "attest.assessment.retake",
    "attest.assessment.interlocutor_frames",
    "attest.certificates.typeface",
    "attest.audit_chain",
    "attest.audit_anchor",
    "attest.monitoring",
    "attest.retention_rules",
    "attest.appointments.rules",
    "attest.totp",
    "attest.settings_types",
    "attest.field_crypto",
    "attest.assessment.formats",
    "attest.assessment.formats.base",
    "attest.assessment.formats.registry",
    "attest.assessment.formats.choice",
    "attest.assessment.formats.inline_choice",
    "attest.assessment.formats.matching",
    "attest.assessment.formats.ordering",
    "attest.assessment.formats.text_entry",
    "attest.assessment.formats.productive",
    "attest.assessment.formats.key_checks",
    "attest.assessment.bank",
    "attest.assessment.audio",
    "attest.assessment.audio_checks",
    "attest.assessment.irt",
    "attest.assessment.cat",
    "attest.assessment.exposure",
    "attest.assessment.calibration",
    "attest.assessment.dif",
    "attest.assessment.cefr",
    "attest.assessment.cut_scores",
    "attest.assessment.standard_setting",
    "attest.standard_setting.descriptors",
    "attest.assessment.decision_accuracy",
    "attest.assessment.purpose_quality",
    "attest.assessment.purposes",
    "attest.assessment.codes",
    "attest.assessment.timing",
    "attest.assessment.qti",
    "attest.assessment.lint",
    "attest.assessment.lint_gates",
    "attest.assessment.shuffle",
    "attest.assessment.enemies",
    "attest.assessment.rubrics",
    "attest.assessment.allocation",
    "attest.assessment.agreement",
    "attest.kiosk.languages",
    "attest.assessment.instruction_audio",
    "attest.certificates.requirements",
    "attest.certificates.requirement_text",
    "attest.admin.item_key",
    "attest.certificates.keys",
    "attest.certificates.pdf",
    "attest.certificates.seal",
    "attest.certificates.cose",
    "attest.certificates.payload",
    "attest.certificates.facts",
    "attest.certificates.status_list",
    "attest.certificates.offline",
    "attest.certificates.offline_file",
    "attest.certificates.cert_code",
    "attest.certificates.vc",
    "attest.certificates.openapi",
]
PROBE = (
    "import sys, importlib; importlib.import_module({module!r}); "
    "print(' '.join(sorted({{m.split('.')[0] for m in sys.modules}} & "
    "{{'flask', 'sqlalchemy', 'werkzeug', 'flask_login'}})))"
)


@pytest.mark.parametrize("module", PURE_MODULES)
def test_domain_module_imports_no_web_or_orm(module):
    result = subprocess.run(
        [sys.executable, "-c", PROBE.format(module=module)],
        capture_output=True,
        text=True,
        check=True,
        cwd=ROOT,
    )
    assert result.stdout.strip() == "", f"{module} imports {result.stdout.strip()}"


def test_the_orm_loads_no_flask():
    """Importing the models loads SQLAlchemy but no Flask: Flask-Login's user protocol is given
    to `User` by the auth layer (attest.auth.login_protocol)."""
    probe = (
        "import sys, attest.models; "
        "print(' '.join(sorted({m.split('.')[0] for m in sys.modules} & "
        "{'flask', 'werkzeug', 'flask_login', 'flask_wtf', 'flask_babel'})))"
    )
    result = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True, cwd=ROOT
    )
    assert result.stdout.strip() == "", f"attest.models imports {result.stdout.strip()}"
