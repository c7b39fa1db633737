"""Deduplication: runs, scored pairs with review decisions, clusters, merged fields.

Revision ID: 0003
Revises: 0002
"""

import sqlalchemy as sa
from alembic import op

from logicmap.store.migrations.guard import refuse_if_data

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def _record_fk(name: str, **kwargs) -> sa.Column:
    return sa.Column(name, sa.Integer(), sa.ForeignKey("records.id", ondelete="CASCADE"), **kwargs)


def upgrade() -> None:
    op.create_table(
        "dedupe_runs",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("started_at", sa.DateTime(), nullable=False),
        sa.Column("engine", sa.String(40), nullable=False),
        sa.Column("settings", sa.JSON(), nullable=False),
        sa.Column("mode", sa.String(20), nullable=False),
        sa.Column("records_total", sa.Integer(), nullable=False),
        sa.Column("records_new", sa.Integer(), nullable=False),
        sa.Column("max_record_id", sa.Integer(), nullable=False),
        sa.Column("pairs_compared", sa.Integer(), nullable=False),
        sa.Column("clusters", sa.Integer(), nullable=False),
        sa.Column("duplicates_removed", sa.Integer(), nullable=False),
    )
    op.create_table(
        "dedupe_pairs",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("run_id", sa.Integer(), sa.ForeignKey("dedupe_runs.id", ondelete="SET NULL")),
        _record_fk("record_a", nullable=False, index=True),
        _record_fk("record_b", nullable=False, index=True),
        sa.Column("score", sa.Float(), nullable=False),
        sa.Column("agreements", sa.JSON(), nullable=False),
        sa.Column("guards", sa.JSON(), nullable=False),
        sa.Column("machine_decision", sa.String(20), nullable=False),
        sa.Column("review_decision", sa.String(20)),
        sa.Column("reviewer", sa.String(200)),
        sa.Column("reviewed_at", sa.DateTime()),
        sa.UniqueConstraint("record_a", "record_b", name="uq_dedupe_pair"),
    )
    op.create_table(
        "clusters",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("run_id", sa.Integer(), sa.ForeignKey("dedupe_runs.id", ondelete="SET NULL")),
        _record_fk("canonical_record_id", nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("undone_at", sa.DateTime()),
        sa.Column("undone_reason", sa.String(200)),
    )
    op.create_table(
        "cluster_members",
        sa.Column(
            "cluster_id", sa.Integer(), sa.ForeignKey("clusters.id", ondelete="CASCADE"), primary_key=True
        ),
        _record_fk("record_id", primary_key=True, index=True),
    )
    op.create_table(
        "merged_fields",
        sa.Column(
            "cluster_id", sa.Integer(), sa.ForeignKey("clusters.id", ondelete="CASCADE"), primary_key=True
        ),
        sa.Column("field", sa.String(40), primary_key=True),
        sa.Column("value", sa.JSON()),
        _record_fk("from_record_id", nullable=False),
    )


def downgrade() -> None:
    refuse_if_data("0003", "cluster_members", "merged_fields", "dedupe_pairs")
    for table in ("merged_fields", "cluster_members", "clusters", "dedupe_pairs", "dedupe_runs"):
        op.drop_table(table)
