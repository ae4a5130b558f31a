"""Take a review workflow step on an item in the running instance (the admin item browser).

The rules are ``review_flow.py``'s; this module guards them against concurrency: the item's
row is locked (PostgreSQL; SQLite's write transaction holds the database) before its history
is read, the step must start from the state the person saw (a double-click or a colleague at
the same moment finds the state moved on and is refused), and the unique (item, seq) of
``item_review_step`` refuses a second step with the same number whatever happens. Steps taken
here reach the bank files through ``attest bank review-export`` (``review_export.py``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
import sqlalchemy.orm as so

from attest.assessment.bank_sync import db_history
from attest.assessment.review_flow import (
    ALLOWED_FROM,
    NOT_BY_WRITER,
    STATE_AFTER,
    STATUS_OF_STATE,
    as_utc,
    step_problem,
    writer_of,
)
from attest.audit import record_event
from attest.engine import lock_row
from attest.models import Item, ItemReviewStep, Role, User

# Steps taken in the browser; ``live`` comes only from a calibration adoption, ``written``
# and the migration steps only from the files.
BROWSER_STEPS = ("reviewed", "returned", "checked", "pilot", "retired")
ADMIN_STEPS = ("pilot", "retired")
REVIEW_ROLES = (Role.ADMIN, Role.AUTHOR)
NOTE_MAX = 2000


class StepRefused(Exception):
    """The step was not taken; ``code`` names why (the view says it in the user's language)."""

    def __init__(self, code: str, detail: str = "") -> None:
        self.code = code
        super().__init__(f"{code}: {detail}" if detail else code)


def take_step(
    session: so.Session,
    item_id: str,
    step: str,
    user: User,
    now: datetime,
    *,
    expected_state: str | None,
    note: str = "",
    changes: str = "",
) -> ItemReviewStep:
    """Record ``step`` on the item by ``user``; raise StepRefused and change nothing if the
    workflow does not allow it (see the module docs for the concurrency guard)."""
    if step not in BROWSER_STEPS:
        raise StepRefused("live_by_calibration" if step == "live" else "unknown_step", step)
    if user.role not in REVIEW_ROLES or (step in ADMIN_STEPS and user.role is not Role.ADMIN):
        raise StepRefused("role", step)
    if step == "returned" and not note.strip():
        raise StepRefused("note_required", step)
    if len(note) > NOTE_MAX or len(changes) > NOTE_MAX:
        raise StepRefused("too_long")
    item = lock_row(session, Item, item_id)
    if item is None:
        raise StepRefused("unknown_item", item_id)
    history = db_history(item)
    if item.review_state != expected_state:
        raise StepRefused("moved_on", str(item.review_state))
    why = step_problem(history, step, user.username)
    if why:
        own = step in NOT_BY_WRITER and (writer_of(history) or "").casefold() == (
            user.username.casefold()
        )
        raise StepRefused("own_item" if own else "not_allowed", why)
    row = ItemReviewStep(
        item_id=item.id,
        seq=len(history) + 1,
        step=step,
        actor=user.username,
        at=as_utc(now),
        note=note.strip(),
        changes=changes.strip(),
    )
    try:
        with session.begin_nested():  # the unique (item, seq) refuses a second step here
            session.add(row)
            session.flush()
    except sa.exc.IntegrityError:
        raise StepRefused("moved_on", "another step took this number") from None
    item.review_state = STATE_AFTER[step]
    item.status = STATUS_OF_STATE[item.review_state]
    item.updated_at = now
    record_event(session, user, "item.review_step", "item", item.id, step=step, seq=row.seq)
    return row


def steps_for(item: Item, user: User) -> list[str]:
    """Return the browser steps this user may take on the item now."""
    history = db_history(item)
    state = item.review_state
    allowed = []
    for step in BROWSER_STEPS:
        if state not in ALLOWED_FROM[step] or not history:
            continue
        if user.role not in REVIEW_ROLES:
            continue
        if step in ADMIN_STEPS and user.role is not Role.ADMIN:
            continue
        if step_problem(history, step, user.username) is None:
            allowed.append(step)
    return allowed


@dataclass(frozen=True)
class QueueEntry:
    item: Item
    steps: list[str]  # what this person may do with it
    writer: str | None


def queue_for(session: so.Session, user: User) -> list[QueueEntry]:
    """Return the items waiting for this person: to review or check (never their own), and
    for an admin also those ready for the pilot."""
    waiting = ("draft", "reviewed") + (("checked",) if user.role is Role.ADMIN else ())
    items = session.scalars(
        sa.select(Item)
        .where(Item.review_state.in_(waiting))
        .options(so.selectinload(Item.review_steps))
        .order_by(Item.updated_at, Item.id)
    )
    queue = []
    for item in items:
        steps = [s for s in steps_for(item, user) if s in ("reviewed", "checked", "pilot")]
        if steps:
            queue.append(QueueEntry(item, steps, writer_of(db_history(item))))
    return queue
