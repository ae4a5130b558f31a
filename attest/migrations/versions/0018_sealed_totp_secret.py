"""staff TOTP secrets are stored sealed (attest.field_crypto): room for the Fernet token

Revision ID: 0018
Revises: 0009
Create Date: 2026-11-29
"""

import sqlalchemy as sa
from alembic import op

revision = "0018"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Secrets written before stay readable as they are and are sealed at the next login.
    with op.batch_alter_table("user_account", schema=None) as batch_op:
        batch_op.alter_column(
            "totp_secret", existing_type=sa.String(64), type_=sa.String(255), nullable=True
        )


def downgrade() -> None:
    # A sealed secret does not fit the old column: those accounts enrol again.
    op.execute(sa.text("UPDATE user_account SET totp_secret = NULL WHERE length(totp_secret) > 64"))
    with op.batch_alter_table("user_account", schema=None) as batch_op:
        batch_op.alter_column(
            "totp_secret", existing_type=sa.String(255), type_=sa.String(64), nullable=True
        )
