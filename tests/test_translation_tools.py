"""The translation tools keep the .po files the only source: a leftover Python table is merged
into them (tools/po_merge.py), a string it held before the code showed it gets its translation
when extracted (tools/po_update.py), and po_status.py --strict fails while anything is missing."""

from __future__ import annotations

import importlib
import shutil
import sys

import pytest

from attest.config import PROJECT_ROOT


@pytest.fixture
def tools(tmp_path, monkeypatch):
    """The three tools working on a copy of the catalogues."""
    copy = tmp_path / "translations"
    shutil.copytree(PROJECT_ROOT / "attest" / "translations", copy)
    monkeypatch.syspath_prepend(str(PROJECT_ROOT / "tools"))
    modules = {}
    for name in ("po_update", "po_merge", "po_status"):
        sys.modules.pop(name, None)
        modules[name] = importlib.import_module(name)
        monkeypatch.setattr(modules[name], "TRANSLATIONS", copy)
    yield modules, copy
    for name in modules:
        sys.modules.pop(name, None)


def _message(copy, code, domain, msgid):
    po_update = sys.modules["po_update"]
    catalog = po_update.read(copy / code / "LC_MESSAGES" / f"{domain}.po")
    return catalog.get(msgid), catalog.obsolete.get(msgid)


def test_a_python_table_is_merged_into_the_po_and_deleted(tools, tmp_path):
    modules, copy = tools
    table = tmp_path / "translations_en_topic.py"
    table.write_text('EN = {"Nieuwe zin": "New sentence", "Afmelden": "Sign out"}\n')

    assert modules["po_merge"].main([str(table)]) == 0

    assert not table.exists()
    assert _message(copy, "en", "messages", "Afmelden")[0].string == "Sign out"
    active, waiting = _message(copy, "en", "messages", "Nieuwe zin")
    assert active is None and waiting.string == "New sentence"
    # the code starts showing the string: extraction puts it in the template, the update
    # gives it the translation that was waiting
    pot = copy / "messages.pot"
    pot.write_bytes(pot.read_bytes() + b'\nmsgid "Nieuwe zin"\nmsgstr ""\n')
    assert modules["po_update"].main() == 0
    active, waiting = _message(copy, "en", "messages", "Nieuwe zin")
    assert active.string == "New sentence" and waiting is None
    assert _message(copy, "nl", "messages", "Nieuwe zin")[0].string == ""


def test_po_status_is_strict_about_an_untranslated_kiosk_string(tools, capsys):
    modules, copy = tools
    assert modules["po_status"].main(["--strict"]) == 0
    pot = copy / "kiosk.pot"
    pot.write_bytes(pot.read_bytes() + b'\nmsgid "Nog een zin"\nmsgstr ""\n')
    modules["po_update"].main()
    capsys.readouterr()

    assert modules["po_status"].main(["--strict", "--list", "fr"]) == 1
    out = capsys.readouterr().out
    assert "fr   kiosk" in out and "untranslated: 'Nog een zin'" in out
    assert modules["po_status"].main(["fr"]) == 0  # without --strict: a report only
