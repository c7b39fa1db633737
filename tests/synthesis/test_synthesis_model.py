"""build_model: link bases, studies, verbatim finding quotes, moderators as conditions, the context
profile, hypotheses, filters, missing input."""

from __future__ import annotations

import dataclasses

import pytest
from tests.support import shared_path
from corpus_helpers import DEMO_CORPUS, codebook, corpus

from logicmap.synthesis.pathways import ADJACENT

from logicmap.codebook import loads_codebook, dumps_codebook
from logicmap.coding import CodedItem, EvidenceSpan
from logicmap.errors import CodingError
from logicmap.synthesis import BASES, CodedLink, ModelFilter, Study, build_model, context_profile, design_family
from logicmap.synthesis import moderator_effect

SHARED_CORPUS = "recovery-corpus/records.jsonl"


def _span(abstract: str, quote: str) -> EvidenceSpan:
    at = abstract.index(quote)
    return EvidenceSpan("abstract", at, at + len(quote), quote)


def _item(sid, code, abstract="", quote=None, direction=None):
    return CodedItem(sid, code, "r1", _span(abstract, quote) if quote else None, direction)


A = ("Background: Peer support is widespread. Methods: Peer workers were trained before the trial. "
     "Results: Peers modelled recovery in every group. Role models raised hope. Hope improved at follow-up. "
     "Trained peer workers facilitated engagement.")
B = ("Methods: Participants were asked about their motivation. Results: Hope was unchanged at follow-up. "
     "High unemployment was a barrier to work.")
C = "Results: More people found jobs in the IPS arm."


def _studies():
    a = Study("a", title="Peer trial", authors=("Smith, Ann", "Jones, B"), year=2010, design="RCT", country="UK",
              abstract=A,
              items=(_item("a", "T01", A, "Peer support is widespread"), _item("a", "M3", A, "Peers modelled recovery"),
                     _item("a", "P5", A, "Role models raised hope"),
                     _item("a", "OE1", A, "Hope improved at follow-up", "benefit"),
                     _item("a", "DS3", A, "Trained peer workers facilitated engagement"),
                     _item("a", "DS1", A, "Peer workers were trained before the trial")),
              links=(CodedLink("a", "M3", "P5", _span(A, "Role models raised hope"), "benefit"),))
    b = Study("b", title="Peer cohort", authors=("Lee, C",), year=2015, design="cohort", country="USA; Canada",
              abstract=B,
              items=(_item("b", "T01"), _item("b", "OE1", B, "Hope was unchanged at follow-up", "no_difference"),
                     _item("b", "DE1", B, "High unemployment was a barrier to work"),
                     _item("b", "DU1", B, "Participants were asked about their motivation")),
              links=(CodedLink("b", "T01", "OE1", _span(B, "Hope was unchanged at follow-up"), "no_difference"),))
    c = Study("c", title="IPS", authors=("Ng, D", "Ho, E", "Wu, F"), year=2020, design="RCT (pilot)", country="Hong Kong",
              abstract=C, items=(_item("c", "T07"), _item("c", "OF1", C, "More people found jobs", "benefit")))
    return [a, b, c]


def test_explicit_chain_and_hypothesis_edges():
    model = build_model(codebook(), _studies())
    g = model.graph
    assert {d["basis"] for _, _, d in model.edges()} <= set(BASES)
    t_m = g.edges["T01", "M3"]
    assert [s.study_id for s in t_m["studies"]] == ["a"]
    assert t_m["basis"] == "chain" and t_m["hypothesised"]  # also a codebook hypothesis
    assert [q.text for q in t_m["studies"][0].quotes] == ["Peer support is widespread", "Peers modelled recovery"]
    explicit = g.edges["M3", "P5"]
    assert explicit["basis"] == "explicit" and explicit["studies"][0].direction == "benefit"
    assert explicit["studies"][0].quotes[0].text == "Role models raised hope"
    p_o = g.edges["P5", "OE1"]  # a chain: each end with its own sentence, the outcome's a finding
    assert p_o["basis"] == "chain" and [q.role for q in p_o["studies"][0].quotes] == ["results", "results"]
    t_o = g.edges["T01", "OE1"]  # non-adjacent: only study b, which states it
    assert [(s.citation, s.direction, s.basis) for s in t_o["studies"]] == [("Lee 2015", "no_difference", "explicit")]
    assert t_o["basis"] == "explicit" and t_o["direction"] == "no_difference"
    ips = g.edges["T07", "OF1"]  # both ends in study c, but non-adjacent and not stated: still a hypothesis
    assert ips["basis"] == "hypothesis" and ips["n_studies"] == 0
    assert not g.has_edge("T01", "P5")  # study a: non-adjacent, not stated, no codebook link
    hyp = g.edges["T08", "OF2"]
    assert hyp["n_studies"] == 0 and hyp["grade"] == "hypothesised" and hyp["basis"] == "hypothesis"
    assert g.nodes["OE1"]["n_studies"] == 2 and g.nodes["T99"]["n_studies"] == 0
    assert model.problems == []


def test_cooccurrence_only_on_request():
    model = build_model(codebook(), _studies(), filters=ModelFilter(include_cooccurrence=True))
    t_p = model.graph.edges["T01", "P5"]
    assert t_p["basis"] == "co-occurrence" and t_p["grade"] != "strong"
    assert model.graph.edges["T07", "OF1"]["basis"] == "hypothesis"  # study c quotes no span for T07
    assert model.graph.edges["T01", "OE1"]["basis"] == "explicit"  # study b states it; study a co-occurs
    assert {s.basis for s in model.graph.edges["T01", "OE1"]["studies"]} == {"explicit", "co-occurrence"}


def test_outcome_quotes_are_findings_and_never_shared_by_both_ends():
    text = "Methods: Hope was measured with the Herth Hope Index. Results: Role models raised hope."
    s = Study("m", title="t", abstract=text, items=(
        _item("m", "P5", text, "Role models raised hope"), _item("m", "OE1", text, "Role models raised hope"),
        _item("m", "OE1", text, "Hope was measured with the Herth Hope Index"), _item("m", "M3", text, "Role models")))
    model = build_model(codebook(), [s])
    g = model.graph
    assert g.edges["P5", "OE1"]["n_studies"] == 0  # the only finding quote of OE1 is P5's own quote
    assert [q.text for q in model.graph.nodes["OE1"]["studies"][0].quotes] == ["Role models raised hope"]
    assert g.edges["M3", "P5"]["n_studies"] == 0  # "Role models" lies inside P5's quote: one quote, both ends


def test_moderators_are_conditions_on_their_studies_links():
    g = build_model(codebook(), _studies()).graph
    assert not any(g.nodes[u]["kind"] == "moderator" for u, _ in g.edges)  # no arrows from moderators
    ds3 = [c for c in g.edges["T01", "M3"]["moderators"] if c.code == "DS3"]
    assert [(c.study_id, c.level, c.effect, c.quote) for c in ds3] == [
        ("a", "service", "strengthens", "Trained peer workers facilitated engagement")]
    de1 = g.edges["T01", "OE1"]["moderators"]
    assert [(c.code, c.effect, c.study_id) for c in de1] == [("DE1", "weakens", "b")]
    assert not g.edges["M3", "P5"]["moderators"][0].code == "DE1"  # study b does not support M3 -> P5
    assert g.nodes["DE1"]["moderates"] == ("T01->OE1",)
    assert g.nodes["DS1"]["moderates"] == g.nodes["DU1"]["moderates"] == ()  # quoted from methods: not reported


def test_context_profile():
    model = build_model(codebook(), _studies())
    profile = context_profile(model, ["DE1", "DS3"])
    assert profile.codes == ("DE1", "DS3")
    weakened = [(x.source, x.target) for x in profile.weakened()]
    assert weakened[0] == ("T01", "OE1") and all(c.code in ("DE1", "DS3") for x in profile.links for c in x.conditions)
    assert any("High unemployment was a barrier to work" in line for line in profile.lines())
    assert context_profile(model, ["DE3"]).links == []
    with pytest.raises(CodingError, match="not a moderator of the codebook: T01, XX"):
        context_profile(model, ["T01", "XX"])


def test_filters():
    cb = codebook()
    by_design = build_model(cb, _studies(), filters=ModelFilter(designs=("RCT",)))
    assert {s.id for s in by_design.studies} == {"a", "c"}  # RCT family includes the pilot RCT
    assert {s.id for s in build_model(cb, _studies(), filters=ModelFilter(designs=("rct (pilot)",))).studies} == {"c"}
    by_typ = build_model(cb, _studies(), filters=ModelFilter(typologies=("T07",)))
    assert {s.id for s in by_typ.studies} == {"c"} and "T01" not in by_typ.graph and "T07" in by_typ.graph
    by_dom = build_model(cb, _studies(), filters=ModelFilter(outcome_domains=("functional",)))
    assert {s.id for s in by_dom.studies} == {"c"} and "OE1" not in by_dom.graph and "OF1" in by_dom.graph
    assert {s.id for s in build_model(cb, _studies(), filters=ModelFilter(years=(2011, None))).studies} == {"b", "c"}
    assert {s.id for s in build_model(cb, _studies(), filters=ModelFilter(years=(None, 2015))).studies} == {"a", "b"}
    assert {s.id for s in build_model(cb, _studies(), filters=ModelFilter(countries=("canada",))).studies} == {"b"}
    none = build_model(cb, _studies(), filters=ModelFilter(countries=("Peru",)))
    assert not none.studies and "No study passes the filters" in none.problems[0]
    assert all(d["n_studies"] == 0 for _, _, d in none.edges())


def test_design_family():
    assert design_family("RCT (cluster)") == "RCT" and design_family("non-randomised controlled") == "non-randomised controlled"
    assert design_family("pre-post (repeated measures)") == "pre-post" and design_family(None) == "not reported"


def test_missing_input_is_stated():
    cb = codebook()
    empty = build_model(cb, [])
    assert empty.problems == ["No included studies: every link shown is a codebook hypothesis."]
    assert empty.graph.number_of_nodes() == len(cb.codes)
    assert all(d["grade"] == "hypothesised" for _, _, d in empty.edges())
    uncoded = build_model(cb, [Study("x", title="Uncoded")])
    assert uncoded.problems == ["No codes: none of the included studies has been coded yet."]
    # a study coded with a link only (the web coding page's mouse-coded link) is coded
    link_only = build_model(cb, [dataclasses.replace(_studies()[0], items=())])
    assert link_only.problems == []
    # ... and counts at both ends of its link (its box no longer says "0 studies")
    ends = {end for link in link_only.studies[0].links for end in (link.source_code, link.target_code)}
    assert ends and all(link_only.graph.nodes[code]["n_studies"] == 1 for code in ends)
    text = dumps_codebook(cb)
    no_mech = loads_codebook(_drop_kind(text, "mechanism"))
    model = build_model(no_mech, _studies())
    assert any("no mechanisms" in p for p in model.problems)
    assert "Codes not in the codebook were left out" in model.problems[-1]


def _drop_kind(text: str, kind: str) -> str:
    import yaml

    data = yaml.safe_load(text)
    gone = {c["code"] for c in data["codes"] if c["kind"] == kind}
    data["codes"] = [c for c in data["codes"] if c["kind"] != kind]
    data["links"] = [link for link in data["links"] if link["from"] not in gone and link["to"] not in gone]
    return yaml.safe_dump(data, sort_keys=False)


def _check_real_corpus(path: str):
    records, studies = corpus(path)
    model = build_model(codebook(), studies)
    kinds = {c.code: c.kind for c in codebook().codes}
    assert len(model.studies) == len(studies) and model.problems == []
    n_quotes = 0
    for src, dst, d in model.evidence_edges():
        kind_pair = (kinds[src], kinds[dst])
        assert (d["basis"], kind_pair in ADJACENT) in {("chain", True), ("explicit", True), ("explicit", False)}
        for es in d["studies"]:
            study = model.study(es.study_id)
            assert {src, dst} <= set(study.codes())  # the study coded both ends
            for q in es.quotes:  # every quote is verbatim at its span
                assert records[es.study_id][q.field][q.start:q.end] == q.text
                assert q.code in (src, dst, f"{src}->{dst}")
                n_quotes += 1
            if es.basis == "explicit":  # the labeller's sentence stating the effect
                assert [q.code for q in es.quotes] == [f"{src}->{dst}"]
                continue
            ends = [[q for q in es.quotes if q.code == code] for code in (src, dst)]
            assert all(ends) and not any(a.overlaps(b) for a in ends[0] for b in ends[1])
            assert all(q.role in ("results", "conclusions") for q in es.quotes if kinds[q.code] == "outcome")
    assert n_quotes > 50
    return records, model


def test_demo_corpus_edges_carry_studies_and_quotes():
    records, model = _check_real_corpus(str(DEMO_CORPUS))
    edge = model.graph.edges["T02", "OF3"]
    row = next(s for s in edge["studies"] if s.study_id == "p1-002")
    assert row.design == "RCT" and row.direction == "benefit" and row.citation == "Färdig et al. 2011"
    assert row.basis == "explicit" and row.quotes[0].text == (
        "IMR program participants demonstrated significantly greater improvement in illness management than "
        "participants in the control condition")
    assert row.quotes[0].role == "results"


def test_shared_corpus_edges_carry_studies_and_quotes():
    path = shared_path(SHARED_CORPUS)
    records, model = _check_real_corpus(str(path))
    stated = {(s.links[0].source_code, link.target_code) for s in model.studies for link in s.links}
    assert stated and stated == {(u, v) for u, v, _ in model.evidence_edges() if u.startswith("T")
                                 and v.startswith("O")}  # typology -> outcome only where stated
    cook = next(s for s in model.graph.edges["T02", "OE4"]["studies"] if s.study_id == "p1-001")
    assert cook.citation == "Cook et al. 2012" and cook.direction == "benefit"
    assert cook.quotes[0].text == "significantly greater improvement in total Recovery Assessment Scale scores"
    rct = build_model(codebook(), corpus(str(path))[1], filters=ModelFilter(designs=("RCT",)))
    assert rct.studies and all(s.design.startswith("RCT") for s in rct.studies)
    assert len(rct.evidence_edges()) < len(model.evidence_edges())


@pytest.mark.parametrize("kind", ["typology", "outcome", "moderator"])
def test_codebook_without_a_kind_builds(kind):
    cb = loads_codebook(_drop_kind(dumps_codebook(codebook()), kind))
    model = build_model(cb, corpus(str(DEMO_CORPUS))[1])
    assert any(p.startswith("The codebook has no") for p in model.problems)
    assert not model.nodes(kind)


def test_moderator_effect_cues():
    assert moderator_effect("Lack of staff training was a barrier to delivery.") == "weakens"
    assert moderator_effect("Supportive managers facilitated implementation.") == "strengthens"
    assert moderator_effect("Participants coped with societal stigma.") == "unclear"  # the moderator's name only
    assert moderator_effect("Managers were supportive.", "weakens") == "weakens"  # the coder's direction wins
    assert moderator_effect("Lack of staff training.", "strengthens") == "strengthens"
    assert moderator_effect("Managers were supportive.", "harm") == "weakens"  # coded before moderators had their own


@pytest.mark.parametrize("direction, effect", [("strengthens", "strengthens"), ("weakens", "weakens"),
                                               ("benefit", "strengthens"), ("harm", "weakens")])
def test_a_coded_moderator_direction_is_its_effect(direction, effect):
    """A coder's strengthens / weakens (or an older project's benefit / harm) on a moderator quoted from the
    methods makes it a condition with that effect, whatever its quote's cue words say."""
    a, b, c = _studies()
    items = tuple(i if i.code != "DU1" else _item("b", "DU1", B, "Participants were asked about their motivation",
                                                  direction) for i in b.items)
    model = build_model(codebook(), [a, Study(**{**b.__dict__, "items": items}), c])
    du1 = [x for x in model.graph.edges["T01", "OE1"]["moderators"] if x.code == "DU1"]
    assert [(x.study_id, x.effect) for x in du1] == [("b", effect)]
    assert context_profile(model, ["DU1"]).links[0].effect == {"strengthens": "strengthened", "weakens": "weakened"}[effect]
    with pytest.raises(CodingError, match="direction 'stronger'"):
        _item("b", "DU1", B, "Participants were asked about their motivation", "stronger")
