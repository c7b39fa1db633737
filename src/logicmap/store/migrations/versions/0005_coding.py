"""Coding: the project's codebook versions, full texts, codings with spans, descriptors.

Revision ID: 0005
Revises: 0004
"""

import sqlalchemy as sa
from alembic import op

from logicmap.store.migrations.guard import refuse_if_data

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def _record_fk(**kwargs) -> sa.Column:
    return sa.Column("record_id", sa.Integer(), sa.ForeignKey("records.id", ondelete="CASCADE"), **kwargs)


def upgrade() -> None:
    op.create_table(
        "codebook_versions",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("yaml", sa.Text(), nullable=False),
        sa.Column("note", sa.String(500), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
    )
    op.create_table(
        "fulltexts",
        _record_fk(primary_key=True),
        sa.Column("filename", sa.String(500), nullable=False),
        sa.Column("media_type", sa.String(100), nullable=False),
        sa.Column("extractor", sa.String(100), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("pages", sa.JSON(), nullable=False),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("attached_at", sa.DateTime(), nullable=False),
    )
    op.create_table(
        "codings",
        sa.Column("id", sa.Integer(), primary_key=True),
        _record_fk(nullable=False),
        sa.Column("code", sa.String(40), nullable=False),
        sa.Column("target_code", sa.String(40)),
        sa.Column("reviewer", sa.String(200), nullable=False),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("field", sa.String(20)),
        sa.Column("start", sa.Integer()),
        sa.Column("end", sa.Integer()),
        sa.Column("quote", sa.Text()),
        sa.Column("direction", sa.String(20)),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("source", sa.String(20), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("undone_at", sa.DateTime()),
    )
    op.create_index("ix_codings_record", "codings", ["record_id"])
    op.create_table(
        "descriptors",
        _record_fk(primary_key=True),
        sa.Column("reviewer", sa.String(200), primary_key=True),
        sa.Column("field", sa.String(40), primary_key=True),
        sa.Column("value", sa.JSON()),
        sa.Column("created_at", sa.DateTime(), nullable=False),
    )


def downgrade() -> None:
    refuse_if_data("0005", "codings", "descriptors", "fulltexts")
    for table in ("descriptors", "codings", "fulltexts", "codebook_versions"):
        op.drop_table(table)
