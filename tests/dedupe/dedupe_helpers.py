"""Small record builders shared by the dedupe tests."""

from __future__ import annotations

from logicmap.records.record import Record

ARTICLE = dict(
    title="Intestinal lipoprotein overproduction in insulin-resistant states",
    authors=["Adeli, K.", "Lewis, G. F."],
    year=2008,
    journal="Curr Opin Lipidol",
    volume="19",
    issue="3",
    pages="221-8",
    doi="10.1097/mol.0b013e3282ffaf82",
    abstract="Purpose of review: excessive postprandial lipemia is highly prevalent in obese and "
    "insulin-resistant individuals and substantially increases the risk of atherosclerosis.",
)


def rec(position: int = 1, **fields) -> Record:
    """A Record with the given fields (nothing else set)."""
    return Record(position=position, **fields)


def article(position: int = 1, **changes) -> Record:
    """The reference article, with some fields changed (``None`` removes one)."""
    values = {**ARTICLE, **changes}
    values = {k: v for k, v in values.items() if v is not None}
    return Record(position=position, **values)
