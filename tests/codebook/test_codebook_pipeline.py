"""A whole review with each shipped non-recovery codebook (realist CMO, classic logic model, CHIME): init with it, import records, screen,
code, build the model, write the report; the columns, titles and links follow the codebook's layers."""

from __future__ import annotations

import json
import re

import pytest

from logicmap.api import Review
from logicmap.report.views import all_views

RIS = """TY  - JOUR
TI  - {title}
AU  - {author}, A.
PY  - {year}
JO  - Journal of Programme Evaluation
AB  - {abstract}
ER  -
"""

#: Per codebook: the studies (title, abstract) and each study's codings (code, quote, direction, target).
CASES = {
    "realist-cmo": {
        "studies": [
            ("Peer educators and clinic attendance: a realist evaluation",
             "Background: Clinics in deprived areas struggle to keep young people in care. "
             "Methods: Trained peer educators ran weekly sessions in four clinics. "
             "Results: Young people said they trusted the peer educator more than staff. "
             "Attendance rose from 54% to 71% over a year. "
             "Conclusions: Credible messengers can keep people engaged where deprivation is high."),
            ("Audit and feedback to general practices: process evaluation",
             "Methods: Practices received quarterly feedback reports benchmarked against their peers. "
             "Results: Staff felt answerable to their colleagues once the reports were shared. "
             "Adherence to prescribing guidelines improved in 14 of 20 practices. "
             "Some practices changed their recording rather than their care."),
            ("A protocol for a trial of text reminders",
             "This protocol describes a planned trial of text message reminders; no data are reported."),
        ],
        "codings": [
            [("S5", "Trained peer educators ran weekly sessions", None, None),
             ("M3", "Young people said they trusted the peer educator more than staff", None, None),
             ("O2", "Attendance rose from 54% to 71% over a year", "benefit", None),
             ("C7", "Credible messengers can keep people engaged where deprivation is high", "strengthens", None)],
            [("S2", "Practices received quarterly feedback reports benchmarked against their peers", None, None),
             ("M5", "Staff felt answerable to their colleagues once the reports were shared", None, None),
             ("O1", "Adherence to prescribing guidelines improved in 14 of 20 practices", "benefit", None),
             ("O5", "Some practices changed their recording rather than their care", "harm", None),
             ("M5", "Some practices changed their recording rather than their care", "harm", "O5")],
        ],
        "columns": ["Programme strategies", "Mechanisms", "Outcomes"],
        "chain": [("S5", "M3"), ("M3", "O2"), ("S2", "M5"), ("M5", "O1")],
        "explicit": ("M5", "O5"),
        "condition": "C7",
        "captions": ["Intended", "Unintended"],
    },
    "chime": {
        "studies": [
            ("Peer support workers in community mental health teams: a randomised trial",
             "Methods: Peer support workers met participants weekly for six months. "
             "Results: Participants described feeling less alone after meeting someone who had been there. "
             "Many said they now believed recovery was possible. "
             "Scores on the Recovery Assessment Scale rose more than in usual care. "
             "Social networks grew in the peer support group."),
            ("Supported employment and meaning: a mixed-methods study",
             "Methods: Participants received individual placement and support. "
             "Results: Work gave participants a valued role and a sense of purpose. "
             "Half were in competitive employment at 18 months."),
            ("Recovery-oriented care: a commentary",
             "A commentary on recovery-oriented services without new data."),
        ],
        "codings": [
            [("T1", "Peer support workers met participants weekly", None, None),
             ("C1", "Participants described feeling less alone after meeting someone who had been there", None, None),
             ("H1", "Many said they now believed recovery was possible", None, None),
             ("OP1", "Scores on the Recovery Assessment Scale rose more than in usual care", "benefit", None),
             ("OS2", "Social networks grew in the peer support group", "benefit", None)],
            [("T5", "Participants received individual placement and support", None, None),
             ("MN2", "Work gave participants a valued role and a sense of purpose", None, None),
             ("OS1", "Half were in competitive employment at 18 months", "benefit", None)],
        ],
        "columns": ["Interventions", "Recovery processes (CHIME)", "Outcomes"],
        "chain": [("T1", "C1"), ("T1", "H1"), ("H1", "OP1"), ("C1", "OS2"), ("T5", "MN2"), ("MN2", "OS1")],
        "explicit": None,
        "condition": None,
        "captions": ["Connectedness", "Hope and optimism", "Meaning in life", "Personal recovery",
                     "Social and functional"],
        "recovery_titles": ("Processes", "Functional", "Existential"),
    },
    "logic-model": {
        "studies": [
            ("A community cooking programme for families on low incomes",
             "Methods: Two paid cooks and twelve volunteers delivered the programme. "
             "Families attended six weekly cooking classes at a community centre. "
             "Results: Thirty-six classes were delivered to 148 families. "
             "Parents reported better cooking skills after the course. "
             "At one year, household food insecurity had fallen and self-rated health improved."),
            ("Home visits for older adults: a pre-post study",
             "Methods: Nurses made monthly home visits to older adults living alone. "
             "Results: Of the planned visits, 92% were completed. "
             "Participants knew more about local services afterwards. "
             "Loneliness scores fell over twelve months."),
            ("Editorial: why logic models matter",
             "An editorial on the use of logic models in programme planning."),
        ],
        "codings": [
            [("I2", "Two paid cooks and twelve volunteers delivered the programme", None, None),
             ("A1", "Families attended six weekly cooking classes", None, None),
             ("OP1", "Thirty-six classes were delivered to 148 families", None, None),
             ("OC3", "Parents reported better cooking skills after the course", "benefit", None),
             ("IM1", "self-rated health improved", "benefit", None)],
            [("I2", "Nurses made monthly home visits", None, None),
             ("A3", "Nurses made monthly home visits to older adults living alone", None, None),
             ("OP1", "Of the planned visits, 92% were completed", None, None),
             ("OC1", "Participants knew more about local services afterwards", "benefit", None),
             ("IM2", "Loneliness scores fell over twelve months", "benefit", None),
             ("X1", "older adults living alone", None, None)],
        ],
        "columns": ["Inputs", "Activities", "Outputs", "Outcomes", "Impact"],
        "chain": [("I2", "A1"), ("A1", "OP1"), ("OP1", "OC3"), ("OC3", "IM1"), ("OC1", "IM2")],
        "explicit": None,
        "condition": None,
        "captions": ["Learning (short-term)", "Health"],
    },
}


def _svg_text(svg: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", svg))


def _write_ris(path, studies):
    path.write_text("".join(RIS.format(title=t, abstract=a, author=f"Author{i}", year=2020 + i)
                            for i, (t, a) in enumerate(studies)), encoding="utf-8")


@pytest.mark.parametrize("name", sorted(CASES))
def test_full_pipeline_follows_the_codebooks_layers(tmp_path, name):
    case = CASES[name]
    _write_ris(tmp_path / "search.ris", case["studies"])
    with Review.create(tmp_path / "p.db", codebook=name) as review:
        codebook = review.codebook.current()
        assert codebook.name == name and codebook.format_version == 2
        review.records.import_files([tmp_path / "search.ris"], database="PubMed")
        ids = [rid for rid, _ in review.records.iter()]
        assert len(ids) == 3
        reason = review.screening.exclusion_reasons()[0]
        assert reason.startswith("no empirical data")
        for rid in ids[:2]:
            review.screening.decide(rid, "include", reviewer="ana")
        review.screening.decide(ids[2], "exclude", reviewer="ana", reason=reason)
        assert sorted(review.screening.included()) == sorted(ids[:2])
        suggestions, _ = review.coding.suggest(ids[:2])
        assert suggestions and all(x.code in codebook for x in suggestions)
        texts = {rid: review.coding.texts(rid) for rid in ids[:2]}
        assert all(x.quote == texts[int(x.record_id)][x.field][x.start:x.end] for x in suggestions)
        for rid, codings in zip(ids, case["codings"]):
            for code, quote, direction, target in codings:
                review.coding.add(rid, code, reviewer="ana", quote=quote, direction=direction, target_code=target)
        model = review.model.build()
        files = review.report.write(tmp_path / "report")

    cyjs = json.loads((tmp_path / "report" / "logic-model.cyjs.json").read_text(encoding="utf-8"))
    assert [layer["title"] for layer in cyjs["data"]["layers"]] == case["columns"]
    assert [layer["name"] for layer in cyjs["data"]["layers"]] == list(codebook.chain)
    nodes = {n["data"]["id"]: n["data"] for n in cyjs["elements"]["nodes"]}
    for code, data in nodes.items():
        assert data["kind"] in codebook.chain, "condition codes are not columns"
        assert data["layer"] == codebook.chain.index(codebook[code].kind)
        assert data["column"] == case["columns"][data["layer"]]
    x_of_layer = {}
    for n in cyjs["elements"]["nodes"]:
        x_of_layer.setdefault(n["data"]["layer"], set()).add(n["position"]["x"])
    assert all(len(xs) == 1 for xs in x_of_layer.values()), "one column per layer"
    assert [min(x_of_layer[i]) for i in sorted(x_of_layer)] == sorted(min(xs) for xs in x_of_layer.values())

    edges = {(e["data"]["source"], e["data"]["target"]): e["data"] for e in cyjs["elements"]["edges"]}
    for pair in case["chain"]:
        assert edges[pair]["basis"] == "chain", pair
        assert edges[pair]["n_studies"] == 1
    if case["explicit"]:
        assert edges[case["explicit"]]["basis"] == "explicit"
        assert edges[case["explicit"]]["direction"] == "harm"
    if case["condition"]:
        acted = [e for e in edges.values() if any(m["code"] == case["condition"] for m in e["moderators"])]
        assert acted, "the context code qualifies the links of its study"
        assert case["condition"] not in nodes
    for (src, dst), data in edges.items():
        kinds = codebook[src].kind, codebook[dst].kind
        assert codebook.chain.index(kinds[0]) < codebook.chain.index(kinds[1]), "links run left to right"
    # the model itself: the outcome column's coded directions and the codebook's hypotheses
    assert any(d["basis"] == "hypothesis" for _, _, d in model.edges())

    svg = _svg_text(files["logic_model_svg"].read_text(encoding="utf-8"))
    for title in case["columns"]:
        assert f" {title} " in svg
    for caption in case["captions"]:
        assert caption in svg
    for recovery_title in case.get("recovery_titles", ("Interventions", "Processes", "Functional", "Existential")):
        assert recovery_title not in svg
    for src, dst in case["chain"]:
        assert codebook[src].label.split()[0] in svg and codebook[dst].label.split()[0] in svg
    page = (tmp_path / "report" / "index.html").read_text(encoding="utf-8")
    assert "The codebook has no" not in page
    title = codebook.layer_title(codebook.intervention_kind)
    assert f"Findings by {title.lower()}" in page and f'<th scope="col">{title}</th>' in page


MINIMAL = """\
format_version: 2
name: two-columns
layers:
- {name: activity, title: What was done}
- {name: result, title: What changed}
codes:
- {code: A1, kind: activity, label: Cooking classes, definition: Group classes teaching cooking.}
- {code: R1, kind: result, label: Cooking skills, definition: Skills in preparing meals.}
links:
- {from: A1, to: R1}
"""


def test_a_codebook_without_domains_or_conditions_reports(tmp_path):
    (tmp_path / "cb.yaml").write_text(MINIMAL, encoding="utf-8")
    _write_ris(tmp_path / "search.ris", CASES["logic-model"]["studies"][:1])
    with Review.create(tmp_path / "p.db", codebook=tmp_path / "cb.yaml") as review:
        review.records.import_files([tmp_path / "search.ris"])
        rid = next(rid for rid, _ in review.records.iter())
        review.screening.decide(rid, "include", reviewer="ana")
        review.coding.add(rid, "A1", reviewer="ana", quote="Families attended six weekly cooking classes")
        review.coding.add(rid, "R1", reviewer="ana", quote="Parents reported better cooking skills after the course",
                          direction="benefit")
        files = review.report.write(tmp_path / "report")
        keys = [v.key for v in all_views(review.model.build())]
    assert keys == ["summary", "pathway:A1", "pathway:R1"]
    cyjs = json.loads(files["cyjs"].read_text(encoding="utf-8"))
    edge = next(e["data"] for e in cyjs["elements"]["edges"])
    assert (edge["source"], edge["target"], edge["basis"], edge["direction"]) == ("A1", "R1", "chain", "benefit")
    svg = _svg_text(files["logic_model_svg"].read_text(encoding="utf-8"))
    assert " What was done " in svg and " What changed " in svg
