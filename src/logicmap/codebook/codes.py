"""Codebook data model: node kinds, codes, hypothesised links and descriptor fields.

Plain frozen dataclasses; loading, validation and editing live in
:mod:`logicmap.codebook.loader` and :mod:`logicmap.codebook.edits`.
"""

from __future__ import annotations

from logicmap.errors import CodebookError

from dataclasses import dataclass, field

#: Node kinds the schema knows, in logic-model order.
KINDS: tuple[str, ...] = ("typology", "mechanism", "process", "outcome", "moderator")
#: Outcome domains of the recovery model.
DOMAINS: tuple[str, ...] = ("functional", "existential", "social")
#: Moderator levels.
LEVELS: tuple[str, ...] = ("service_user", "service", "environment")
#: Which link (from kind, to kind) pairs a logic model allows. Moderators may point anywhere.
ALLOWED_LINKS: frozenset[tuple[str, str]] = frozenset(
    {
        ("typology", "mechanism"),
        ("mechanism", "process"),
        ("process", "outcome"),
        ("typology", "outcome"),
        ("mechanism", "outcome"),
        ("typology", "process"),
    }
    | {("moderator", k) for k in KINDS if k != "moderator"}
)
#: Effect directions an outcome can carry.
DIRECTIONS: tuple[str, ...] = ("benefit", "no_difference", "harm", "mixed", "not_measured")
#: Directions a moderator coding carries: its effect on the links it conditions.
MODERATOR_DIRECTIONS: tuple[str, ...] = ("strengthens", "weakens")
#: Moderator directions of projects coded before moderators had their own (still loaded, read this way).
LEGACY_MODERATOR_DIRECTIONS: dict[str, str] = {"benefit": "strengthens", "harm": "weakens"}


@dataclass(frozen=True)
class Problem:
    """One validation problem, located by YAML line (1-based, 0 if unknown) and key path."""

    line: int
    key: str
    message: str

    def __str__(self) -> str:
        where = f"line {self.line}" if self.line else "line ?"
        return f"{where}, {self.key}: {self.message}"


@dataclass(frozen=True)
class Code:
    """One codebook category (a node of the logic model)."""

    code: str
    kind: str
    label: str
    domain: str | None = None
    level: str | None = None
    definition: str = ""
    include: str = ""
    exclude: str = ""
    examples: tuple[str, ...] = ()
    terms: tuple[str, ...] = ()

    def to_dict(self) -> dict:
        """The YAML mapping for this code, in canonical key order, empty fields left out."""
        out: dict = {"code": self.code, "kind": self.kind}
        if self.domain:
            out["domain"] = self.domain
        if self.level:
            out["level"] = self.level
        out["label"] = self.label
        for key in ("definition", "include", "exclude"):
            if getattr(self, key):
                out[key] = getattr(self, key)
        if self.examples:
            out["examples"] = list(self.examples)
        out["terms"] = list(self.terms)
        return out


@dataclass(frozen=True)
class Link:
    """A link the theory expects (``hypothesised``) or one evidence supports."""

    source: str
    target: str
    status: str = "hypothesised"
    note: str = ""

    def to_dict(self) -> dict:
        out = {"from": self.source, "to": self.target, "status": self.status}
        if self.note:
            out["note"] = self.note
        return out


@dataclass(frozen=True)
class Descriptor:
    """A study descriptor field with its controlled vocabulary (``open`` allows other values)."""

    field: str
    type: str
    label: str = ""
    values: tuple[str, ...] = ()
    open: bool = False
    per_outcome: bool = False
    minimum: int | None = None

    def to_dict(self) -> dict:
        out: dict = {"field": self.field}
        if self.label:
            out["label"] = self.label
        out["type"] = self.type
        if self.open:
            out["open"] = True
        if self.per_outcome:
            out["per_outcome"] = True
        if self.minimum is not None:
            out["minimum"] = self.minimum
        if self.values:
            out["values"] = list(self.values)
        return out


@dataclass(frozen=True)
class Codebook:
    """A validated codebook. Codes keep their file order."""

    name: str
    codes: tuple[Code, ...]
    links: tuple[Link, ...] = ()
    descriptors: tuple[Descriptor, ...] = ()
    title: str = ""
    source: str = ""
    description: str = ""
    format_version: int = 1
    _index: dict = field(default=None, compare=False, repr=False)  # type: ignore[assignment]

    def __post_init__(self) -> None:
        object.__setattr__(self, "_index", {c.code: c for c in self.codes})

    def __contains__(self, code: str) -> bool:
        return code in self._index

    def __getitem__(self, code: str) -> Code:
        return self._index[code]

    def of_kind(self, kind: str) -> list[Code]:
        """Codes of one node kind, in file order."""
        return [c for c in self.codes if c.kind == kind]

    def group_of(self, code: str) -> str | None:
        """The outcome domain or moderator level of ``code`` (None for other kinds)."""
        c = self._index.get(code)
        return None if c is None else (c.domain or c.level)

    def descriptor(self, name: str) -> Descriptor | None:
        return next((d for d in self.descriptors if d.field == name), None)

    def to_dict(self) -> dict:
        """The YAML document for this codebook (key order is the file order)."""
        out: dict = {"format_version": self.format_version, "name": self.name}
        for key in ("title", "source", "description"):
            if getattr(self, key):
                out[key] = getattr(self, key)
        out["codes"] = [c.to_dict() for c in self.codes]
        out["links"] = [link.to_dict() for link in self.links]
        out["descriptors"] = [d.to_dict() for d in self.descriptors]
        return out
