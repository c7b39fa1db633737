"""Reviewers' verdicts on suggested codes.

Revision ID: 0007
Revises: 0006
"""

import sqlalchemy as sa
from alembic import op

from logicmap.store.migrations.guard import refuse_if_data

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "suggestion_feedback",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("record_id", sa.Integer(), sa.ForeignKey("records.id", ondelete="CASCADE"), nullable=False),
        sa.Column("code", sa.String(40), nullable=False),
        sa.Column("accepted", sa.Boolean(), nullable=False),
        sa.Column("reviewer", sa.String(200), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
    )


def downgrade() -> None:
    refuse_if_data("0007", "suggestion_feedback")
    op.drop_table("suggestion_feedback")
