"""Model snapshots (JSON-able dicts) and their diff, for living reviews.

A snapshot keeps what a later update is compared on: the nodes, and per link its basis,
studies, votes, direction, sign-test p, grade and the moderators reported on it (code, label,
level, effect, study, quote). ``diff(old, new)`` lists links added and
removed, and grade, strength (number of studies) and direction changes.

Example::

    old = snapshot(build_model(cb, studies_2023))
    new = snapshot(build_model(cb, studies_2024))
    for line in diff(old, new).lines():
        print(line)
"""

from __future__ import annotations

from dataclasses import dataclass, field

from logicmap.synthesis.evidence import GRADES
from logicmap.synthesis.model import LogicModel

SNAPSHOT_FORMAT = "logicmap-model-snapshot"
SNAPSHOT_VERSION = 2  # 2: edges carry their moderators (conditions); bases explicit/chain/hypothesis


def snapshot(model: LogicModel) -> dict:
    """A JSON-able description of ``model`` (stable key and list order)."""
    nodes = [
        {"code": code, "kind": d["kind"], "label": d["label"], "group": d["group"], "n_studies": d["n_studies"]}
        for code, d in model.graph.nodes(data=True)
    ]
    edges = []
    for src, dst, d in model.edges():
        edges.append({
            "source": src, "target": dst, "basis": d["basis"], "hypothesised": d["hypothesised"],
            "n_studies": d["n_studies"], "n_randomised": d["n_randomised"],
            "studies": [s.study_id for s in d["studies"]], "votes": dict(d["votes"]),
            "direction": d["direction"], "p_value": d["p_value"], "grade": d["grade"],
            "moderators": [c.to_dict() for c in d.get("moderators", ())],
        })
    return {
        "format": SNAPSHOT_FORMAT, "version": SNAPSHOT_VERSION, "codebook": model.codebook.name,
        "filters": model.filters.to_dict(), "studies": sorted(s.id for s in model.studies),
        "nodes": nodes, "edges": edges, "problems": list(model.problems),
    }


@dataclass(frozen=True)
class LinkChange:
    """One change of one link between two snapshots."""

    source: str
    target: str
    field: str  # "grade" | "n_studies" | "direction"
    old: object
    new: object

    def describe(self) -> str:
        verb = ""
        if self.field == "grade" and self.old in GRADES and self.new in GRADES:
            verb = " (upgraded)" if GRADES.index(self.new) < GRADES.index(self.old) else " (downgraded)"
        return f"{self.source} -> {self.target}: {self.field} {self.old} -> {self.new}{verb}"


@dataclass
class ModelDiff:
    """What changed from one snapshot to the next."""

    added: list[dict] = field(default_factory=list)
    removed: list[dict] = field(default_factory=list)
    changed: list[LinkChange] = field(default_factory=list)
    studies_added: list[str] = field(default_factory=list)
    studies_removed: list[str] = field(default_factory=list)

    def is_empty(self) -> bool:
        return not (self.added or self.removed or self.changed or self.studies_added or self.studies_removed)

    def lines(self) -> list[str]:
        """One human-readable line per change."""
        out = [f"study added: {s}" for s in self.studies_added]
        out += [f"study removed: {s}" for s in self.studies_removed]
        out += [f"link added: {e['source']} -> {e['target']} ({e['grade']}, {e['n_studies']} studies)" for e in self.added]
        out += [f"link removed: {e['source']} -> {e['target']} (was {e['grade']})" for e in self.removed]
        out += [c.describe() for c in self.changed]
        return out

    def to_dict(self) -> dict:
        return {
            "added": [{"source": e["source"], "target": e["target"], "grade": e["grade"]} for e in self.added],
            "removed": [{"source": e["source"], "target": e["target"], "grade": e["grade"]} for e in self.removed],
            "changed": [{"source": c.source, "target": c.target, "field": c.field, "old": c.old, "new": c.new}
                        for c in self.changed],
            "studies_added": self.studies_added, "studies_removed": self.studies_removed,
        }


def _as_snapshot(x: LogicModel | dict) -> dict:
    return snapshot(x) if isinstance(x, LogicModel) else x


def diff(a: LogicModel | dict, b: LogicModel | dict) -> ModelDiff:
    """Changes from ``a`` (older) to ``b`` (newer); models or snapshots."""
    a, b = _as_snapshot(a), _as_snapshot(b)
    old = {(e["source"], e["target"]): e for e in a["edges"]}
    new = {(e["source"], e["target"]): e for e in b["edges"]}
    out = ModelDiff(
        added=[new[k] for k in new if k not in old],
        removed=[old[k] for k in old if k not in new],
        studies_added=sorted(set(b["studies"]) - set(a["studies"])),
        studies_removed=sorted(set(a["studies"]) - set(b["studies"])),
    )
    for key in new:
        if key in old:
            for name in ("grade", "n_studies", "direction"):
                if old[key][name] != new[key][name]:
                    out.changed.append(LinkChange(key[0], key[1], name, old[key][name], new[key][name]))
    return out
