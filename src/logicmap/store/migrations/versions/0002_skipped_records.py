"""Report of records left out by ``import --skip-bad``.

Revision ID: 0002
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op

from logicmap.store.migrations.guard import drop_column, refuse_if_data

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("sources") as batch:
        batch.add_column(
            sa.Column("skipped_count", sa.Integer(), nullable=False, server_default="0")
        )
    op.create_table(
        "skipped_records",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column(
            "source_id", sa.Integer(), sa.ForeignKey("sources.id", ondelete="CASCADE"), nullable=False
        ),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("line", sa.Integer()),
        sa.Column("source_record_id", sa.String(200)),
        sa.Column("field", sa.String(200)),
        sa.Column("reason", sa.Text(), nullable=False),
    )


def downgrade() -> None:
    refuse_if_data("0002", "skipped_records")
    op.drop_table("skipped_records")
    drop_column("sources", "skipped_count")
