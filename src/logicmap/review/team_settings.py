"""How a review team screens a project: :class:`TeamSettings` (reviewers per record, blind or not),
kept in the project."""

from __future__ import annotations

from dataclasses import dataclass

from logicmap.errors import ScreeningError
from logicmap.store.database import Store
from logicmap.store.screening import save_team_settings, team_settings


@dataclass(frozen=True)
class TeamSettings:
    """How the team screens: ``reviewers_per_record`` independent decisions per record (2: dual
    screening); ``blind``: a reviewer sees no one else's decisions until conflicts are reconciled."""

    reviewers_per_record: int = 1
    blind: bool = True

    def __post_init__(self) -> None:
        if not 1 <= self.reviewers_per_record <= 5:
            raise ScreeningError(f"reviewers per record: 1 to 5, not {self.reviewers_per_record}")


def load_team_settings(store: Store) -> TeamSettings:
    """The project's team settings (single screening, blind, until changed)."""
    stored = team_settings(store)
    return TeamSettings(int(stored.get("reviewers_per_record", 1)), bool(stored.get("blind", True)))


def save_settings(store: Store, settings: TeamSettings) -> None:
    """Store the team settings in the project."""
    save_team_settings(store, {"reviewers_per_record": settings.reviewers_per_record, "blind": settings.blind})
