"""What the kiosk sends on the way to an answer: chunked recording uploads, writing drafts and
receipts of answers already stored (so a queued answer sent twice is stored once)."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
import sqlalchemy.orm as so

from attest.engine import Base
from attest.models._types import UTCDateTime, utcnow
from attest.models.session import Recording, SessionItem


class RecordingUpload(Base):
    """A recording on its way in, chunk by chunk; the kiosk names it (so a retry is the same
    upload) and declares the size and SHA-256 of the whole, checked when it completes."""

    __tablename__ = "recording_upload"

    id: so.Mapped[str] = so.mapped_column(sa.String(40), primary_key=True)
    session_item_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("session_item.id"), index=True)
    content_type: so.Mapped[str] = so.mapped_column(sa.String(64))
    size_bytes: so.Mapped[int]
    sha256: so.Mapped[str] = so.mapped_column(sa.String(64))
    chunk_size: so.Mapped[int]
    chunk_count: so.Mapped[int]
    # How long the kiosk says it recorded: a decoded recording much shorter is truncated.
    duration_ms: so.Mapped[int]
    created_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=utcnow)
    completed_at: so.Mapped[datetime | None] = so.mapped_column(UTCDateTime)
    recording_id: so.Mapped[str | None] = so.mapped_column(sa.ForeignKey("recording.id"))
    # The conversation turn (1-based) it answers; None for a task of one recording.
    turn: so.Mapped[int | None]

    session_item: so.Mapped[SessionItem] = so.relationship()
    recording: so.Mapped[Recording | None] = so.relationship()
    chunks: so.Mapped[list[RecordingChunk]] = so.relationship(
        back_populates="upload", order_by="RecordingChunk.index"
    )

    def __repr__(self) -> str:
        return f"<RecordingUpload {self.id} item#{self.session_item_id}>"


class RecordingChunk(Base):
    """One chunk of an upload, kept once its SHA-256 matched what the kiosk declared."""

    __tablename__ = "recording_chunk"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    upload_id: so.Mapped[str] = so.mapped_column(sa.ForeignKey("recording_upload.id"))
    index: so.Mapped[int]
    size_bytes: so.Mapped[int]
    sha256: so.Mapped[str] = so.mapped_column(sa.String(64))
    storage_key: so.Mapped[str] = so.mapped_column(sa.String(300))
    received_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=utcnow)

    upload: so.Mapped[RecordingUpload] = so.relationship(back_populates="chunks")

    __table_args__ = (sa.UniqueConstraint("upload_id", "index", name="uq_recording_chunk_index"),)

    def __repr__(self) -> str:
        return f"<RecordingChunk {self.upload_id}#{self.index}>"


class ResponseDraft(Base):
    """The latest text of a writing task as the candidate types, before it is submitted.

    `seq` orders saves from the kiosk (a later save never loses to an earlier one that arrives
    late); the same save twice changes nothing."""

    __tablename__ = "response_draft"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    session_item_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("session_item.id"), unique=True
    )
    text: so.Mapped[str] = so.mapped_column(sa.Text)
    seq: so.Mapped[int] = so.mapped_column(sa.BigInteger)
    updated_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=utcnow)

    session_item: so.Mapped[SessionItem] = so.relationship()

    def __repr__(self) -> str:
        return f"<ResponseDraft item#{self.session_item_id} seq={self.seq}>"


class AnswerReceipt(Base):
    """An answer submission the server has applied, by the key the kiosk gave it: the same key
    again (a retry from the kiosk's queue, a re-posted form) is acknowledged and not applied."""

    __tablename__ = "answer_receipt"

    key: so.Mapped[str] = so.mapped_column(sa.String(64), primary_key=True)
    session_item_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("session_item.id"), index=True)
    received_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=utcnow)

    def __repr__(self) -> str:
        return f"<AnswerReceipt {self.key} item#{self.session_item_id}>"
