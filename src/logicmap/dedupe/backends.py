"""Dedupe engines by name: ``inprocess`` (the default) and ``splink`` (optional dependency).

The splink engine module imports splink and DuckDB when loaded, so it is loaded
only when asked for by name: ``logicmap`` works without them installed.
"""

from __future__ import annotations

from logicmap.dedupe.engine import DedupeEngine, InProcessEngine
from logicmap.errors import DedupeError

ENGINES = ("inprocess", "splink")


def make_engine(name: str) -> DedupeEngine:
    """The engine called ``name`` ("inprocess" or "splink")."""
    if name == "inprocess":
        return InProcessEngine()
    if name == "splink":
        from logicmap.dedupe.splink_engine import SplinkEngine  # optional dependency, not a cycle

        return SplinkEngine()
    raise DedupeError(f"unknown dedupe engine {name!r}; choose inprocess or splink")


def engine_name(engine: DedupeEngine) -> str:
    """The name a run records for ``engine``."""
    return getattr(engine, "name", type(engine).__name__)
