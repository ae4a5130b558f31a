"""examiner scoring: performances, assignments, versioned ratings, adjudications, benchmarks,
calibration attempts, re-mark requests; senior examiners

Revision ID: 0012
Revises: 0017
Create Date: 2026-11-29
"""

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0017"
branch_labels = None
depends_on = None


def upgrade() -> None:

    op.create_table(
        "calibration_attempt",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("examiner_id", sa.Integer(), nullable=False),
        sa.Column("started_at", sa.DateTime(), nullable=False),
        sa.Column("completed_at", sa.DateTime(), nullable=True),
        sa.Column("is_passed", sa.Boolean(), nullable=True),
        sa.Column("level_exact", sa.Double(), nullable=True),
        sa.Column("worst_band_difference", sa.Integer(), nullable=True),
        sa.Column("exempted_by_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["examiner_id"],
            ["user_account.id"],
            name=op.f("fk_calibration_attempt_examiner_id_user_account"),
        ),
        sa.ForeignKeyConstraint(
            ["exempted_by_id"],
            ["user_account.id"],
            name=op.f("fk_calibration_attempt_exempted_by_id_user_account"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_calibration_attempt")),
    )
    with op.batch_alter_table("calibration_attempt", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_calibration_attempt_examiner_id"), ["examiner_id"], unique=False
        )

    op.create_table(
        "performance",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("response_id", sa.Integer(), nullable=False),
        sa.Column("session_id", sa.Integer(), nullable=False),
        sa.Column("centre_id", sa.Integer(), nullable=False),
        sa.Column("skill", sa.String(length=16), nullable=False),
        sa.Column("task_level", sa.String(length=8), nullable=False),
        sa.Column("task_type", sa.String(length=32), nullable=False),
        sa.Column("round", sa.Integer(), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "waiting",
                "adjudication",
                "final",
                name="performancestatus",
                native_enum=False,
                length=20,
            ),
            nullable=False,
        ),
        sa.Column("final_bands", sa.JSON(), nullable=True),
        sa.Column("final_level", sa.String(length=8), nullable=True),
        sa.Column("final_method", sa.String(length=20), nullable=True),
        sa.Column("waiting_since", sa.DateTime(), nullable=False),
        sa.Column("finalised_at", sa.DateTime(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["centre_id"], ["centre.id"], name=op.f("fk_performance_centre_id_centre")
        ),
        sa.ForeignKeyConstraint(
            ["response_id"], ["response.id"], name=op.f("fk_performance_response_id_response")
        ),
        sa.ForeignKeyConstraint(
            ["session_id"], ["test_session.id"], name=op.f("fk_performance_session_id_test_session")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_performance")),
        sa.UniqueConstraint("response_id", name=op.f("uq_performance_response_id")),
    )
    with op.batch_alter_table("performance", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_performance_centre_id"), ["centre_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_performance_session_id"), ["session_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_performance_status"), ["status"], unique=False)

    op.create_table(
        "benchmark",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("performance_id", sa.Integer(), nullable=False),
        sa.Column("agreed_bands", sa.JSON(), nullable=False),
        sa.Column("agreed_level", sa.String(length=8), nullable=False),
        sa.Column("is_calibration", sa.Boolean(), nullable=False),
        sa.Column("is_active", sa.Boolean(), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["created_by_id"],
            ["user_account.id"],
            name=op.f("fk_benchmark_created_by_id_user_account"),
        ),
        sa.ForeignKeyConstraint(
            ["performance_id"],
            ["performance.id"],
            name=op.f("fk_benchmark_performance_id_performance"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_benchmark")),
        sa.UniqueConstraint("performance_id", name=op.f("uq_benchmark_performance_id")),
    )
    op.create_table(
        "rating_assignment",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("token", sa.String(length=43), nullable=False),
        sa.Column("performance_id", sa.Integer(), nullable=False),
        sa.Column("examiner_id", sa.Integer(), nullable=False),
        sa.Column("round", sa.Integer(), nullable=False),
        sa.Column(
            "kind",
            sa.Enum(
                "live",
                "adjudication",
                "benchmark",
                "calibration",
                name="assignmentkind",
                native_enum=False,
                length=20,
            ),
            nullable=False,
        ),
        sa.Column("calibration_attempt_id", sa.Integer(), nullable=True),
        sa.Column("assigned_at", sa.DateTime(), nullable=False),
        sa.Column("completed_at", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["calibration_attempt_id"],
            ["calibration_attempt.id"],
            name=op.f("fk_rating_assignment_calibration_attempt_id_calibration_attempt"),
        ),
        sa.ForeignKeyConstraint(
            ["examiner_id"],
            ["user_account.id"],
            name=op.f("fk_rating_assignment_examiner_id_user_account"),
        ),
        sa.ForeignKeyConstraint(
            ["performance_id"],
            ["performance.id"],
            name=op.f("fk_rating_assignment_performance_id_performance"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_rating_assignment")),
        sa.UniqueConstraint("token", name=op.f("uq_rating_assignment_token")),
    )
    with op.batch_alter_table("rating_assignment", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_rating_assignment_examiner_id"), ["examiner_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_rating_assignment_performance_id"), ["performance_id"], unique=False
        )

    op.create_table(
        "remark_request",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("performance_id", sa.Integer(), nullable=False),
        sa.Column("round", sa.Integer(), nullable=False),
        sa.Column("reason", sa.String(length=500), nullable=False),
        sa.Column("requested_by_id", sa.Integer(), nullable=False),
        sa.Column("requested_at", sa.DateTime(), nullable=False),
        sa.Column("previous_level", sa.String(length=8), nullable=True),
        sa.Column("new_level", sa.String(length=8), nullable=True),
        sa.Column("completed_at", sa.DateTime(), nullable=True),
        sa.Column("old_attestation_id", sa.Integer(), nullable=True),
        sa.Column("new_attestation_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["new_attestation_id"],
            ["attestation.id"],
            name=op.f("fk_remark_request_new_attestation_id_attestation"),
        ),
        sa.ForeignKeyConstraint(
            ["old_attestation_id"],
            ["attestation.id"],
            name=op.f("fk_remark_request_old_attestation_id_attestation"),
        ),
        sa.ForeignKeyConstraint(
            ["performance_id"],
            ["performance.id"],
            name=op.f("fk_remark_request_performance_id_performance"),
        ),
        sa.ForeignKeyConstraint(
            ["requested_by_id"],
            ["user_account.id"],
            name=op.f("fk_remark_request_requested_by_id_user_account"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_remark_request")),
    )
    with op.batch_alter_table("remark_request", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_remark_request_performance_id"), ["performance_id"], unique=False
        )

    op.create_table(
        "adjudication",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("performance_id", sa.Integer(), nullable=False),
        sa.Column("round", sa.Integer(), nullable=False),
        sa.Column("reasons", sa.JSON(), nullable=False),
        sa.Column("assignment_id", sa.Integer(), nullable=True),
        sa.Column("opened_at", sa.DateTime(), nullable=False),
        sa.Column("decided_at", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["assignment_id"],
            ["rating_assignment.id"],
            name=op.f("fk_adjudication_assignment_id_rating_assignment"),
        ),
        sa.ForeignKeyConstraint(
            ["performance_id"],
            ["performance.id"],
            name=op.f("fk_adjudication_performance_id_performance"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_adjudication")),
        sa.UniqueConstraint("performance_id", "round", name="uq_adjudication"),
    )
    with op.batch_alter_table("adjudication", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_adjudication_performance_id"), ["performance_id"], unique=False
        )

    op.create_table(
        "rating",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("assignment_id", sa.Integer(), nullable=False),
        sa.Column("performance_id", sa.Integer(), nullable=False),
        sa.Column("examiner_id", sa.Integer(), nullable=False),
        sa.Column("round", sa.Integer(), nullable=False),
        sa.Column(
            "kind",
            sa.Enum(
                "live",
                "adjudication",
                "benchmark",
                "calibration",
                name="assignmentkind",
                native_enum=False,
                length=20,
            ),
            nullable=False,
        ),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("bands", sa.JSON(), nullable=False),
        sa.Column("level", sa.String(length=8), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["assignment_id"],
            ["rating_assignment.id"],
            name=op.f("fk_rating_assignment_id_rating_assignment"),
        ),
        sa.ForeignKeyConstraint(
            ["examiner_id"], ["user_account.id"], name=op.f("fk_rating_examiner_id_user_account")
        ),
        sa.ForeignKeyConstraint(
            ["performance_id"],
            ["performance.id"],
            name=op.f("fk_rating_performance_id_performance"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_rating")),
        sa.UniqueConstraint("assignment_id", "version", name="uq_rating_assignment_version"),
    )
    with op.batch_alter_table("rating", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_rating_examiner_id"), ["examiner_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_rating_performance_id"), ["performance_id"], unique=False
        )

    with op.batch_alter_table("user_account", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("is_senior_examiner", sa.Boolean(), nullable=False, server_default=sa.false())
        )


def downgrade() -> None:

    with op.batch_alter_table("user_account", schema=None) as batch_op:
        batch_op.drop_column("is_senior_examiner")

    with op.batch_alter_table("rating", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_rating_performance_id"))
        batch_op.drop_index(batch_op.f("ix_rating_examiner_id"))

    op.drop_table("rating")
    with op.batch_alter_table("adjudication", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_adjudication_performance_id"))

    op.drop_table("adjudication")
    with op.batch_alter_table("remark_request", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_remark_request_performance_id"))

    op.drop_table("remark_request")
    with op.batch_alter_table("rating_assignment", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_rating_assignment_performance_id"))
        batch_op.drop_index(batch_op.f("ix_rating_assignment_examiner_id"))

    op.drop_table("rating_assignment")
    op.drop_table("benchmark")
    with op.batch_alter_table("performance", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_performance_status"))
        batch_op.drop_index(batch_op.f("ix_performance_session_id"))
        batch_op.drop_index(batch_op.f("ix_performance_centre_id"))

    op.drop_table("performance")
    with op.batch_alter_table("calibration_attempt", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_calibration_attempt_examiner_id"))

    op.drop_table("calibration_attempt")
