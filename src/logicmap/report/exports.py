"""Model exports: GraphML, Cytoscape JSON (.cyjs), the CSV evidence table and RIS.

* GraphML holds scalar attributes only (networkx writes no lists): studies become a
  ``;``-separated id list, votes become ``votes_<direction>`` columns.
* Cytoscape JSON (the desktop app's ``.cyjs``) holds the default (summary) view of the
  logic model (:func:`~logicmap.synthesis.view.default_view`: at most 60 links), studies and
  quotes included, with the node positions of the shared layout.
* The evidence CSV has one row per edge x supporting study, with the quoted sentences, their
  roles (results, conclusions, ...) and the moderators that study reports on the link.
* Edges carry ``basis`` (explicit, chain or hypothesis) and ``moderators``: the conditions
  (code, label, level, effect, study, quote) reported to strengthen or weaken them.
* RIS is written with :func:`logicmap.records.formats.ris.write`.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable

import networkx as nx

from logicmap.records.formats import ris
from logicmap.records.record import Record
from logicmap.report.layout import place_view
from logicmap.report.views import summary_view
from logicmap.safe_text import safe_dict
from logicmap.synthesis.model import LogicModel
from logicmap.synthesis.study import Study
from logicmap.synthesis.view import default_view

EVIDENCE_COLUMNS: tuple[str, ...] = (
    "source", "source_label", "target", "target_label", "link_basis", "hypothesised", "grade", "link_direction",
    "link_studies", "study_id", "citation", "design", "year", "country", "study_basis", "direction", "quote_codes",
    "quotes", "quote_roles", "moderators",
)
QUOTE_SEPARATOR = " || "


def to_graphml(model: LogicModel) -> str:
    """GraphML text of the model (deterministic order)."""
    g = nx.DiGraph()
    g.graph["codebook"] = model.codebook.name
    g.graph["studies"] = len(model.studies)
    for code, d in model.graph.nodes(data=True):
        g.add_node(code, kind=d["kind"], label=d["label"], group=d["group"], n_studies=d["n_studies"])
    for src, dst, d in model.edges():
        attrs = {"basis": d["basis"], "hypothesised": bool(d["hypothesised"]), "n_studies": d["n_studies"],
                 "n_randomised": d["n_randomised"], "direction": d["direction"], "grade": d["grade"],
                 "studies": ";".join(s.study_id for s in d["studies"]), "note": d["note"],
                 "acts_on": ";".join(d["acts_on"]),
                 "moderators": ";".join(f"{c.code}:{c.effect}:{c.study_id}" for c in d["moderators"])}
        attrs.update({f"votes_{k}": v for k, v in d["votes"].items()})
        if d["p_value"] is not None:
            attrs["p_value"] = float(d["p_value"])
        g.add_edge(src, dst, **attrs)
    return "\n".join(nx.generate_graphml(g, prettyprint=True)) + "\n"


def to_cytoscape_json(model: LogicModel) -> dict:
    """The default view as Cytoscape JSON (``elements.nodes`` / ``elements.edges`` with ``data``)."""
    view = summary_view(model)
    lay = place_view(view)
    nodes = []
    for n, code, d in ((n, n.id, model.graph.nodes[n.id]) for n in view.nodes):
        box = lay.boxes[code]
        nodes.append({"data": {"id": code, "name": f"{code} {d['label']}", "label": d["label"], "kind": d["kind"],
                               "layer": n.layer, "column": view.columns[n.layer] if n.layer < len(view.columns) else "",
                               "group": d["group"], "n_studies": d["n_studies"],
                               "studies": [s.study_id for s in d["studies"]], "moderates": list(d.get("moderates", ()))},
                      "position": {"x": round(box.cx, 1), "y": round(box.cy, 1)}})
    edges = []
    for src, dst, basis, d in ((e.source, e.target, e.basis, model.graph.edges[e.source, e.target]) for e in view.edges):
        edges.append({"data": {  # basis as the view draws it
            "id": f"{src}->{dst}", "source": src, "target": dst, "interaction": basis, "basis": basis,
            "hypothesised": d["hypothesised"], "n_studies": d["n_studies"], "n_randomised": d["n_randomised"],
            "votes": d["votes"], "direction": d["direction"], "p_value": d["p_value"], "grade": d["grade"],
            "note": d["note"], "acts_on": list(d["acts_on"]),
            "moderators": [c.to_dict() for c in d["moderators"]],
            "studies": [{"id": s.study_id, "citation": s.citation, "design": s.design, "direction": s.direction,
                         "basis": s.basis,
                         "quotes": [{"code": q.code, "field": q.field, "start": q.start, "end": q.end, "text": q.text,
                                     "role": q.role}
                                    for q in s.quotes]} for s in d["studies"]],
        }})
    return {"format_version": "1.0", "generated_by": "logicmap", "target_cytoscapejs_version": "~3.35",
            "data": {"name": "logic model", "codebook": model.codebook.name, "studies": len(model.studies),
                     "view": default_view(model).to_dict(),
                     "layers": [{"name": k, "title": model.codebook.layer_title(k)} for k in model.codebook.chain]},
            "elements": {"nodes": nodes, "edges": edges}}


def evidence_rows(model: LogicModel) -> list[dict]:
    """One dict per edge x supporting study (columns :data:`EVIDENCE_COLUMNS`)."""
    g = model.graph.nodes
    studies = {s.id: s for s in model.studies}
    rows = []
    for src, dst, d in model.evidence_edges():
        for s in d["studies"]:
            study = studies.get(s.study_id)
            rows.append({
                "source": src, "source_label": g[src]["label"], "target": dst, "target_label": g[dst]["label"],
                "link_basis": d["basis"], "hypothesised": d["hypothesised"], "grade": d["grade"],
                "link_direction": d["direction"], "link_studies": d["n_studies"], "study_id": s.study_id,
                "citation": s.citation, "design": s.design or "", "year": study.year if study and study.year else "",
                "country": (study.country or "") if study else "", "study_basis": s.basis, "direction": s.direction,
                "quote_codes": QUOTE_SEPARATOR.join(q.code for q in s.quotes),
                "quotes": QUOTE_SEPARATOR.join(q.text for q in s.quotes),
                "quote_roles": QUOTE_SEPARATOR.join(q.role or "title" for q in s.quotes),
                "moderators": QUOTE_SEPARATOR.join(f"{c.code} {c.effect}" for c in d["moderators"]
                                                   if c.study_id == s.study_id),
            })
    return rows


def evidence_csv(model: LogicModel) -> str:
    """The evidence table as CSV text (header + one row per edge x study)."""
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(EVIDENCE_COLUMNS), lineterminator="\n")
    writer.writeheader()
    writer.writerows(safe_dict(row) for row in evidence_rows(model))
    return out.getvalue()


def record_from_study(study: Study, position: int) -> Record:
    """A minimal :class:`Record` for a study (when no imported record is at hand)."""
    return Record(position=position, source_id=study.id, title=study.title or None, authors=list(study.authors),
                  year=study.year, journal=study.journal, doi=study.doi, type="JOUR")


def to_ris(records: Iterable[Record]) -> str:
    """RIS text of ``records``."""
    out = io.StringIO()
    ris.write(records, out)
    return out.getvalue()


def cytoscape_json_text(model: LogicModel) -> str:
    return json.dumps(to_cytoscape_json(model), ensure_ascii=False, indent=1, sort_keys=True) + "\n"
