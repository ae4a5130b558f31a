"""Kiosk languages: the candidate's choice, right-to-left layout, spoken instructions, and the
large-text and high-contrast modes a proctor switches on for a session."""

from __future__ import annotations

import re

import pytest
import sqlalchemy as sa
from babel.messages.pofile import read_po

from attest.assessment.delivery import create_session
from attest.config import PROJECT_ROOT
from attest.kiosk.languages import KIOSK_LANGUAGES, kiosk_language
from attest.models import AuditEvent, Role, SessionStatus, TestSession
from tests.conftest import csrf_from
from tests.factories import load_demo_bank, make_candidate, make_centre, make_kiosk, make_user
from tests.web.helpers import csrf, login, start_at_kiosk


@pytest.fixture
def world(app, db, now):
    load_demo_bank(db)
    centre, other = make_centre(db), make_centre(db)
    proctor = make_user(db, role=Role.PROCTOR, centre=centre)
    stranger = make_user(db, role=Role.PROCTOR, centre=other)
    ts, code = create_session(
        db, make_candidate(db, centre=centre), "a2-luisteren-lezen", proctor, now
    )
    _kiosk, token = make_kiosk(db, centre=centre)
    db.commit()
    return {
        "ts_id": ts.id,
        "code": code,
        "token": token,
        "proctor": proctor,
        "other": stranger,
        "centre": centre,
    }


def html_tag(page: str) -> str:
    return re.search(r"<html[^>]*>", page).group(0)


def test_language_page_offers_every_language_in_its_own_script(app, world):
    client = start_at_kiosk(app, world["token"], world["code"], language="nl")
    page = client.get("/kiosk/language").get_data(as_text=True)
    assert len(KIOSK_LANGUAGES) >= 12
    for lang in KIOSK_LANGUAGES:
        button = re.search(rf'<button[^>]*value="{lang.code}"[^>]*>(.*?)</button>', page, re.S)
        assert button, lang.code
        assert f'lang="{lang.tag}" dir="{lang.direction}">{lang.native_name}<' in button.group(1)
    assert "العربية" in page and "ትግርኛ" in page and "Українська" in page


@pytest.mark.parametrize(
    ("code", "tag", "direction", "native", "dutch"),
    [
        ("so", "so", "ltr", "Soomaali", "Somalisch"),
        ("ps", "ps", "rtl", "پښتو", "Pasjtoe"),
        ("fa_AF", "fa-AF", "rtl", "دری", "Dari"),
        ("fa", "fa", "rtl", "فارسی", "Perzisch"),
    ],
)
def test_the_picker_offers_somali_pashto_dari_and_persian(
    app, world, code, tag, direction, native, dutch
):
    client = start_at_kiosk(app, world["token"], world["code"], language="nl")
    page = client.get("/kiosk/language").get_data(as_text=True)
    button = re.search(rf'<button[^>]*value="{code}"[^>]*>(.*?)</button>', page, re.S).group(1)
    assert f'<span class="native" lang="{tag}" dir="{direction}">{native}</span>' in button
    assert f'<span class="translated-name">{dutch}</span>' in button  # for the proctor


@pytest.mark.parametrize(
    ("code", "direction", "sample"),
    [
        ("ar", "rtl", "شرح الاختبار"),
        ("fa", "rtl", "توضیحات امتحان"),
        ("fa_AF", "rtl", "سؤال‌ها به زبان هالندی است."),
        ("ps", "rtl", "د ازموینې لارښوونه"),
        ("so", "ltr", "Sharaxaadda imtixaanka"),
        ("ti", "ltr", "መብርሂ ብዛዕባ ፈተና"),
        ("uk", "ltr", "Пояснення до тесту"),
        ("fr", "ltr", "Explications sur le test"),
    ],
)
def test_chosen_language_drives_kiosk_text_and_direction(app, db, world, code, direction, sample):
    client = start_at_kiosk(app, world["token"], world["code"], language=code)
    assert db.get(TestSession, world["ts_id"]).language == code
    page = client.get("/kiosk/instructions").get_data(as_text=True)
    tag = code.replace("_", "-")
    assert f'lang="{tag}"' in html_tag(page) and f'dir="{direction}"' in html_tag(page)
    assert sample in page
    item = client.get(client.get("/kiosk/resume").headers["Location"]).get_data(as_text=True)
    assert f'dir="{direction}"' in html_tag(item)
    # the item itself stays Dutch and left-to-right
    assert re.search(r'class="stem" lang="nl" dir="ltr"', item)


@pytest.mark.parametrize("code", [lang.code for lang in KIOSK_LANGUAGES if lang.code != "nl"])
def test_kiosk_pages_show_no_untranslated_dutch(app, world, code):
    with (PROJECT_ROOT / "attest" / "translations" / "kiosk.pot").open("rb") as fh:
        dutch = [m.id for m in read_po(fh) if m.id and len(m.id) > 12 and "%" not in m.id]
    client = start_at_kiosk(app, world["token"], world["code"], language=code)
    for url in ("/kiosk/instructions", "/kiosk/language"):
        page = client.get(url).get_data(as_text=True)
        page = page.replace("&#39;", "'").replace("&#34;", '"').replace("&quot;", '"')
        shown = [msgid for msgid in dutch if msgid in page]
        assert shown == [], (code, url)


def test_choosing_a_language_leads_to_the_instructions(app, world):
    client = start_at_kiosk(app, world["token"], world["code"], language="nl")
    token = csrf_from(client.get("/kiosk/language").get_data(as_text=True))
    response = client.post("/kiosk/language", data={"language": "tr", "csrf_token": token})
    assert response.headers["Location"].endswith("/kiosk/instructions")
    page = client.get("/kiosk/instructions").get_data(as_text=True)
    assert "Felemenkçe" in page and 'data-testid="begin"' in page


def test_unknown_language_is_refused_and_changes_nothing(app, db, world):
    client = start_at_kiosk(app, world["token"], world["code"], language="pl")
    token = csrf_from(client.get("/kiosk/language").get_data(as_text=True))
    response = client.post("/kiosk/language", data={"language": "xx", "csrf_token": token})
    assert response.status_code == 400
    assert db.get(TestSession, world["ts_id"]).language == "pl"


@pytest.mark.parametrize("code", [lang.code for lang in KIOSK_LANGUAGES if lang.voice])
def test_spoken_instructions_are_offered_and_served(app, world, code):
    client = start_at_kiosk(app, world["token"], world["code"], language=code)
    page = client.get("/kiosk/instructions").get_data(as_text=True)
    src = re.search(r'<audio id="instructions-audio"[^>]*src="([^"]+)"', page).group(1)
    assert src.endswith(f"/audio/instructions/{code}.ogg")
    assert 'class="big listen-button"' in page and "<svg" in page
    with client.get(src) as audio:
        assert audio.status_code == 200 and audio.data[:4] == b"OggS"


@pytest.mark.parametrize(
    ("code", "proctor_reads_aloud"),
    [
        ("ti", "ተቖጻጻሪ"),
        ("so", "kormeeraha ayaa kuu akhrinaya sharaxaadda"),
        ("ps", "څارونکی به لارښوونه تاسو ته ولولي"),
    ],
)
def test_language_without_a_voice_says_so(app, world, code, proctor_reads_aloud):
    assert kiosk_language(code).voice is None
    client = start_at_kiosk(app, world["token"], world["code"], language=code)
    page = client.get("/kiosk/instructions").get_data(as_text=True)
    assert "<audio" not in page
    assert 'data-testid="no-audio"' in page and proctor_reads_aloud in page


def test_staff_pages_stay_dutch_or_english(app, client):
    assert 'lang="nl"' in html_tag(client.get("/?lang=ar").get_data(as_text=True))
    arabic_browser = app.test_client().get("/", headers={"Accept-Language": "ar"})
    assert 'lang="nl"' in html_tag(arabic_browser.get_data(as_text=True))


def test_not_registered_page_follows_the_browser_language(app):
    page = app.test_client().get("/kiosk/", headers={"Accept-Language": "ar,en;q=0.5"})
    assert page.status_code == 403
    text = page.get_data(as_text=True)
    assert 'lang="ar" dir="rtl"' in html_tag(text) and "هذا الحاسوب" in text


def test_next_candidate_starts_without_the_previous_language(app, world):
    client = start_at_kiosk(app, world["token"], world["code"], language="ru")
    assert "Объяснение" in client.get("/kiosk/instructions").get_data(as_text=True)
    with client.session_transaction() as s:  # the test ended (the proctor may also cancel)
        s.pop("kiosk_ts")
    page = client.get("/kiosk/", headers={"Accept-Language": "nl"}).get_data(as_text=True)
    assert 'lang="nl"' in html_tag(page)


def set_modes(client, ts_id: int, **modes):
    data = {"csrf_token": csrf(client, "/proctor/")}
    data.update({name: "y" for name, on in modes.items() if on})
    return client.post(f"/proctor/sessions/{ts_id}/display", data=data)


def test_proctor_sees_dari_as_dari_with_its_language_tag(app, client, world):
    start_at_kiosk(app, world["token"], world["code"], language="fa_AF")
    login(client, world["proctor"].username)
    page = client.get(f"/proctor/sessions/{world['ts_id']}").get_data(as_text=True)
    assert '<span lang="fa-AF" dir="rtl">دری</span> (Dari)' in page


def test_proctor_switches_display_modes_and_the_kiosk_follows(app, db, client, world):
    kiosk = start_at_kiosk(app, world["token"], world["code"], language="ar")
    assert "class=" not in html_tag(kiosk.get("/kiosk/instructions").get_data(as_text=True))
    login(client, world["proctor"].username)
    page = client.get(f"/proctor/sessions/{world['ts_id']}").get_data(as_text=True)
    assert 'data-testid="display-modes"' in page and "Grote letters" in page
    assert 'dir="rtl">العربية</span> (Arabisch)' in page  # what the candidate chose

    assert set_modes(client, world["ts_id"], large_text=True, high_contrast=True).status_code == 302
    tag = html_tag(kiosk.get("/kiosk/instructions").get_data(as_text=True))
    assert 'class="large-text high-contrast"' in tag and 'dir="rtl"' in tag
    set_modes(client, world["ts_id"], large_text=False, high_contrast=True)
    item = kiosk.get(kiosk.get("/kiosk/resume").headers["Location"]).get_data(as_text=True)
    assert 'class="high-contrast"' in html_tag(item)

    events = db.scalars(
        sa.select(AuditEvent)
        .where(AuditEvent.action == "session.display_modes")
        .order_by(AuditEvent.id)
    ).all()
    assert [(e.actor_id, e.detail) for e in events] == [
        (world["proctor"].id, {"large_text": True, "high_contrast": True}),
        (world["proctor"].id, {"large_text": False}),
    ]
    set_modes(client, world["ts_id"], large_text=False, high_contrast=True)  # no change: no event
    assert (
        db.scalar(
            sa.select(sa.func.count())
            .select_from(AuditEvent)
            .where(AuditEvent.action == "session.display_modes")
        )
        == 2
    )


def test_display_modes_of_an_ended_session_cannot_change(app, db, client, world):
    ts = db.get(TestSession, world["ts_id"])
    ts.status = SessionStatus.COMPLETED
    db.commit()
    login(client, world["proctor"].username)
    response = set_modes(client, world["ts_id"], large_text=True)
    assert response.status_code == 303
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "de weergave kan niet meer veranderen" in page
    db.refresh(ts)
    assert not ts.is_large_text
    assert not db.scalar(sa.select(AuditEvent).where(AuditEvent.action == "session.display_modes"))


def test_another_centre_cannot_change_display_modes(app, db, client, world):
    login(client, world["other"].username)
    assert set_modes(client, world["ts_id"], high_contrast=True).status_code == 404
    assert not db.get(TestSession, world["ts_id"]).is_high_contrast


def _instructions(app, db, now, world, purpose: str, language: str) -> str:
    candidate = make_candidate(db, centre=world["centre"])
    _ts, code = create_session(db, candidate, purpose, world["proctor"], now)
    db.commit()
    client = start_at_kiosk(app, world["token"], code, language=language)
    return client.get("/kiosk/instructions").get_data(as_text=True)


def test_instructions_name_only_the_tested_skills_and_state_the_time_limits(app, db, now, world):
    page = _instructions(app, db, now, world, "a2-luisteren-lezen", "nl")
    parts = re.search(r'data-testid="test-parts">(.*?)</ul>', page, re.S).group(1)
    assert re.findall(r"<li>(.*?)</li>", parts) == ["luisteren: 45 minuten", "lezen: 60 minuten"]
    assert "luistervraag" in page  # listening is tested
    assert "spreekopdracht" not in page and "spreekt" not in page and "schrijft" not in page
    full = _instructions(app, db, now, world, "a2-volledig", "so")
    assert "hadal: 15 daqiiqo" in full and "qoris: 30 daqiiqo" in full
    assert "Hawsha hadalka" in full  # the speaking paragraph, in Somali
