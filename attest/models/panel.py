"""Standard setting: panels, their panellists and judgements, the benchmark texts they judge, and
the versions of the cut-score store that adoption writes (issue [12] item 1).

The versions form a line: each adopted version names the version it replaced (`based_on`,
unique), so two adoptions made on the same version cannot both succeed, and one panel adopts at
most once (`panel_id`, unique). With no row the version in force is the package's file
(`assessment/data/cut_scores.yaml`, `provisional-1`): the seed version."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
import sqlalchemy.orm as so

from attest.engine import Base
from attest.models._types import UTCDateTime, utcnow
from attest.models.org import User


class Panel(Base):
    """A standard-setting panel for one skill (and purpose), with its method and its rounds."""

    __tablename__ = "standard_setting_panel"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    name: so.Mapped[str] = so.mapped_column(sa.String(200))
    skill: so.Mapped[str] = so.mapped_column(sa.String(16))
    purpose_code: so.Mapped[str | None] = so.mapped_column(sa.String(64))  # None: every purpose
    method: so.Mapped[str] = so.mapped_column(sa.String(16))  # standard_setting.METHODS
    response_probability: so.Mapped[float] = so.mapped_column(default=0.67)  # Bookmark's RP
    # What the panel judges, frozen when it is created: item id -> Rasch difficulty (receptive),
    # or benchmark id -> mean agreed band (benchmarking).
    material: so.Mapped[dict] = so.mapped_column(sa.JSON)
    status: so.Mapped[str] = so.mapped_column(sa.String(16), default="open")  # open, adopted
    round: so.Mapped[int] = so.mapped_column(default=1)  # the round open for judgements
    max_rounds: so.Mapped[int] = so.mapped_column(default=3)
    adopted_version: so.Mapped[str | None] = so.mapped_column(sa.String(40))
    created_by_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("user_account.id"))
    created_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=utcnow)

    members: so.Mapped[list[PanelMember]] = so.relationship(
        back_populates="panel", order_by="PanelMember.id"
    )

    __table_args__ = (
        sa.CheckConstraint("round >= 1 AND round <= max_rounds", name="ck_panel_round"),
    )

    def __repr__(self) -> str:
        return f"<Panel #{self.id} {self.skill} {self.method}>"


class PanelMember(Base):
    """A panellist of a panel, with the role they bring (teacher, examiner, ...)."""

    __tablename__ = "panel_member"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    panel_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("standard_setting_panel.id"))
    user_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("user_account.id"), index=True)
    role_label: so.Mapped[str] = so.mapped_column(sa.String(40))
    added_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=utcnow)

    panel: so.Mapped[Panel] = so.relationship(back_populates="members")
    user: so.Mapped[User] = so.relationship()

    __table_args__ = (sa.UniqueConstraint("panel_id", "user_id", name="uq_panel_member"),)


class PanelJudgement(Base):
    """One panellist's judgements of one round (or their familiarisation sort, round 0): the
    data they gave and what follows from it (their cuts, or their agreement with the key)."""

    __tablename__ = "panel_judgement"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    panel_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("standard_setting_panel.id"), index=True
    )
    member_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("panel_member.id"))
    round: so.Mapped[int] = so.mapped_column()  # 0: familiarisation
    data: so.Mapped[dict] = so.mapped_column(sa.JSON)
    outcome: so.Mapped[dict] = so.mapped_column(sa.JSON)  # cuts per level, or agreement
    submitted_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=utcnow)

    member: so.Mapped[PanelMember] = so.relationship()

    __table_args__ = (sa.UniqueConstraint("member_id", "round", name="uq_panel_judgement_round"),)


class CutScoreVersion(Base):
    """A version of the cut-score store adopted at run time: the whole store (the file's shape)
    with the record of the panel that set it. The newest row is in force."""

    __tablename__ = "cut_score_version"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    version: so.Mapped[str] = so.mapped_column(sa.String(40), unique=True)
    based_on: so.Mapped[str] = so.mapped_column(sa.String(40), unique=True)
    store: so.Mapped[dict] = so.mapped_column(sa.JSON)
    panel_id: so.Mapped[int | None] = so.mapped_column(
        sa.ForeignKey("standard_setting_panel.id"), unique=True
    )
    adopted_by_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("user_account.id"))
    adopted_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=utcnow)


class BenchmarkText(Base):
    """A benchmark performance written by the Attest team (question_banks/calibration), with its
    agreed level and bands: the material of a benchmarking round."""

    __tablename__ = "benchmark_text"

    id: so.Mapped[str] = so.mapped_column(sa.String(40), primary_key=True)
    skill: so.Mapped[str] = so.mapped_column(sa.String(16))
    task_id: so.Mapped[str] = so.mapped_column(sa.String(64))
    level: so.Mapped[str] = so.mapped_column(sa.String(8))
    bands: so.Mapped[dict] = so.mapped_column(sa.JSON)
    text: so.Mapped[str] = so.mapped_column(sa.Text)
    calibration: so.Mapped[bool] = so.mapped_column(default=False)
    loaded_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=utcnow)
