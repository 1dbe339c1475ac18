"""copies of other sites' articles: where a copy's original is (canonical link, credit),
and an index across sites for the city portal's news from its component sites

Revision ID: 05617cb37bae
Revises: e5b7a962bf54
Create Date: 2026-12-07 17:28:47.178094
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "05617cb37bae"
down_revision: str | None = "e5b7a962bf54"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # All null on the pages already there: a site's own articles.
    with op.batch_alter_table("pages", schema=None) as batch_op:
        batch_op.add_column(sa.Column("origin_tenant", sa.String(length=50), nullable=True))
        batch_op.add_column(sa.Column("origin_article_id", sa.String(length=36), nullable=True))
        batch_op.add_column(sa.Column("canonical_url", sa.String(length=1000), nullable=True))
        batch_op.add_column(sa.Column("origin_name", sa.String(length=300), nullable=True))
        batch_op.create_index("ix_pages_recent", ["kind", "status", "published_at"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("pages", schema=None) as batch_op:
        batch_op.drop_index("ix_pages_recent")
        batch_op.drop_column("origin_name")
        batch_op.drop_column("canonical_url")
        batch_op.drop_column("origin_article_id")
        batch_op.drop_column("origin_tenant")
