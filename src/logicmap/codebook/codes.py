"""Codebook data model: layers, codes, hypothesised links and descriptor fields.

A codebook declares its layers (``format_version: 2``): the columns of its logic model in
order, at most one condition layer (moderators/contexts: conditions on links, not a column),
and per layer its outcome domains (or, for the condition layer, its levels). A code's
``kind`` names its layer. A ``format_version: 1`` codebook declares no layers and means the
recovery model's: typology -> mechanism -> process -> outcome (domains functional,
existential, social), with moderators (levels service_user, service, environment).

Plain frozen dataclasses; loading, validation and editing live in
:mod:`logicmap.codebook.loader` and :mod:`logicmap.codebook.edits`.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field

from logicmap.errors import CodebookError  # noqa: F401 - re-exported (logicmap.codebook.edits imports it from here)

#: Node kinds of a format_version 1 codebook, in logic-model order.
KINDS: tuple[str, ...] = ("typology", "mechanism", "process", "outcome", "moderator")
#: Outcome domains of a format_version 1 codebook (the recovery model).
DOMAINS: tuple[str, ...] = ("functional", "existential", "social")
#: Moderator levels of a format_version 1 codebook.
LEVELS: tuple[str, ...] = ("service_user", "service", "environment")
#: Which link (from kind, to kind) pairs a format_version 1 codebook allows. Moderators may point anywhere.
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


#: What a layer can be besides an ordinary column.
ROLES: tuple[str, ...] = ("intervention", "outcome", "condition")


@dataclass(frozen=True)
class Group:
    """An outcome domain (or a condition level) of a layer: its name in codes and its title."""

    name: str
    title: str

    def to_dict(self) -> dict:
        return {"name": self.name, "title": self.title}


@dataclass(frozen=True)
class Layer:
    """A layer of the logic model: a column (in declared order) or the condition layer.

    ``role`` marks the intervention column (default: the first), the outcome column whose
    codes carry effect directions and domains in the views (default: the last), or the
    condition layer (moderators, contexts), whose codes qualify links instead of being a column.
    """

    name: str
    title: str
    role: str = ""
    domains: tuple[Group, ...] = ()
    levels: tuple[Group, ...] = ()
    description: str = ""

    def to_dict(self) -> dict:
        out: dict = {"name": self.name, "title": self.title}
        if self.role:
            out["role"] = self.role
        if self.description:
            out["description"] = self.description
        if self.domains:
            out["domains"] = [g.to_dict() for g in self.domains]
        if self.levels:
            out["levels"] = [g.to_dict() for g in self.levels]
        return out


#: The layers a format_version 1 codebook means (the recovery model).
RECOVERY_LAYERS: tuple[Layer, ...] = (
    Layer("typology", "Interventions", "intervention"),
    Layer("mechanism", "Mechanisms"),
    Layer("process", "Processes"),
    Layer("outcome", "Outcomes", "outcome",
          domains=tuple(Group(d, d.title()) for d in DOMAINS)),
    Layer("moderator", "Moderators", "condition",
          levels=(Group("service_user", "Service user"), Group("service", "Service"), Group("environment", "Environment"))),
)


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
    #: The declared layers (empty: the recovery model's, as for format_version 1).
    declared_layers: tuple[Layer, ...] = ()
    _index: dict = field(default=None, compare=False, repr=False)  # type: ignore[assignment]

    def __post_init__(self) -> None:
        object.__setattr__(self, "_index", {c.code: c for c in self.codes})

    # -- layers ------------------------------------------------------------------------------------

    @property
    def layers(self) -> tuple[Layer, ...]:
        """Every layer in declared order, the condition layer included."""
        return self.declared_layers or RECOVERY_LAYERS

    @property
    def kinds(self) -> tuple[str, ...]:
        """Every layer name (the kinds a code can have), in declared order."""
        return tuple(layer.name for layer in self.layers)

    @functools.cached_property  # a frozen codebook's layers never change; the model asks often
    def chain(self) -> tuple[str, ...]:
        """The column layers, in logic-model order (left to right); the condition layer is not one."""
        return tuple(layer.name for layer in self.layers if layer.role != "condition")

    @property
    def condition_kind(self) -> str | None:
        """The condition (moderator/context) layer's name, or None when the codebook has none."""
        return next((layer.name for layer in self.layers if layer.role == "condition"), None)

    @functools.cached_property
    def intervention_kind(self) -> str:
        """The intervention column: the layer with role ``intervention``, else the first column."""
        return next((layer.name for layer in self.layers if layer.role == "intervention"), self.chain[0])

    @functools.cached_property
    def outcome_kind(self) -> str:
        """The outcome column: the layer with role ``outcome``, else the last column."""
        return next((layer.name for layer in self.layers if layer.role == "outcome"), self.chain[-1])

    @functools.cached_property
    def effect_kinds(self) -> tuple[str, ...]:
        """Columns whose codes carry an effect direction: the outcome column and those after it."""
        return self.chain[self.chain.index(self.outcome_kind):]

    @property
    def adjacent_pairs(self) -> tuple[tuple[str, str], ...]:
        """Neighbouring columns (a study reporting both ends makes a ``chain`` link)."""
        return tuple(zip(self.chain, self.chain[1:]))

    @property
    def non_adjacent_pairs(self) -> tuple[tuple[str, str], ...]:
        """Columns further apart, in order (both ends in one study is co-occurrence only)."""
        c = self.chain
        return tuple((c[i], c[j]) for i in range(len(c)) for j in range(i + 2, len(c)))

    @property
    def allowed_links(self) -> frozenset[tuple[str, str]]:
        """(from kind, to kind) pairs a link may join: forward between columns, or condition -> any column."""
        c = self.chain
        forward = {(c[i], c[j]) for i in range(len(c)) for j in range(i + 1, len(c))}
        cond = self.condition_kind
        return frozenset(forward | ({(cond, k) for k in c} if cond else set()))

    def layer(self, kind: str) -> Layer | None:
        """The layer called ``kind``."""
        return next((layer for layer in self.layers if layer.name == kind), None)

    def layer_title(self, kind: str) -> str:
        """The title of layer ``kind`` (its name, title-cased, when unknown)."""
        layer = self.layer(kind)
        return layer.title if layer else kind.replace("_", " ").title()

    def domains(self, kind: str | None = None) -> tuple[str, ...]:
        """The outcome domains of layer ``kind`` (default: the outcome column), in declared order."""
        layer = self.layer(kind or self.outcome_kind)
        return tuple(g.name for g in layer.domains) if layer else ()

    def levels(self) -> tuple[str, ...]:
        """The condition layer's levels, in declared order."""
        layer = self.layer(self.condition_kind) if self.condition_kind else None
        return tuple(g.name for g in layer.levels) if layer else ()

    def group_titles(self) -> dict[str, str]:
        """Every domain and level name -> its title."""
        return {g.name: g.title for layer in self.layers for g in layer.domains + layer.levels}

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
        if self.declared_layers:
            out["layers"] = [layer.to_dict() for layer in self.declared_layers]
        out["codes"] = [c.to_dict() for c in self.codes]
        out["links"] = [link.to_dict() for link in self.links]
        out["descriptors"] = [d.to_dict() for d in self.descriptors]
        return out
