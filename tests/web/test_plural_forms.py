"""Counts at the kiosk go through ngettext, so languages with more than one plural form (Polish,
Ukrainian, Russian, Arabic, Romanian, French) say "1 minuta, 2 minuty, 5 minut"; every kiosk
catalogue has every plural form of these strings."""

from __future__ import annotations

from pathlib import Path

import pytest
from babel.messages.pofile import read_po
from flask_babel import force_locale, ngettext

from attest.kiosk.languages import KIOSK_LANGUAGES

TRANSLATIONS = Path(__file__).resolve().parents[2] / "attest" / "translations"
MINUTES = ("%(skill)s: %(n)s minuut", "%(skill)s: %(n)s minuten")
LEFT = ("Je mag het fragment nog %(n)s keer beluisteren.",) * 2


@pytest.mark.parametrize(
    ("locale", "expected"),
    [
        ("pl", {1: "1 minuta", 2: "2 minuty", 5: "5 minut", 12: "12 minut", 22: "22 minuty"}),
        ("uk", {1: "1 хвилина", 3: "3 хвилини", 5: "5 хвилин", 21: "21 хвилина"}),
        ("ru", {1: "1 минута", 4: "4 минуты", 11: "11 минут", 35: "35 минут"}),
        ("ro", {1: "1 minut", 2: "2 minute", 20: "20 de minute"}),
        ("ar", {2: "2 دقيقتان", 3: "3 دقائق", 15: "15 دقيقة"}),
        ("en", {1: "1 minute", 45: "45 minutes"}),
        ("nl", {1: "1 minuut", 45: "45 minuten"}),
    ],
)
def test_minutes_take_the_languages_plural_form(app, locale, expected):
    with app.test_request_context("/kiosk/"), force_locale(locale):
        for n, words in expected.items():
            assert ngettext(*MINUTES, n, skill="X", n=n).endswith(words), (locale, n)


def test_plays_left_take_the_plural_form(app):
    with app.test_request_context("/kiosk/"), force_locale("ru"):
        said = {n: ngettext(*LEFT, n, n=n) for n in (1, 2, 5)}
    assert said == {
        1: "Фрагмент можно прослушать ещё 1 раз.",
        2: "Фрагмент можно прослушать ещё 2 раза.",
        5: "Фрагмент можно прослушать ещё 5 раз.",
    }


TURNS = tuple(
    f"Dit is een gesprek van %(n)s {word}. Je hoort telkens iemand spreken. Daarna antwoord je "
    "meteen. Je hebt per beurt een vast aantal seconden; het gesprek gaat vanzelf verder."
    for word in ("beurt", "beurten")
)


@pytest.mark.parametrize(
    ("locale", "expected"),
    [
        ("nl", {1: "1 beurt.", 4: "4 beurten."}),
        ("en", {1: "1 turn.", 4: "4 turns."}),
        ("ru", {1: "из 1 реплики.", 4: "из 4 реплик.", 21: "из 21 реплики."}),
        ("ro", {1: "1 replică.", 8: "8 replici.", 20: "20 de replici."}),
    ],
)
def test_a_conversations_turns_take_the_languages_plural_form(app, locale, expected):
    with app.test_request_context("/kiosk/"), force_locale(locale):
        for n, words in expected.items():
            assert words in ngettext(*TURNS, n, n=n), (locale, n)


def test_every_kiosk_catalogue_fills_every_plural_form():
    for lang in KIOSK_LANGUAGES:
        if lang.code == "nl":
            continue
        with (TRANSLATIONS / lang.code / "LC_MESSAGES" / "kiosk.po").open("rb") as fh:
            catalog = read_po(fh)
        plurals = [m for m in catalog if m.id and isinstance(m.id, tuple)]
        assert len(plurals) >= 5, lang.code
        for message in plurals:
            assert len(message.string) == catalog.num_plurals, (lang.code, message.id[0])
            assert all(form.strip() for form in message.string), (lang.code, message.id[0])
            assert not message.fuzzy, (lang.code, message.id[0])


@pytest.mark.database
def test_the_kiosk_says_the_plays_left_in_the_candidates_plural_form(app, db):
    """After a play the kiosk's player shows the server's label (kiosk-session.js): Russian
    "ещё 1 раз" after the first of two plays, "2 раза" once both are used."""
    from datetime import UTC, datetime

    import sqlalchemy as sa

    from attest.assessment.delivery import create_session
    from attest.models import Item, ItemVersion, Role, SessionItem
    from tests.conftest import csrf_from
    from tests.factories import load_demo_bank, make_candidate, make_centre, make_kiosk, make_user
    from tests.web.helpers import start_at_kiosk

    load_demo_bank(db)
    version = db.scalar(
        sa.select(ItemVersion)
        .join(Item, sa.and_(Item.id == ItemVersion.item_id,
                            Item.current_version == ItemVersion.version))
        .where(Item.skill == "listening", Item.status == "live", Item.level == "A2")
        .order_by(Item.id)
        .limit(1)
    )  # fmt: skip
    centre = make_centre(db)
    proctor = make_user(db, role=Role.PROCTOR, centre=centre)
    _kiosk, token = make_kiosk(db, centre=centre)
    candidate = make_candidate(db, centre=centre)
    ts, code = create_session(db, candidate, "a2-luisteren-lezen", proctor, datetime.now(UTC))
    db.add(SessionItem(session=ts, position=1, skill="listening", item_version=version))
    db.commit()
    kiosk = start_at_kiosk(app, token, code, language="ru")
    page = kiosk.get("/kiosk/item/1").get_data(as_text=True)
    assert "Фрагмент можно прослушать ещё 2 раза." in page
    headers = {"X-CSRFToken": csrf_from(page)}
    first = kiosk.post("/kiosk/item/1/play", json={}, headers=headers).get_json()
    assert first["label_left"] == "Фрагмент можно прослушать ещё 1 раз."
    second = kiosk.post("/kiosk/item/1/play", json={}, headers=headers).get_json()
    assert second["label_left"] == ""
    assert second["label_done"] == "Вы уже прослушали этот фрагмент 2 раза. Больше нельзя."
