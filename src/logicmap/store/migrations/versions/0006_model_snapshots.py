"""Logic-model snapshots for diffs between review updates.

Revision ID: 0006
Revises: 0005
"""

import sqlalchemy as sa
from alembic import op

from logicmap.store.migrations.guard import refuse_if_data

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "model_snapshots",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("name", sa.String(200), nullable=False, unique=True),
        sa.Column("data", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
    )


def downgrade() -> None:
    refuse_if_data("0006", "model_snapshots")
    op.drop_table("model_snapshots")
