"""Items are versioned: once a session has used an item, a change makes a new version."""

from __future__ import annotations

import shutil
from pathlib import Path

import sqlalchemy as sa
import yaml

from attest.assessment.bank import load_bank
from attest.assessment.bank_sync import sync_bank
from attest.config import PROJECT_ROOT
from attest.models import Item, ItemVersion, Role, SessionItem
from tests.factories import make_centre, make_kiosk, make_started_session, make_user


def _copy_bank(tmp_path: Path) -> Path:
    root = tmp_path / "bank"
    shutil.copytree(PROJECT_ROOT / "question_banks" / "nl", root)
    return root


def _edit_item(root: Path, item_id: str, new_stem: str) -> None:
    for path in root.rglob("*.yaml"):
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        items = data if isinstance(data, list) else data.get("items", [])
        for item in items:
            if isinstance(item, dict) and item.get("id") == item_id:
                item["stem"] = new_stem
                path.write_text(
                    yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8"
                )
                return
    raise AssertionError(f"{item_id} not found")


def test_used_items_get_a_new_version_and_old_sessions_keep_theirs(db, tmp_path, now):
    root = _copy_bank(tmp_path)
    sync_bank(db, load_bank(root), now)
    centre = make_centre(db)
    proctor = make_user(db, role=Role.PROCTOR, centre=centre)
    kiosk, _ = make_kiosk(db, centre=centre)
    ts = make_started_session(db, centre=centre, proctor=proctor, kiosk=kiosk, now=now)
    db.commit()
    used = db.scalars(sa.select(SessionItem).where(SessionItem.session_id == ts.id)).first()
    used_id = used.item_version.item_id
    unused_id = db.scalar(
        sa.select(Item.id).where(
            Item.id.not_in(
                sa.select(ItemVersion.item_id).where(ItemVersion.first_used_at.is_not(None))
            )
        )
    )
    _edit_item(root, used_id, "Gewijzigde vraag?")
    _edit_item(root, unused_id, "Nog nooit gebruikt, gewijzigd?")
    report = sync_bank(db, load_bank(root), now)
    db.commit()
    assert report.new_versions == [used_id]
    assert report.updated_in_place == [unused_id]
    versions = db.scalars(
        sa.select(ItemVersion).where(ItemVersion.item_id == used_id).order_by(ItemVersion.version)
    ).all()
    assert [v.version for v in versions] == [1, 2]
    assert versions[1].content["stem"] == "Gewijzigde vraag?"
    db.refresh(used)
    assert (
        used.item_version.version == 1 and used.item_version.content["stem"] != "Gewijzigde vraag?"
    )
    assert db.get(Item, used_id).current_version == 2
    # loading the same bank again changes nothing
    again = sync_bank(db, load_bank(root), now)
    assert not (again.added or again.new_versions or again.updated_in_place)


def test_a_malformed_bank_imports_nothing(app, db, tmp_path):
    root = _copy_bank(tmp_path)
    victim = sorted(root.rglob("*.yaml"))[0]
    victim.write_text(victim.read_text(encoding="utf-8") + "\n  - : [unclosed\n", encoding="utf-8")
    result = app.test_cli_runner().invoke(args=["bank", "load", "--dir", str(root)])
    assert result.exit_code == 1
    assert victim.name in result.output
    assert db.scalar(sa.select(sa.func.count()).select_from(Item)) == 0
