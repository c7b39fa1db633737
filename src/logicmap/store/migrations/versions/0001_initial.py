"""Initial store: settings, sources, original files, records with per-field provenance.

Revision ID: 0001
Revises:
"""

import sqlalchemy as sa
from alembic import op

from logicmap.store.migrations.guard import refuse_if_data

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "project_settings",
        sa.Column("key", sa.String(100), primary_key=True),
        sa.Column("value", sa.Text(), nullable=False),
    )
    op.create_table(
        "sources",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("name", sa.String(500), nullable=False),
        sa.Column("sha256", sa.String(64), nullable=False, index=True),
        sa.Column("format", sa.String(40), nullable=False),
        sa.Column("database", sa.String(200)),
        sa.Column("search_date", sa.String(40)),
        sa.Column("search_string", sa.Text()),
        sa.Column("record_count", sa.Integer(), nullable=False),
        sa.Column("encoding", sa.String(40)),
        sa.Column("size_bytes", sa.Integer(), nullable=False),
        sa.Column("warnings", sa.JSON(), nullable=False),
        sa.Column("imported_at", sa.DateTime(), nullable=False),
    )
    op.create_table(
        "source_files",
        sa.Column(
            "source_id",
            sa.Integer(),
            sa.ForeignKey("sources.id", ondelete="CASCADE"),
            primary_key=True,
        ),
        sa.Column("compressed", sa.LargeBinary(), nullable=False),
    )
    op.create_table(
        "records",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column(
            "source_id", sa.Integer(), sa.ForeignKey("sources.id", ondelete="CASCADE"), nullable=False
        ),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("line", sa.Integer()),
        sa.Column("source_record_id", sa.String(200)),
        sa.Column("title", sa.Text()),
        sa.Column("abstract", sa.Text()),
        sa.Column("authors", sa.JSON(), nullable=False),
        sa.Column("year", sa.Integer()),
        sa.Column("journal", sa.Text()),
        sa.Column("volume", sa.String(100)),
        sa.Column("issue", sa.String(100)),
        sa.Column("pages", sa.String(100)),
        sa.Column("doi", sa.String(300)),
        sa.Column("pmid", sa.String(20)),
        sa.Column("isbn", sa.Text()),
        sa.Column("issn", sa.Text()),
        sa.Column("keywords", sa.JSON(), nullable=False),
        sa.Column("language", sa.String(100)),
        sa.Column("type", sa.String(100)),
        sa.Column("url", sa.Text()),
        sa.Column("label", sa.Integer()),
        sa.Column("extra", sa.JSON(), nullable=False),
        sa.Column("provenance", sa.JSON(), nullable=False),
        sa.UniqueConstraint("source_id", "position", name="uq_records_source_position"),
    )
    op.create_index("ix_records_doi", "records", ["doi"])
    op.create_index("ix_records_pmid", "records", ["pmid"])


def downgrade() -> None:
    refuse_if_data("0001", "records", "sources")
    op.drop_table("records")
    op.drop_table("source_files")
    op.drop_table("sources")
    op.drop_table("project_settings")
