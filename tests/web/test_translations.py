"""Every string people read is in the catalogues, and the English catalogue is complete."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from babel.messages.pofile import read_po

from attest.config import PROJECT_ROOT

TRANSLATIONS = PROJECT_ROOT / "attest" / "translations"


def _catalog(lang: str):
    with (TRANSLATIONS / lang / "LC_MESSAGES" / "messages.po").open("rb") as fh:
        return read_po(fh)


def test_catalogue_holds_every_string_of_the_code(tmp_path: Path):
    pot = tmp_path / "messages.pot"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "babel.messages.frontend",
            "-q",
            "extract",
            "-F",
            "babel.cfg",
            "-k",
            "_l",
            "-k",
            "N_",
            "-o",
            str(pot),
            ".",
        ],
        cwd=PROJECT_ROOT,
        check=True,
    )
    with pot.open("rb") as fh:
        extracted = {m.id for m in read_po(fh) if m.id}
    known = {m.id for m in _catalog("en") if m.id}
    assert extracted - known == set(), "run `make extract-messages` and translate"


def test_english_catalogue_is_complete_and_not_fuzzy():
    def empty(m) -> bool:  # a plural message (ngettext) needs every form
        return not all(m.string) if isinstance(m.string, tuple) else not m.string

    problems = [m.id for m in _catalog("en") if m.id and (empty(m) or m.fuzzy)]
    assert problems == []


def test_pages_follow_the_chosen_language(app, client):
    assert "Staff login" in client.get("/?lang=en").get_data(as_text=True)
    assert "Aanmelden voor medewerkers" in client.get("/?lang=nl").get_data(as_text=True)
    # Staff pages are Dutch until someone chooses English; public pages follow the browser.
    english_browser = app.test_client()
    staff = english_browser.get("/", headers={"Accept-Language": "en-GB,en;q=0.9"})
    assert "Aanmelden voor medewerkers" in staff.get_data(as_text=True)
    public = english_browser.get("/v", headers={"Accept-Language": "en-GB,en;q=0.9"})
    assert 'lang="en"' in public.get_data(as_text=True)


def test_po_status_reports_every_catalogue_complete():
    done = subprocess.run(
        [sys.executable, "tools/po_status.py", "--strict"],
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stdout
    assert {line.split()[0] for line in done.stdout.splitlines()} >= {"en", "fr", "ar", "ti"}
