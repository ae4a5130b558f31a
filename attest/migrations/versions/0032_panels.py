"""standard setting: panels, panellists, judgements, benchmark texts, and the cut-score versions
adopted at run time (attest.standard_setting; the file cut_scores.yaml is the seed version)

Revision ID: 0032
Revises: 0027
Create Date: 2026-12-07
"""

import sqlalchemy as sa
from alembic import op

revision = "0032"
down_revision = "0031"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "standard_setting_panel",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("skill", sa.String(16), nullable=False),
        sa.Column("purpose_code", sa.String(64)),
        sa.Column("method", sa.String(16), nullable=False),
        sa.Column("response_probability", sa.Double(), nullable=False),
        sa.Column("material", sa.JSON(), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("round", sa.Integer(), nullable=False),
        sa.Column("max_rounds", sa.Integer(), nullable=False),
        sa.Column("adopted_version", sa.String(40)),
        sa.Column("created_by_id", sa.Integer(), sa.ForeignKey("user_account.id")),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.CheckConstraint("round >= 1 AND round <= max_rounds", name="ck_panel_round"),
    )
    op.create_table(
        "panel_member",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column(
            "panel_id", sa.Integer(), sa.ForeignKey("standard_setting_panel.id"), nullable=False
        ),
        sa.Column("user_id", sa.Integer(), sa.ForeignKey("user_account.id"), nullable=False),
        sa.Column("role_label", sa.String(40), nullable=False),
        sa.Column("added_at", sa.DateTime(), nullable=False),
        sa.UniqueConstraint("panel_id", "user_id", name="uq_panel_member"),
    )
    op.create_index("ix_panel_member_user_id", "panel_member", ["user_id"])
    op.create_table(
        "panel_judgement",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column(
            "panel_id", sa.Integer(), sa.ForeignKey("standard_setting_panel.id"), nullable=False
        ),
        sa.Column("member_id", sa.Integer(), sa.ForeignKey("panel_member.id"), nullable=False),
        sa.Column("round", sa.Integer(), nullable=False),
        sa.Column("data", sa.JSON(), nullable=False),
        sa.Column("outcome", sa.JSON(), nullable=False),
        sa.Column("submitted_at", sa.DateTime(), nullable=False),
        sa.UniqueConstraint("member_id", "round", name="uq_panel_judgement_round"),
    )
    op.create_index("ix_panel_judgement_panel_id", "panel_judgement", ["panel_id"])
    op.create_table(
        "cut_score_version",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("version", sa.String(40), nullable=False, unique=True),
        sa.Column("based_on", sa.String(40), nullable=False, unique=True),
        sa.Column("store", sa.JSON(), nullable=False),
        sa.Column(
            "panel_id", sa.Integer(), sa.ForeignKey("standard_setting_panel.id"), unique=True
        ),
        sa.Column("adopted_by_id", sa.Integer(), sa.ForeignKey("user_account.id")),
        sa.Column("adopted_at", sa.DateTime(), nullable=False),
    )
    op.create_table(
        "benchmark_text",
        sa.Column("id", sa.String(40), primary_key=True),
        sa.Column("skill", sa.String(16), nullable=False),
        sa.Column("task_id", sa.String(64), nullable=False),
        sa.Column("level", sa.String(8), nullable=False),
        sa.Column("bands", sa.JSON(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("calibration", sa.Boolean(), nullable=False),
        sa.Column("loaded_at", sa.DateTime(), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("benchmark_text")
    op.drop_table("cut_score_version")
    op.drop_table("panel_judgement")
    op.drop_table("panel_member")
    op.drop_table("standard_setting_panel")
