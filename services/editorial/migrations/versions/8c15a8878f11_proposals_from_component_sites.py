"""proposals from component sites

Revision ID: 8c15a8878f11
Revises: c3f5e7409d32
Create Date: 2026-12-07 17:02:44.183264
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "8c15a8878f11"
down_revision: str | None = "c3f5e7409d32"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Proposals of component sites' articles to the city portal (syndication).
    with op.batch_alter_table("reviews", schema=None) as batch_op:
        batch_op.add_column(sa.Column("source_tenant", sa.String(length=50), nullable=True))
        batch_op.add_column(sa.Column("source_url", sa.String(length=500), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("reviews", schema=None) as batch_op:
        batch_op.drop_column("source_url")
        batch_op.drop_column("source_tenant")
