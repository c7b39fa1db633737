"""The codebooks of ``benchmarks/codebooks/`` written by review teams (codes the package has never
seen) and the map of each one's codes to the recovery corpus's labels, used for scoring only:
``new-team`` (the package's development choices looked at its tuned-on figures) and ``second-team``
(a realist framing with CHIME-style outcome domains, written before any score and never tuned on)."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import yaml

from logicmap.api import load_codebook, rank_role

HERE = Path(__file__).resolve().parent / "codebooks"
CODEBOOK = HERE / "new-team.yaml"
MAP = HERE / "new-team-map.yaml"
USED = "a new team's own codebook (own layers, ids, labels, definitions, few examples; no term lists)"
SECOND = "second-team"
SECOND_USED = ("a second team's own codebook, never tuned on (realist programme / resource / response / gain "
               "layers, CHIME-style outcome domains, labels, definitions, one or two examples; no term lists)")


def new_team_codebook(team: str = "new-team"):
    return load_codebook(HERE / f"{team}.yaml")


def to_corpus(team: str = "new-team") -> dict[str, str]:
    """Team code -> the corpus label it stands for."""
    return yaml.safe_load((HERE / f"{team}-map.yaml").read_text(encoding="utf-8"))


def to_team(team: str = "new-team") -> dict[str, str]:
    """Corpus label -> the team code that stands for it."""
    return {label: code for code, label in to_corpus(team).items()}


def corpus_codes(suggestions, team: str = "new-team") -> list:
    """``suggestions`` with each team code replaced by the corpus label it stands for."""
    mapping = to_corpus(team)
    return [replace(s, code=mapping[s.code]) for s in suggestions]


def one_code_dropped(book, which: str = "last"):
    """``(book, dropped)``: ``book`` without the first or last code (``which``) of each layer of three
    or more codes (a catch-all code whose id ends in OTHER aside), as a team that left a code out
    would write it; ``dropped`` names the codes left out."""
    by_kind: dict[str, list] = {}
    for code in book.codes:
        by_kind.setdefault(code.kind, []).append(code)
    drop = set()
    for codes in by_kind.values():
        real = [c for c in codes if not c.code.endswith("OTHER")]
        if len(real) >= 3:
            drop.add((real[-1] if which == "last" else real[0]).code)
    kept = replace(book, codes=tuple(c for c in book.codes if c.code not in drop),
                   links=tuple(k for k in book.links if k.source not in drop and k.target not in drop))
    return kept, drop


def outcomes_by_domain(team: str = "new-team"):
    """The team's codebook with its outcome layer written as one layer per outcome domain (the first
    keeps the outcome role, the others follow it), as a team drawing three outcome columns would."""
    data = yaml.safe_load((HERE / f"{team}.yaml").read_text(encoding="utf-8"))
    layers, outcome = [], None
    for layer in data["layers"]:
        if layer.get("role") == "outcome" and layer.get("domains"):
            outcome = layer["name"]
            layers += [{"name": f"{outcome}_{d['name']}", "title": d["title"], **({"role": "outcome"} if k == 0 else {})}
                       for k, d in enumerate(layer["domains"])]
        else:
            layers.append(layer)
    data["layers"] = layers
    for code in data["codes"]:
        if code["kind"] == outcome:
            code["kind"] = f"{outcome}_{code.pop('domain')}"
    return _loaded(data, f"{team}-by-domain")


def middle_as_one(team: str = "new-team"):
    """The team's codebook with its mechanism and process layers written as one layer (the first's;
    links between them dropped), as a team that does not tell mechanisms from processes would."""
    data = yaml.safe_load((HERE / f"{team}.yaml").read_text(encoding="utf-8"))
    middle = [layer["name"] for layer in data["layers"] if not layer.get("role")]
    data["layers"] = [layer for layer in data["layers"] if layer["name"] not in middle[1:]]
    kind_of = {code["code"]: code["kind"] for code in data["codes"]}
    data["links"] = [k for k in data.get("links", []) if not (kind_of[k["from"]] in middle and kind_of[k["to"]] in middle)]
    for code in data["codes"]:
        if code["kind"] in middle:
            code["kind"] = middle[0]
    return _loaded(data, f"{team}-one-middle")


#: Where CHIME's outcome domains go in each team's outcome layer (domains do not change suggestions).
CHIME_DOMAINS = {"new-team": {"personal": "being", "clinical": "doing", "social": "belonging"},
                 SECOND: {"personal": "identity", "clinical": "clinical", "social": "connectedness"}}


def chime_codes_added(team: str = "new-team", roles: tuple[str, ...] = ("process", "outcome")):
    """``(book, added)``: the team's codebook with the packaged CHIME codebook's codes of ``roles`` added
    to its layer of the same ranking role (ids prefixed ``CH-``, term lists left out), as a team that
    adds CHIME's recovery processes and outcomes to its own would; ``added`` names the added codes.
    CHIME's interventions and moderators are left out: several restate recovery codes."""
    book = new_team_codebook(team)
    chime = load_codebook("chime")
    data = yaml.safe_load((HERE / f"{team}.yaml").read_text(encoding="utf-8"))
    layer_of = {rank_role(book, kind): kind for kind in book.kinds}
    added = []
    for code in chime.codes:
        role = rank_role(chime, code.kind)
        if role not in roles or role not in layer_of:
            continue
        new = {"code": f"CH-{code.code}", "kind": layer_of[role], "label": code.label,
               "definition": code.definition, "examples": list(code.examples)}
        if code.domain and any(c.domain for c in book.codes if c.kind == layer_of[role]):
            new["domain"] = CHIME_DOMAINS[team][code.domain]
        data["codes"].append(new)
        added.append(new["code"])
    return _loaded(data, f"{team}-chime-added"), set(added)


def _loaded(data: dict, name: str):
    """The codebook ``data`` (a codebook file's contents) validated and loaded."""
    import tempfile

    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / f"{name}.yaml"
        path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
        return load_codebook(path)
