"""inbox pruned by age

Revision ID: d4a6f851ae43
Revises: 862cb1361e64
Create Date: 2026-12-10 12:00:00.000000
"""

from collections.abc import Sequence

from alembic import op

revision: str = "d4a6f851ae43"
down_revision: str | None = "862cb1361e64"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # runtime/inbox.py deletes rows older than PORTAL_INBOX_RETENTION_DAYS.
    op.create_index("ix_inbox_received_at", "inbox", ["received_at"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_inbox_received_at", table_name="inbox")
