"""Screening decisions per reviewer and stage, with reconciliations and undo.

Revision ID: 0004
Revises: 0003
"""

import sqlalchemy as sa
from alembic import op

from logicmap.store.migrations.guard import refuse_if_data

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "screening_decisions",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column(
            "record_id", sa.Integer(), sa.ForeignKey("records.id", ondelete="CASCADE"), nullable=False
        ),
        sa.Column("reviewer", sa.String(200), nullable=False),
        sa.Column("stage", sa.String(20), nullable=False),
        sa.Column("decision", sa.String(10), nullable=False),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("reason", sa.Text()),
        sa.Column("rank", sa.Integer()),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("undone_at", sa.DateTime()),
    )
    op.create_index("ix_screening_stage_record", "screening_decisions", ["stage", "record_id"])


def downgrade() -> None:
    refuse_if_data("0004", "screening_decisions")
    op.drop_table("screening_decisions")
