"""outbox rows can be parked

Revision ID: 7cf84734656d
Revises: 77a36818acaf
Create Date: 2026-12-06 04:42:01.260951
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "7cf84734656d"
down_revision: str | None = "77a36818acaf"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Rows the relay gave up on (too large for the broker, say); see runtime/relay.py.
    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.add_column(sa.Column("parked_at", sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.drop_column("parked_at")
