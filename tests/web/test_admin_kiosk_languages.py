"""The admin sees, per kiosk language, whether the general instructions exist as audio and of
what provenance (synthetic with its voice, human, or none: the proctor reads them aloud)."""

from __future__ import annotations

import json
import re
import shutil

import pytest

from attest.assessment import instruction_audio
from attest.assessment.instruction_audio import HUMAN, NONE, SYNTHETIC, instruction_provenance
from attest.config import PROJECT_ROOT
from attest.kiosk.languages import INSTRUCTIONS, KIOSK_LANGUAGES, SPOKEN_INSTRUCTIONS
from attest.models import Role
from tests.factories import make_centre, make_user
from tests.web.helpers import login

TRANSLATIONS = PROJECT_ROOT / "attest" / "translations"
AUDIO = instruction_audio.audio_dir(PROJECT_ROOT / "attest" / "static")


def _row(page: str, code: str) -> str:
    return re.search(rf'<tr data-language="{code}"[^>]*>.*?</tr>', page, re.S).group(0)


def test_admin_page_lists_the_provenance_of_every_kiosk_language(db, client):
    admin = make_user(db, role=Role.ADMIN)
    db.commit()
    login(client, admin.username)
    response = client.get("/admin/kiosk-languages")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "Talen van de kiosk" in page  # Dutch first
    rows = re.findall(r'<tr data-language="([^"]+)" data-provenance="(\w+)">', page)
    assert [code for code, _ in rows] == [lang.code for lang in KIOSK_LANGUAGES]
    kinds = dict(rows)
    assert kinds["nl"] == kinds["fa_AF"] == kinds["fa"] == SYNTHETIC
    assert kinds["so"] == kinds["ps"] == kinds["ti"] == NONE
    assert "synthetisch (espeak-ng, stem fa)" in _row(page, "fa_AF")
    assert "bij met de tekst" in _row(page, "fa_AF")
    assert f"{len(SPOKEN_INSTRUCTIONS)} van {len(INSTRUCTIONS)} alinea" in _row(page, "nl")
    for code in ("so", "ps", "ti"):
        assert "de toezichter leest de uitleg voor" in _row(page, code)
    assert 'lang="fa-AF" dir="rtl">دری</span> (Dari)' in _row(page, "fa_AF")
    assert 'lang="so" dir="ltr">Soomaali</span> (Somalisch)' in _row(page, "so")


@pytest.mark.parametrize("role", [Role.PROCTOR, Role.EXAMINER])
def test_the_page_is_refused_to_staff_who_are_not_admins(db, client, role):
    user = make_user(db, role=role, centre=make_centre(db))
    db.commit()
    login(client, user.username)
    assert client.get("/admin/kiosk-languages").status_code == 403


def test_the_page_asks_a_visitor_to_log_in(client):
    response = client.get("/admin/kiosk-languages")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_provenance_tells_synthetic_human_stale_and_none_apart(tmp_path):
    for name in ("nl.ogg", "en.ogg", "fr.ogg", instruction_audio.MANIFEST):
        shutil.copy(AUDIO / name, tmp_path / name)
    made = instruction_audio.read_manifest(tmp_path)
    del made["en"]  # a recording put in place of the synthetic file leaves the manifest
    made["fr"] = "0" * 64  # made from older text
    (tmp_path / instruction_audio.MANIFEST).write_text(json.dumps(made))
    rows = {row.language.code: row for row in instruction_provenance(TRANSLATIONS, tmp_path)}
    assert (rows["nl"].kind, rows["nl"].voice, rows["nl"].is_current) == (SYNTHETIC, "nl", True)
    assert (rows["en"].kind, rows["en"].voice) == (HUMAN, None)
    assert (rows["fr"].kind, rows["fr"].is_current) == (SYNTHETIC, False)
    assert (rows["ar"].kind, rows["ar"].paragraphs) == (NONE, 0)  # no file copied
