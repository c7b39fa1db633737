"""Original files kept in parts: ``source_files`` gets a ``part`` column in its primary key.

A large original compressed into one value had to be held in memory whole;
its parts (one zlib stream, joined in part order) are written one at a time.
Existing originals become part 0. ``sources.size_bytes`` becomes a 64-bit
integer on PostgreSQL (a streamed import may exceed 2 GB; SQLite's are 64-bit).

Revision ID: 0011
Revises: 0010
"""

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def _create(name: str, with_part: bool) -> None:
    columns = [
        sa.Column("source_id", sa.Integer(), sa.ForeignKey("sources.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("compressed", sa.LargeBinary(), nullable=False),
    ]
    if with_part:
        columns.insert(1, sa.Column("part", sa.Integer(), primary_key=True, server_default="0"))
    op.create_table(name, *columns)


def upgrade() -> None:
    _create("source_files_parts", with_part=True)
    op.execute("INSERT INTO source_files_parts (source_id, part, compressed) "
               "SELECT source_id, 0, compressed FROM source_files")
    op.drop_table("source_files")
    op.rename_table("source_files_parts", "source_files")
    if op.get_bind().dialect.name == "postgresql":
        op.alter_column("sources", "size_bytes", type_=sa.BigInteger(), existing_nullable=False)


def downgrade() -> None:
    """Back to one value per original: the parts are joined (they are one zlib stream)."""
    bind = op.get_bind()
    if bind.dialect.name == "postgresql":
        op.alter_column("sources", "size_bytes", type_=sa.Integer(), existing_nullable=False)
    rows = bind.execute(sa.text("SELECT source_id, compressed FROM source_files ORDER BY source_id, part")).all()
    joined: dict[int, bytes] = {}
    for source_id, compressed in rows:
        joined[source_id] = joined.get(source_id, b"") + bytes(compressed)
    op.drop_table("source_files")
    _create("source_files", with_part=False)
    table = sa.table("source_files", sa.column("source_id", sa.Integer()), sa.column("compressed", sa.LargeBinary()))
    if joined:
        op.bulk_insert(table, [{"source_id": k, "compressed": v} for k, v in joined.items()])
