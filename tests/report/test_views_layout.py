"""Views of the logic model, the layered layout and the straight-line crossing measure (pure, no browser)."""

from __future__ import annotations

import math

import networkx as nx
from report_helpers import demo_model, demo_studies

from logicmap.codebook import load_codebook
from logicmap.synthesis import ModelFilter, build_model

from logicmap.report.crossings import segments_cross, straight_line_crossings
from logicmap.report.layout import MIN_MID_GAP, NODE_W, curve_points, midpoint, place_view
from logicmap.report.ordering import order_columns, total_crossings
from logicmap.report.views import all_views, domains_view, link_basis, mechanism_domains_view, pathway_view, summary_view


def test_straight_line_crossings_counts_proper_intersections_only():
    pos = {"a": (0, 0), "b": (10, 10), "c": (0, 10), "d": (10, 0), "e": (20, 0), "f": (0, 5), "g": (10, 5)}
    assert straight_line_crossings(pos, [("a", "b"), ("c", "d")]) == 1
    assert straight_line_crossings(pos, [("a", "b"), ("a", "d")]) == 0  # shared end node
    assert straight_line_crossings(pos, [("a", "d"), ("c", "b")]) == 0  # parallel
    assert straight_line_crossings(pos, [("a", "e"), ("d", "b")]) == 0  # touches at an end point only
    assert straight_line_crossings(pos, [("a", "b"), ("c", "d"), ("f", "g")]) == 3  # pairs, even through one point
    assert not segments_cross((0, 0), (1, 0), (2, 0), (3, 0))  # collinear, apart


def test_ordering_removes_avoidable_crossings():
    layers = [["a", "b", "c"], ["x", "y", "z"]]
    segs = [("a", "z"), ("b", "y"), ("c", "x")]
    assert total_crossings(layers, segs) == 3
    ordered = order_columns(layers, segs, {})
    assert total_crossings(ordered, segs) == 0
    assert layers == [["a", "b", "c"], ["x", "y", "z"]]  # input untouched
    # a rank keeps blocks apart even when mixing them would cross less
    ranked = order_columns(layers, segs, {"x": 0, "y": 1, "z": 1})
    assert ranked[1][0] == "x"


def _positions(view):
    lay = place_view(view)
    return {k: (b.cx, b.cy) for k, b in lay.boxes.items()}


def test_default_view_of_the_demo_has_few_crossings():
    model = demo_model()
    view = summary_view(model)
    edges = [(e.source, e.target) for e in view.edges]
    laid_out = straight_line_crossings(_positions(view), edges)
    # the same boxes stacked in codebook order, without crossing minimisation
    kinds = nx.get_node_attributes(model.graph, "kind")
    naive, rows = {}, {}
    for code in (n.id for n in view.nodes):
        rows[kinds[code]] = rows.get(kinds[code], -1) + 1
        naive[code] = (("typology", "mechanism", "process", "outcome").index(kinds[code]) * 300, rows[kinds[code]] * 60)
    before = straight_line_crossings(naive, edges)
    assert laid_out <= 800 and laid_out < 0.7 * before, (laid_out, before)


def test_summary_view_keeps_pathway_links_only():
    model = demo_model()
    view = summary_view(model)
    kinds = {n.id for n in view.nodes}
    assert not any(model.graph.nodes[c]["kind"] == "moderator" for c in kinds)
    assert {e.basis for e in view.edges} <= {"explicit", "chain", "hypothesis"}
    layer = {n.id: n.layer for n in view.nodes}
    assert all(layer[e.target] - layer[e.source] == 1 for e in view.edges if e.basis == "chain")
    with_cooccurrence = build_model(load_codebook(), demo_studies(), filters=ModelFilter(include_cooccurrence=True))
    co = summary_view(with_cooccurrence, cooccurrence=True)  # on request only
    assert len(co.edges) > len(view.edges) and any(e.basis == "co-occurrence" for e in co.edges)
    assert all_views(model)[0].key == "summary"


def test_basis_and_moderators_are_read_when_present():
    model = demo_model()
    src, dst, data = max(((a, b, d) for a, b, d in model.edges()
                          if model.graph.nodes[a]["kind"] == "typology" and model.graph.nodes[b]["kind"] == "outcome"),
                         key=lambda e: e[2]["n_studies"])  # the best-supported: in the default view once explicit
    data.update(basis="co-occurrence")
    assert link_basis(model, src, dst, data) is None  # co-occurrence across layers is no link
    data.update(basis="explicit", moderators=({"code": "DS1", "direction": "weakens"},))
    edge = next(e for e in summary_view(model).edges if e.id == f"{src}->{dst}")
    assert edge.basis == "explicit" and edge.moderators == ({"code": "DS1", "direction": "weakens"},)
    model.graph.add_edge("OE1", "P5", **dict(data))  # a coded link against the layer order
    view = summary_view(model)
    assert "OE1->P5" not in {e.id for e in view.edges} and view.note.startswith("1 link within a layer")
    assert place_view(view).routes  # the explicit long link T -> O is routed through dummy slots


def test_aggregated_views_and_pathways():
    model = demo_model()
    dom = domains_view(model)
    assert {n.id for n in dom.nodes if n.layer == 3} <= {"domain:functional", "domain:existential", "domain:social"}
    agg = next(e for e in dom.edges if e.target.startswith("domain:") and len(e.members) > 1)
    member_n = [model.graph.edges[tuple(m.split("->"))]["n_studies"] for m in agg.members]
    assert agg.n == len(set(agg.studies)) and max(member_n) <= agg.n <= sum(member_n)
    mech = mechanism_domains_view(model)
    assert {model.graph.nodes[e.source]["kind"] for e in mech.edges if e.target.startswith("domain:")} == {"mechanism"}
    path = pathway_view(model, "T02")
    assert path.flow and path.edges
    own = {s.study_id for s in model.graph.nodes["T02"]["studies"]}
    assert all(set(e.studies) <= own for e in path.edges)
    assert not [n for n in path.nodes if n.layer == 0 and n.id != "T02"]


def test_layout_routes_avoid_boxes_and_labels_fit():
    model = demo_model()
    for view in (summary_view(model), summary_view(model, cooccurrence=True), pathway_view(model, "OF3")):
        lay = place_view(view)
        boxes = list(lay.boxes.values())
        for i, a in enumerate(boxes):  # no two boxes overlap
            for b in boxes[i + 1:]:
                assert a.x + a.w <= b.x or b.x + b.w <= a.x or a.y + a.h <= b.y or b.y + b.h <= a.y
        for e in view.edges:
            for x, y in curve_points(lay.routes[e.id], lay.skew[e.id]):
                inside = [k for k, b in lay.boxes.items() if b.x + 1 < x < b.x + b.w - 1 and b.y + 1 < y < b.y + b.h - 1]
                assert not inside, (view.key, e.id, inside)
        assert all(box.w == NODE_W for box in boxes)
        mids = [midpoint(lay.routes[e.id], lay.skew[e.id]) for e in view.edges]
        gaps = [math.dist(a, b) for i, a in enumerate(mids) for b in mids[i + 1:]]
        # drawn midpoints apart, so a click on one is nearest to that link's midpoint
        assert min(gaps, default=MIN_MID_GAP) >= 8 and sum(g < MIN_MID_GAP for g in gaps) <= len(mids) // 20



def test_page_data_carries_moderators_and_basis():
    from logicmap.report.interactive import model_data

    model = demo_model()
    src, dst, data = max(((a, b, d) for a, b, d in model.edges()
                          if model.graph.nodes[a]["kind"] == "mechanism" and model.graph.nodes[b]["kind"] == "process"),
                         key=lambda e: e[2]["n_studies"])  # the best-supported: in the default view
    data.update(basis="chain", moderators=({"code": "DE1", "direction": "weakens", "quote": "in areas of high unemployment"},))
    page = model_data(model)
    edge = page["edges"][f"{src}->{dst}"]
    assert edge["moderators"] == [{"code": "DE1", "direction": "weakens", "quote": "in areas of high unemployment"}]
    summary = page["views"][0]
    assert summary["key"] == "summary" and summary["edges"][f"{src}->{dst}"]["basis"] == "chain"
