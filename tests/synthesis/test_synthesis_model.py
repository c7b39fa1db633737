"""build_model: edges, studies, verbatim quotes, moderators, hypotheses, filters, missing input."""

from __future__ import annotations

import pytest
from conftest import shared_path
from corpus_helpers import DEMO_CORPUS, codebook, corpus

from logicmap.codebook import loads_codebook, dumps_codebook
from logicmap.coding import CodedItem, EvidenceSpan
from logicmap.synthesis import CodedLink, ModelFilter, Study, build_model, design_family

SHARED_CORPUS = "recovery-corpus/records.jsonl"


def _item(sid, code, text=None, direction=None, field="abstract"):
    span = EvidenceSpan(field, 0, len(text), text) if text else None
    return CodedItem(sid, code, "r1", span, direction)


def _studies():
    a = Study("a", title="Peer trial", authors=("Smith, Ann", "Jones, B"), year=2010, design="RCT", country="UK",
              items=(_item("a", "T01"), _item("a", "M3", "peers modelled recovery"),
                     _item("a", "OE1", "hope improved", "benefit"), _item("a", "DS3", "peer workers were trained")),
              links=(CodedLink("a", "M3", "P5", EvidenceSpan("abstract", 0, 23, "role models raised hope"), "benefit"),))
    b = Study("b", title="Peer cohort", authors=("Lee, C",), year=2015, design="cohort", country="USA; Canada",
              items=(_item("b", "T01"), _item("b", "OE1", "hope unchanged", "no_difference"),
                     _item("b", "DE1", "unemployment was high")))
    c = Study("c", title="IPS", authors=("Ng, D", "Ho, E", "Wu, F"), year=2020, design="RCT (pilot)", country="Hong Kong",
              items=(_item("c", "T07"), _item("c", "OF1", "more people found jobs", "benefit")))
    return [a, b, c]


def test_cooccurrence_explicit_and_hypothesis_edges():
    model = build_model(codebook(), _studies())
    g = model.graph
    t_m = g.edges["T01", "M3"]
    assert [s.study_id for s in t_m["studies"]] == ["a"]
    assert t_m["basis"] == "co-occurrence" and t_m["hypothesised"]  # also a codebook hypothesis
    assert [q.text for q in t_m["studies"][0].quotes] == ["peers modelled recovery"]
    explicit = g.edges["M3", "P5"]
    assert explicit["basis"] == "explicit" and explicit["studies"][0].direction == "benefit"
    assert explicit["studies"][0].quotes[0].text == "role models raised hope"
    t_o = g.edges["T01", "OE1"]
    assert [(s.citation, s.direction) for s in t_o["studies"]] == [("Lee 2015", "no_difference"),
                                                                     ("Smith & Jones 2010", "benefit")]
    assert t_o["votes"]["benefit"] == 1 and t_o["votes"]["no_difference"] == 1
    assert t_o["direction"] == "mixed" and t_o["p_value"] == 1.0
    assert g.edges["T07", "OF1"]["studies"][0].citation == "Ng et al. 2020"
    assert g.edges["T07", "OF1"]["n_randomised"] == 1
    hyp = g.edges["T08", "OF2"]
    assert hyp["n_studies"] == 0 and hyp["grade"] == "hypothesised" and hyp["basis"] == "hypothesis"
    assert g.nodes["OE1"]["n_studies"] == 2 and g.nodes["T99"]["n_studies"] == 0
    assert model.problems == []


def test_moderators_act_on_mechanisms_else_outcomes():
    g = build_model(codebook(), _studies()).graph
    assert g.has_edge("DS3", "M3") and not g.has_edge("DS3", "OE1")  # study a has a mechanism
    assert g.edges["DS3", "M3"]["acts_on"] == ("T01->M3",)
    assert g.has_edge("DE1", "OE1")  # study b has no mechanism: moderator -> outcome
    assert g.edges["DE1", "OE1"]["acts_on"] == ("T01->OE1",)
    assert g.edges["DE1", "OE1"]["studies"][0].direction == "no_difference"


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
    assert len(model.studies) == len(studies) and model.problems == []
    n_quotes = 0
    for src, dst, d in model.evidence_edges():
        for es in d["studies"]:
            study = model.study(es.study_id)
            assert {src, dst} <= set(study.codes())  # the study coded both ends
            for q in es.quotes:  # every quote is verbatim at its span
                assert records[es.study_id][q.field][q.start:q.end] == q.text
                assert q.code in (src, dst)
                n_quotes += 1
    assert n_quotes > 100
    return records, model


def test_demo_corpus_edges_carry_studies_and_quotes():
    records, model = _check_real_corpus(str(DEMO_CORPUS))
    edge = model.graph.edges["T02", "OF3"]
    row = next(s for s in edge["studies"] if s.study_id == "p1-002")
    assert row.design == "RCT" and row.direction == "benefit" and row.citation == "Färdig et al. 2011"
    assert row.quotes[0].text == ("IMR program participants demonstrated significantly greater improvement in illness "
                                  "management than participants in the control condition")


def test_shared_corpus_edges_carry_studies_and_quotes():
    path = shared_path(SHARED_CORPUS)
    records, model = _check_real_corpus(str(path))
    expected = {(src, dst) for s in model.studies for src in s.codes() for dst in s.codes()
                if src.startswith("T") and dst.startswith("O")}
    assert expected <= {(u, v) for u, v, _ in model.evidence_edges()}
    edge = model.graph.edges["T02", "OE4"]
    cook = next(s for s in edge["studies"] if s.study_id == "p1-001")
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
