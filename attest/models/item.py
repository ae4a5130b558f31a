"""Items of the bank and their immutable versions."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
import sqlalchemy.orm as so

from attest.engine import Base
from attest.models._types import UTCDateTime, utcnow


class Item(Base):
    __tablename__ = "item"

    id: so.Mapped[str] = so.mapped_column(sa.String(64), primary_key=True)
    skill: so.Mapped[str] = so.mapped_column(sa.String(16), index=True)
    level: so.Mapped[str] = so.mapped_column(sa.String(4))
    domain: so.Mapped[str] = so.mapped_column(sa.String(32))
    format: so.Mapped[str] = so.mapped_column(sa.String(32))
    status: so.Mapped[str] = so.mapped_column(sa.String(16))
    # Items of one testlet share a text or clip and are delivered and scored together.
    testlet_id: so.Mapped[str | None] = so.mapped_column(sa.String(64), index=True)
    # Enemy groups (situation themes): a session never delivers two items of one group.
    enemy_groups: so.Mapped[list | None] = so.mapped_column(sa.JSON, default=list)
    current_version: so.Mapped[int] = so.mapped_column(default=1)
    # The review workflow state after the item's last step (attest/assessment/review_flow.py);
    # None: the item came from a bank without a history (a test bank).
    review_state: so.Mapped[str | None] = so.mapped_column(sa.String(16), index=True)
    updated_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=utcnow)

    versions: so.Mapped[list[ItemVersion]] = so.relationship(
        back_populates="item", order_by="ItemVersion.version"
    )
    review_steps: so.Mapped[list[ItemReviewStep]] = so.relationship(
        back_populates="item", order_by="ItemReviewStep.seq"
    )

    def __repr__(self) -> str:
        return f"<Item {self.id} v{self.current_version}>"


class ItemVersion(Base):
    """One version of an item; frozen once a session has used it."""

    __tablename__ = "item_version"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    item_id: so.Mapped[str] = so.mapped_column(sa.ForeignKey("item.id"))
    version: so.Mapped[int]
    content_hash: so.Mapped[str] = so.mapped_column(sa.String(64))
    level: so.Mapped[str] = so.mapped_column(sa.String(4))
    format: so.Mapped[str] = so.mapped_column(sa.String(32))
    difficulty: so.Mapped[float]
    content: so.Mapped[dict] = so.mapped_column(sa.JSON)
    media: so.Mapped[dict] = so.mapped_column(sa.JSON, default=dict)
    source: so.Mapped[str] = so.mapped_column(sa.String(300))
    created_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=utcnow)
    first_used_at: so.Mapped[datetime | None] = so.mapped_column(UTCDateTime)

    item: so.Mapped[Item] = so.relationship(back_populates="versions")

    __table_args__ = (sa.UniqueConstraint("item_id", "version", name="uq_item_version"),)

    def __repr__(self) -> str:
        return f"<ItemVersion {self.item_id} v{self.version}>"


class BankState(Base):
    """One row (id 1) that changes with every write to what the adaptive engine reads of the
    bank: database triggers (migration 0027) bump `version` and draw a new random `stamp` on
    any insert or delete of an item or item version and on any update of the columns the
    engine uses (skill, level, status, current version, domain, format, testlet, enemy groups;
    version number and difficulty). A cached engine is keyed by the stamp, so checking that it
    is still current is one primary-key read. The stamp is random rather than the counter, so
    a change that is rolled back can never name a later bank state.

    `cut_stamp` does the same for the cut-score versions (migration 0048: triggers draw a new
    one on any insert, update or delete of `cut_score_version`), so the version in force is kept
    per process and checked with the same read (cut_score_versions.store_in_force)."""

    __tablename__ = "bank_state"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    version: so.Mapped[int] = so.mapped_column(sa.BigInteger, default=0)
    stamp: so.Mapped[str] = so.mapped_column(sa.String(40))
    cut_stamp: so.Mapped[str | None] = so.mapped_column(sa.String(40))


class ItemReviewStep(Base):
    """One step of an item's review workflow: the running instance's copy of the history in
    the bank's ``<file>.review.yaml`` (synced from the files; steps taken in the admin item
    browser are written back by ``attest bank review-export``). ``seq`` numbers the steps of
    an item from 1: two transitions of one item at once cannot both take the next number."""

    __tablename__ = "item_review_step"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    item_id: so.Mapped[str] = so.mapped_column(sa.ForeignKey("item.id"), index=True)
    seq: so.Mapped[int]
    step: so.Mapped[str] = so.mapped_column(sa.String(16))
    actor: so.Mapped[str] = so.mapped_column(sa.String(120))  # the staff username
    at: so.Mapped[datetime] = so.mapped_column(UTCDateTime)
    note: so.Mapped[str] = so.mapped_column(sa.Text, default="")
    changes: so.Mapped[str] = so.mapped_column(sa.Text, default="")

    item: so.Mapped[Item] = so.relationship(back_populates="review_steps")

    __table_args__ = (sa.UniqueConstraint("item_id", "seq", name="uq_item_review_step_seq"),)

    def __repr__(self) -> str:
        return f"<ItemReviewStep {self.item_id} #{self.seq} {self.step}>"


class BankAdoption(Base):
    """A calibration adopted into the bank: a new bank version. ``items`` lists per item the
    version and difficulty before and after and the status change (pilot -> live)."""

    __tablename__ = "bank_adoption"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)  # the bank version
    created_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=utcnow)
    actor: so.Mapped[str] = so.mapped_column(sa.String(120))
    note: so.Mapped[str] = so.mapped_column(sa.Text, default="")
    items: so.Mapped[list] = so.mapped_column(sa.JSON)

    def __repr__(self) -> str:
        return f"<BankAdoption {self.id}>"
