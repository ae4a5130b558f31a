"""Admins browse the bank: filters, a preview as the kiosk renders it, versions and usage."""

from __future__ import annotations

import shutil

import sqlalchemy as sa
import yaml

from attest.assessment.bank import load_bank
from attest.assessment.bank_sync import sync_bank
from attest.config import PROJECT_ROOT
from attest.models import Item, Role, SessionItem
from tests.factories import (
    load_demo_bank,
    make_centre,
    make_kiosk,
    make_started_session,
    make_user,
)
from tests.web.helpers import login


def test_filters_show_only_matching_items(db, client):
    load_demo_bank(db)
    admin = make_user(db, role=Role.ADMIN)
    db.commit()
    login(client, admin.username)
    html = client.get("/admin/items/?skill=listening&level=B2&format=single_choice").get_data(
        as_text=True
    )
    shown = [part.split('"')[0] for part in html.split('data-item="')[1:]]
    expected = db.scalars(
        sa.select(Item.id).where(
            Item.skill == "listening", Item.level == "B2", Item.format == "single_choice"
        )
    ).all()
    assert shown and sorted(shown) == sorted(expected)


def test_preview_renders_like_the_kiosk_with_audio_transcript_and_key(db, client):
    load_demo_bank(db)
    admin = make_user(db, role=Role.ADMIN)
    db.commit()
    login(client, admin.username)
    item = db.scalar(sa.select(Item).where(Item.skill == "listening").limit(1))
    html = client.get(f"/admin/items/{item.id}").get_data(as_text=True)
    version = item.versions[-1]
    assert version.content["stem"] in html
    assert 'data-testid="transcript"' in html and 'name="answer"' in html or "gap_" in html
    audio_url = f"/admin/items/media/{version.media['audio']}"
    assert audio_url in html
    audio = client.get(audio_url)
    assert audio.status_code == 200 and audio.data[:4] == b"OggS"
    audio.close()
    assert client.get("/admin/items/no-such-item").status_code == 404


def test_the_key_is_said_in_words_not_as_raw_json(db, client):
    load_demo_bank(db)
    admin = make_user(db, role=Role.ADMIN)
    db.commit()
    login(client, admin.username)
    item = db.scalar(sa.select(Item).where(Item.format == "single_choice").limit(1))
    content = item.versions[-1].content
    right = content["options"]["abcdefgh".index(content["answer"])]
    html = client.get(f"/admin/items/{item.id}").get_data(as_text=True)
    key = html.split('data-testid="key"', 1)[1].split("</dl>", 1)[0]
    assert "Juist antwoord" in key and f"{content['answer']} ({right['text']})" in key
    assert "{" not in key and '"answer"' not in key


def test_version_history_and_usage_counts(db, client, tmp_path, now):
    root = tmp_path / "bank"
    shutil.copytree(PROJECT_ROOT / "question_banks" / "nl", root)
    sync_bank(db, load_bank(root), now)
    centre = make_centre(db)
    proctor = make_user(db, role=Role.PROCTOR, centre=centre)
    admin = make_user(db, role=Role.ADMIN)
    kiosk, _ = make_kiosk(db, centre=centre)
    ts = make_started_session(db, centre=centre, proctor=proctor, kiosk=kiosk, now=now)
    db.commit()
    used = db.scalars(sa.select(SessionItem).where(SessionItem.session_id == ts.id)).first()
    item_id = used.item_version.item_id
    path = root / used.item_version.source
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    for entry in data:
        if entry.get("id") == item_id:
            entry["stem"] = "Een nieuwe vraag?"
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    sync_bank(db, load_bank(root), now)
    db.commit()

    login(client, admin.username)
    html = client.get(f"/admin/items/{item_id}").get_data(as_text=True)
    assert 'data-version="1"' in html and 'data-version="2"' in html
    assert 'data-testid="uses-1">1<' in html and 'data-testid="uses-2">0<' in html
    assert "Een nieuwe vraag?" in html
    old = client.get(f"/admin/items/{item_id}?version=1").get_data(as_text=True)
    assert "Een nieuwe vraag?" not in old.split('data-testid="preview"')[1].split("</div>")[0]


def test_psychometric_report_shows_information_and_calibration(app, db, client, now):
    load_demo_bank(db)
    admin = make_user(db, role=Role.ADMIN)
    db.commit()
    login(client, admin.username)
    empty = client.get("/admin/items/report?skill=reading").get_data(as_text=True)
    assert 'data-testid="information-chart"' in empty and "<polyline" in empty
    assert 'data-testid="not-calibrated"' in empty
    cuts = empty.split('data-testid="cut-scores">')[1].split("</p>")[0]
    assert "versie provisional-1 (voorlopig;" in cuts  # the store's version in force
    assert client.get("/admin/items/report?skill=speaking").status_code == 404
    item = db.scalar(sa.select(Item).where(Item.skill == "reading").limit(1))
    detail = client.get(f"/admin/items/{item.id}").get_data(as_text=True)
    assert 'data-testid="icc"' in detail and "<polyline" in detail


def test_psychometric_report_lists_calibrated_items_with_flags(db, client, bank_data):
    admin = make_user(db, role=Role.ADMIN)
    db.commit()
    login(client, admin.username)
    html = client.get("/admin/items/report?skill=reading").get_data(as_text=True)
    table = html.split('data-testid="calibration"')[1]
    assert "R-PILOT-2/v1</a><" in table  # a pilot item is estimated freely
    assert "R-LIVE-03/v1</a> *<" in table  # a live item is an anchor
    assert table.count("<tr class=") == 19  # 16 live, 2 pilot, 1 old version
    assert 'class="flagged"' in table  # misfit is marked for the admin
