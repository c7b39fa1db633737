"""The full-text files themselves (not only their text), to download them again.

Revision ID: 0010
Revises: 0009
"""

import sqlalchemy as sa
from alembic import op

from logicmap.store.migrations.guard import refuse_if_data

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "fulltext_files",
        sa.Column("record_id", sa.Integer(), sa.ForeignKey("records.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("filename", sa.String(500), nullable=False),
        sa.Column("media_type", sa.String(100), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("data", sa.LargeBinary(), nullable=False),
        sa.Column("attached_at", sa.DateTime(), nullable=False),
    )


def downgrade() -> None:
    """Refused while files are stored (they would be lost)."""
    refuse_if_data("0010", "fulltext_files")
    op.drop_table("fulltext_files")
