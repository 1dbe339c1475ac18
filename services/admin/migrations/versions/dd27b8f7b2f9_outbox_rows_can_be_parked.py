"""outbox rows can be parked

Revision ID: dd27b8f7b2f9
Revises: 30a71d301496
Create Date: 2026-12-06 04:41:56.826992
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "dd27b8f7b2f9"
down_revision: str | None = "30a71d301496"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Rows the relay gave up on (too large for the broker, say); see runtime/relay.py.
    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.add_column(sa.Column("parked_at", sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.drop_column("parked_at")
