"""Load, validate and write codebook YAML.

Validation reports *all* problems at once, each with the YAML line and the key path
(``codes[3].kind``): first the JSON Schema (``schema.json``), then the rules a schema
cannot state (unique codes and layers, kinds, domains and levels that the layers declare,
link targets that exist, links between allowed kinds). ``format_version: 1`` files have no
``layers`` and mean the recovery model's; ``format_version: 2`` files declare them.

Example::

    from logicmap.codebook import load_codebook
    cb = load_codebook()                 # the embedded recovery codebook
    cb = load_codebook("my-codebook.yaml")
"""

from __future__ import annotations

import json
from functools import lru_cache
from importlib import resources
from pathlib import Path

import yaml
from jsonschema import Draft202012Validator

from logicmap.codebook.codes import (
    KINDS,
    RECOVERY_LAYERS,
    Code,
    Codebook,
    CodebookError,
    Descriptor,
    Group,
    Layer,
    Link,
    Problem,
)

DEFAULT_CODEBOOK = "recovery.yaml"
Path_ = tuple  # a key path: str keys and int indices


@lru_cache(maxsize=1)
def _validator() -> Draft202012Validator:
    schema = json.loads(resources.files("logicmap.codebook").joinpath("schema.json").read_text("utf-8"))
    return Draft202012Validator(schema)


def key_path(path: Path_) -> str:
    """``('codes', 3, 'kind')`` -> ``codes[3].kind``."""
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out or "<document>"


class _LineMap:
    """Python data built from a composed YAML node tree, with the line of every key path."""

    def __init__(self) -> None:
        self.lines: dict[Path_, int] = {}
        self.problems: list[Problem] = []
        self._scalar = yaml.constructor.SafeConstructor()

    def build(self, node: yaml.Node, path: Path_ = ()):
        self.lines.setdefault(path, node.start_mark.line + 1)
        if isinstance(node, yaml.MappingNode):
            out: dict = {}
            for key_node, value_node in node.value:
                key = self._scalar.construct_object(key_node, deep=True)
                sub = path + (key,)
                if key in out:
                    self.problems.append(
                        Problem(key_node.start_mark.line + 1, key_path(sub), "duplicate key in the same mapping")
                    )
                self.lines[sub] = key_node.start_mark.line + 1
                out[key] = self.build(value_node, sub)
            return out
        if isinstance(node, yaml.SequenceNode):
            return [self.build(item, path + (i,)) for i, item in enumerate(node.value)]
        return self._scalar.construct_object(node, deep=True)

    def line(self, path: Path_) -> int:
        path = tuple(path)
        while path and path not in self.lines:
            path = path[:-1]
        return self.lines.get(path, 0)


def _schema_problems(data, lm: _LineMap) -> list[Problem]:
    problems = []
    for err in _validator().iter_errors(data):
        path = tuple(err.absolute_path)
        message = err.message
        if err.validator == "required":
            missing = message.split("'")[1] if "'" in message else ""
            hint = " (format_version 2 declares its layers; format_version 1 means the recovery model's)" \
                if missing == "layers" else ""
            problems.append(Problem(lm.line(path), key_path(path + (missing,)), f"missing required key {missing!r}{hint}"))
            continue
        if err.validator == "additionalProperties" and isinstance(err.instance, dict):
            allowed = set(err.schema.get("properties", {}))
            for extra in [k for k in err.instance if k not in allowed]:
                sub = path + (extra,)
                problems.append(Problem(lm.line(sub), key_path(sub), f"unknown key {extra!r}"))
            continue
        if path[:1] == ("layers",) and data.get("format_version") == 1:
            if err.validator == "not":
                problems.append(Problem(lm.line(path), "layers", "'layers' needs format_version: 2 "
                                    "(format_version 1 means the recovery model's five kinds)"))
            continue
        if err.validator == "not" and path[:1] == ("codes",):
            extra = "domain" if "domain" in err.validator_value.get("required", []) else "level"
            owner = "outcome" if extra == "domain" else "moderator"
            sub = path + (extra,)
            problems.append(Problem(lm.line(sub), key_path(sub), f"{extra!r} is only allowed on {owner} codes"))
            continue
        if err.validator == "enum" and path[-1:] == ("kind",):
            message = f"unknown kind {err.instance!r} (known: {', '.join(KINDS)})"
        elif err.validator == "enum":
            message = f"{err.instance!r} is not one of {', '.join(map(str, err.validator_value))}"
        problems.append(Problem(lm.line(path), key_path(path), message))
    return problems


def _layers_of(data: dict) -> tuple[Layer, ...]:
    """The layers ``data`` declares (the recovery model's for format_version 1), built leniently."""
    if data.get("format_version") == 1 or not isinstance(data.get("layers"), list):
        return () if data.get("format_version") != 1 else RECOVERY_LAYERS
    out = []
    for x in data["layers"]:
        if isinstance(x, dict) and isinstance(x.get("name"), str):
            groups = {key: tuple(Group(g["name"], g.get("title", g["name"])) for g in x.get(key) or ()
                                 if isinstance(g, dict) and isinstance(g.get("name"), str)) for key in ("domains", "levels")}
            if x.get("role") == "condition":
                groups["domains"] = ()  # refused in _layer_problems; not asked of its codes too
            out.append(Layer(x["name"], str(x.get("title", "")), x.get("role", ""), groups["domains"], groups["levels"],
                             x.get("description", "")))
    return tuple(out)


def _layer_problems(data: dict, lm: _LineMap) -> list[Problem]:
    """Declared layers: unique names, at most one layer per role, two columns at least, groups on the right layers."""
    if data.get("format_version") != 2 or not isinstance(data.get("layers"), list):
        return []
    problems, seen, roles = [], set(), set()
    for i, layer in enumerate(data["layers"]):
        if not isinstance(layer, dict):
            continue
        path = ("layers", i)
        if layer.get("name") in seen:
            problems.append(Problem(lm.line(path + ("name",)), key_path(path + ("name",)),
                                    f"duplicate layer {layer['name']!r}"))
        seen.add(layer.get("name"))
        role = layer.get("role")
        if role and role in roles:
            problems.append(Problem(lm.line(path + ("role",)), key_path(path + ("role",)),
                                    f"only one layer can have role {role!r}"))
        roles.add(role)
        wrong = "domains" if role == "condition" else "levels"
        if layer.get(wrong):
            problems.append(Problem(lm.line(path + (wrong,)), key_path(path + (wrong,)),
                                    "only the condition layer has levels" if wrong == "levels"
                                    else "the condition layer has levels, not domains"))
        names = [g.get("name") for g in (layer.get("domains") or []) + (layer.get("levels") or []) if isinstance(g, dict)]
        for name in {n for n in names if names.count(n) > 1}:
            problems.append(Problem(lm.line(path), key_path(path), f"duplicate domain or level {name!r}"))
    columns = [x for x in data["layers"] if isinstance(x, dict) and x.get("role") != "condition"]
    if len(columns) < 2:
        problems.append(Problem(lm.line(("layers",)), "layers", "a logic model needs at least two layers besides the "
                                "condition layer"))
    return problems


def _code_layer_problems(entry: dict, i: int, layers: dict[str, Layer], lm: _LineMap) -> list[Problem]:
    """A format_version 2 code: its kind is a declared layer, its domain/level one the layer declares."""
    path = ("codes", i)
    kind = entry.get("kind")
    if kind not in layers:
        return [Problem(lm.line(path + ("kind",)), key_path(path + ("kind",)),
                        f"unknown kind {kind!r} (the layers: {', '.join(layers)})")] if isinstance(kind, str) else []
    problems = []
    for key, groups in (("domain", layers[kind].domains), ("level", layers[kind].levels)):
        names = [g.name for g in groups]
        value = entry.get(key)
        if names and value is None:
            problems.append(Problem(lm.line(path), key_path(path + (key,)),
                                    f"missing required key {key!r} (layer {kind!r}: {', '.join(names)})"))
        elif value is not None and value not in names:
            allowed = f"one of {', '.join(names)}" if names else f"not allowed on layer {kind!r}, which declares none"
            problems.append(Problem(lm.line(path + (key,)), key_path(path + (key,)), f"{key} {value!r}: {allowed}"))
    return problems


def _semantic_problems(data: dict, lm: _LineMap) -> list[Problem]:
    problems: list[Problem] = _layer_problems(data, lm)
    layers = {layer.name: layer for layer in _layers_of(data)}
    allowed = Codebook("check", (), format_version=1, declared_layers=tuple(layers.values())).allowed_links \
        if any(x.role != "condition" for x in layers.values()) else frozenset()
    codes = data.get("codes") if isinstance(data.get("codes"), list) else []
    kinds: dict[str, str] = {}
    first_line: dict[str, int] = {}
    for i, entry in enumerate(codes):
        if not isinstance(entry, dict) or not isinstance(entry.get("code"), str):
            continue
        if data.get("format_version") == 2 and layers:
            problems += _code_layer_problems(entry, i, layers, lm)
        code, path = entry["code"], ("codes", i, "code")
        if code in kinds:
            problems.append(
                Problem(lm.line(path), key_path(path), f"duplicate code {code!r} (first defined at line {first_line[code]})")
            )
            continue
        kinds[code] = entry.get("kind")
        first_line[code] = lm.line(path)
    links = data.get("links") if isinstance(data.get("links"), list) else []
    seen_links: set = set()
    for i, link in enumerate(links):
        if not isinstance(link, dict):
            continue
        for end in ("from", "to"):
            value = link.get(end)
            if isinstance(value, str) and value not in kinds:
                path = ("links", i, end)
                problems.append(Problem(lm.line(path), key_path(path), f"link {end} unknown code {value!r}"))
        pair = (link.get("from"), link.get("to"))
        if pair[0] in kinds and pair[1] in kinds:
            kind_pair = (kinds[pair[0]], kinds[pair[1]])
            if kind_pair not in allowed and all(k in layers for k in kind_pair):
                path = ("links", i)
                problems.append(
                    Problem(lm.line(path), key_path(path), f"a link from a {kind_pair[0]} to a {kind_pair[1]} is not allowed")
                )
            if pair in seen_links:
                problems.append(Problem(lm.line(("links", i)), key_path(("links", i)), f"duplicate link {pair[0]} -> {pair[1]}"))
            seen_links.add(pair)
    descriptors = data.get("descriptors") if isinstance(data.get("descriptors"), list) else []
    seen_fields: set = set()
    for i, d in enumerate(descriptors):
        if not isinstance(d, dict):
            continue
        if d.get("field") in seen_fields:
            path = ("descriptors", i, "field")
            problems.append(Problem(lm.line(path), key_path(path), f"duplicate descriptor field {d['field']!r}"))
        seen_fields.add(d.get("field"))
        if d.get("type") in ("choice", "multi_choice") and not d.get("values"):
            path = ("descriptors", i, "values")
            problems.append(Problem(lm.line(path), key_path(path), "a choice field needs a list of values"))
    return problems


def _build(data: dict) -> Codebook:
    codes = tuple(
        Code(
            code=c["code"],
            kind=c["kind"],
            label=c["label"],
            domain=c.get("domain"),
            level=c.get("level"),
            definition=c.get("definition", ""),
            include=c.get("include", ""),
            exclude=c.get("exclude", ""),
            examples=tuple(c.get("examples", ())),
            terms=tuple(c.get("terms", ())),
        )
        for c in data["codes"]
    )
    links = tuple(Link(x["from"], x["to"], x.get("status", "hypothesised"), x.get("note", "")) for x in data.get("links", ()))
    descriptors = tuple(
        Descriptor(
            field=d["field"],
            type=d["type"],
            label=d.get("label", ""),
            values=tuple(d.get("values", ())),
            open=d.get("open", False),
            per_outcome=d.get("per_outcome", False),
            minimum=d.get("minimum"),
        )
        for d in data.get("descriptors", ())
    )
    return Codebook(
        name=data["name"],
        codes=codes,
        links=links,
        descriptors=descriptors,
        title=data.get("title", ""),
        source=data.get("source", ""),
        description=data.get("description", ""),
        format_version=data["format_version"],
        declared_layers=_layers_of(data) if data["format_version"] >= 2 else (),
    )


def validate_text(text: str) -> tuple[Codebook | None, list[Problem]]:
    """Validate codebook YAML; return (codebook or None, every problem found)."""
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        return None, [Problem(mark.line + 1 if mark else 0, "<document>", f"YAML syntax: {exc.problem or exc}")]
    except yaml.YAMLError as exc:  # e.g. a control character the YAML reader refuses (no line mark)
        line = text.count("\n", 0, getattr(exc, "position", 0)) + 1
        return None, [Problem(line, "<document>", f"not readable as YAML: {exc}")]
    if node is None:
        return None, [Problem(1, "<document>", "the codebook file is empty")]
    lm = _LineMap()
    data = lm.build(node)
    if not isinstance(data, dict):
        return None, [Problem(lm.line(()), "<document>", "a codebook must be a mapping (format_version, name, codes, ...)")]
    problems = lm.problems + _schema_problems(data, lm) + _semantic_problems(data, lm)
    problems.sort(key=lambda p: (p.line, p.key))
    return (None if problems else _build(data)), problems


def loads_codebook(text: str, source: str = "codebook") -> Codebook:
    """Parse and validate codebook YAML text; raise :class:`CodebookError` listing all problems."""
    codebook, problems = validate_text(text)
    if problems:
        raise CodebookError(problems, source)
    return codebook


def default_codebook_text() -> str:
    """The YAML of the embedded recovery codebook."""
    return resources.files("logicmap.codebook").joinpath(DEFAULT_CODEBOOK).read_text("utf-8")


def embedded_codebooks() -> tuple[str, ...]:
    """Names of the codebooks shipped with logicmap (usable wherever a codebook file is), recovery first."""
    names = sorted(p.name.removesuffix(".yaml") for p in resources.files("logicmap.codebook").iterdir()
                   if p.name.endswith(".yaml"))
    return tuple(sorted(names, key=lambda n: n != DEFAULT_CODEBOOK.removesuffix(".yaml")))


def embedded_codebook_text(name: str) -> str:
    """The YAML of the embedded codebook ``name`` (see :func:`embedded_codebooks`)."""
    if name not in embedded_codebooks():
        raise CodebookError([Problem(0, "<file>", f"no embedded codebook {name!r} "
                                     f"(embedded: {', '.join(embedded_codebooks())})")], name)
    return resources.files("logicmap.codebook").joinpath(f"{name}.yaml").read_text("utf-8")


def load_codebook(path: str | Path | None = None) -> Codebook:
    """Load a codebook file or an embedded codebook by name (e.g. ``"realist-cmo"``);
    the embedded recovery codebook when ``path`` is None. A file that exists wins over a name."""
    if path is None:
        return loads_codebook(default_codebook_text(), DEFAULT_CODEBOOK)
    path = Path(path)
    if not path.exists() and str(path) in embedded_codebooks():
        return loads_codebook(embedded_codebook_text(str(path)), f"{path}.yaml (embedded)")
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        hint = f" (nor an embedded codebook: {', '.join(embedded_codebooks())})" if not path.exists() else ""
        raise CodebookError([Problem(0, "<file>", f"cannot read: {exc.strerror or exc}{hint}")], str(path)) from exc
    return loads_codebook(text, str(path))


HEADER = "# logicmap codebook (format_version {version}). Edit freely; validate with `logicmap codebook validate`.\n"


def dumps_codebook(codebook: Codebook) -> str:
    """YAML for ``codebook``, keys and codes in their order; round-trips through :func:`loads_codebook`."""
    body = yaml.safe_dump(codebook.to_dict(), sort_keys=False, allow_unicode=True, width=100, default_flow_style=None)
    return HEADER.format(version=codebook.format_version) + body


def save_codebook(codebook: Codebook, path: str | Path) -> None:
    """Write ``codebook`` as YAML to ``path`` (validated first, so a bad edit never reaches disk)."""
    text = dumps_codebook(codebook)
    loads_codebook(text, str(path))
    Path(path).write_text(text, encoding="utf-8")
