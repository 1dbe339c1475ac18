"""search moved to the search service: renderer's folded search column goes

Revision ID: a9dfc38c484f
Revises: 3040c3ef6e52
Create Date: 2026-11-24 14:38:29.768041
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "a9dfc38c484f"
down_revision: str | None = "3040c3ef6e52"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("pages", schema=None) as batch_op:
        batch_op.drop_column("search_text")


def downgrade() -> None:
    # Back empty: the basic search it served is the search service's now.
    with op.batch_alter_table("pages", schema=None) as batch_op:
        batch_op.add_column(sa.Column("search_text", sa.Text(), server_default="", nullable=False))
