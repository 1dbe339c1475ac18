"""approvals that lapsed

Revision ID: 4c1e8f0a9d27
Revises: ee2a28700180
Create Date: 2026-12-10 09:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "4c1e8f0a9d27"
down_revision: str | None = "ee2a28700180"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # content's ApprovalSuperseded: the approval will not be published, and why.
    with op.batch_alter_table("reviews", schema=None) as batch_op:
        batch_op.add_column(sa.Column("lapse_reason", sa.String(length=30), nullable=True))
        batch_op.add_column(sa.Column("lapsed_at", sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("reviews", schema=None) as batch_op:
        batch_op.drop_column("lapsed_at")
        batch_op.drop_column("lapse_reason")
