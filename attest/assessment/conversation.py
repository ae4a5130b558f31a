"""The turns of a semi-direct conversation (formats/conversation.py) as the server keeps them.

Each turn's answer is stored as soon as the kiosk has it (a ``Recording`` with its ``turn``), so
what was said survives a crash or a reload: the kiosk asks where to go on (``next_turn``) and the
performance is assembled from the turns in order (``response_fields``), by the kiosk at the last
turn or by the server when the section closes first (recording_uploads.salvage_unsent).
"""

from __future__ import annotations

import sqlalchemy as sa
import sqlalchemy.orm as so

from attest.assessment.formats import get_format
from attest.assessment.formats.conversation import NO_RECORDING
from attest.assessment.formats.productive import RECORDING_FIELD
from attest.models import Recording, SessionItem


def turn_count(item: SessionItem) -> int:
    """Return the number of turns of a session item (0: not a conversation)."""
    return get_format(item.item_version.format).turn_count(item.item_version.content)


def turn_recordings(session: so.Session, item: SessionItem) -> dict[int, Recording]:
    """Return the recordings kept for the turns of a conversation, keyed by turn (1-based)."""
    rows = session.scalars(
        sa.select(Recording).where(
            Recording.session_item_id == item.id, Recording.turn.is_not(None)
        )
    )
    return {rec.turn: rec for rec in rows if rec.turn is not None}


def next_turn(session: so.Session, item: SessionItem) -> int | None:
    """Return the first turn (1-based) without a recording; None when every turn has one."""
    kept = turn_recordings(session, item)
    return next((n for n in range(1, turn_count(item) + 1) if n not in kept), None)


def response_fields(session: so.Session, item: SessionItem) -> dict[str, list[str]]:
    """Return the answer form fields of a conversation from the turns kept: one recording id per
    turn, in order ("-" for a turn without one); no field at all when no turn was kept."""
    kept = turn_recordings(session, item)
    if not kept:
        return {}
    ids = [kept[n].id if n in kept else NO_RECORDING for n in range(1, turn_count(item) + 1)]
    return {RECORDING_FIELD: ids}


def recording_ids(value: object) -> list[str | None] | None:
    """Return the per-turn recording ids of a stored conversation response, else None."""
    if isinstance(value, dict) and isinstance(value.get("turns"), list):
        return list(value["turns"])
    return None


def kept_turn_ids(session: so.Session, item: SessionItem) -> list[str | None]:
    """Return the recording id kept per turn, in order (None: not yet answered); [] for a task
    that is not a conversation. The kiosk resumes at the first None."""
    count = turn_count(item)
    if not count:
        return []
    kept = turn_recordings(session, item)
    return [kept[n].id if n in kept else None for n in range(1, count + 1)]
