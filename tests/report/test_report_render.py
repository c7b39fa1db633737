"""render_report: every file written, self-contained HTML, exports parse, empty inputs still report."""

from __future__ import annotations

import csv
import dataclasses
import html
import io
import json
import re

import networkx as nx
import pytest
import rispy
from lxml import etree
from report_helpers import counts, demo_model, demo_studies, facts

from logicmap.codebook import dumps_codebook, load_codebook, loads_codebook
from logicmap.records.formats import ris
from logicmap.records.record import Record
from logicmap.report.narrative import MethodsFacts, cite, methods_sections, typology_narratives
from logicmap.report.prisma import PrismaCounts, to_prisma2020_csv
from logicmap.report.render import FILES, render_report
from logicmap.report.screening_facts import ScreeningFacts, stopping_statement
from logicmap.report.views import summary_view
from logicmap.screening.stopping_rules import default_rule, make_rule
from logicmap.synthesis import Study, build_model, default_view


@pytest.fixture(scope="module")
def report(tmp_path_factory):
    out = tmp_path_factory.mktemp("report")
    model = demo_model()
    records = [Record(position=i, source_id=s.id, title=s.title, authors=list(s.authors), year=s.year, type="JOUR")
               for i, s in enumerate(demo_studies(), 1)]
    paths = render_report(out, model=model, studies=demo_studies(), prisma=counts(),
                          prisma_csv=to_prisma2020_csv(counts()), methods=facts(), included_records=records)
    return model, paths


def _external_refs(html: str) -> list[str]:
    return re.findall(r"<(?:script|link|img|iframe)[^>]+(?:src|href)\s*=\s*[\"']?(?:https?:)?//", html, re.I)


def test_all_files_written(report):
    _, paths = report
    assert {p.name for p in paths.values()} == {name for name, _ in FILES.values()}
    for name in ("index.html", "logic-model.svg", "logic-model.html", "logic-model.graphml", "logic-model.cyjs.json",
                 "prisma.svg", "prisma.csv", "gap-map.svg", "evidence.csv", "included.ris"):
        assert paths["index"].with_name(name).stat().st_size > 0
    index = paths["index"].read_text(encoding="utf-8")
    for key, (name, _) in FILES.items():
        if key != "index":
            assert f'href="{name}"' in index


def test_html_self_contained(report):
    _, paths = report
    for key in ("logic_model_html", "index"):
        html = paths[key].read_text(encoding="utf-8")
        assert not _external_refs(html)
        assert "<script src" not in html and '<link rel="stylesheet"' not in html
    page = paths["logic_model_html"].read_text(encoding="utf-8")
    assert '"quotes"' in page and 'class="view" data-key="summary"' in page
    data = json.loads(re.search(r'<script id="lm-data" type="application/json">(.*?)</script>', page, re.S).group(1))
    assert data["edges"] and data["nodes"] and data["studies"]
    assert 'aria-label="Links and nodes of the model"' in page and 'role="dialog"' in page


def test_exports_parse(report):
    model, paths = report
    g = nx.read_graphml(paths["graphml"])
    assert g.number_of_nodes() == model.graph.number_of_nodes() and g.number_of_edges() == model.graph.number_of_edges()
    assert g.edges["T02", "OF3"]["n_studies"] == model.graph.edges["T02", "OF3"]["n_studies"]
    cyjs = json.loads(paths["cyjs"].read_text(encoding="utf-8"))
    view = default_view(model)  # the .cyjs holds the default view: at most 60 links, pathway bases only
    assert len(cyjs["elements"]["edges"]) == len(summary_view(model).edges) <= len(view.edges) <= 60
    assert cyjs["data"]["view"]["hidden"] == view.hidden
    assert all("position" in n for n in cyjs["elements"]["nodes"])
    assert {e["data"]["basis"] for e in cyjs["elements"]["edges"]} <= {"explicit", "chain", "hypothesis"}
    rows = list(csv.DictReader(io.StringIO(paths["evidence_csv"].read_text(encoding="utf-8"))))
    assert len(rows) == sum(d["n_studies"] for *_, d in model.edges())
    row = next(r for r in rows if r["source"] == "T02" and r["target"] == "OF3" and r["study_id"] == "p1-002")
    assert row["quotes"].startswith("IMR program participants demonstrated") and row["design"] == "RCT"
    assert row["link_basis"] == "explicit" and row["quote_roles"] == "results"
    entries = rispy.loads(paths["ris"].read_text(encoding="utf-8"))
    assert len(entries) == len(demo_studies())
    assert {e["id"] for e in entries} == {s.id for s in demo_studies()}
    for svg in ("logic_model_svg", "prisma_svg", "gap_map", "effect_direction"):
        etree.fromstring(paths[svg].read_bytes())


def test_narrative_and_methods_from_data_only():
    model = demo_model()
    narratives = {n.code: n for n in typology_narratives(model)}
    t02 = narratives["T02"]
    assert t02.text.startswith("6 included studies evaluated illness self-management")
    assert "Färdig et al. 2011" in t02.text and "RCT" in t02.text
    assert t02.text.count("Benefit was reported for ") == 1  # one sentence per direction, not one per outcome
    sections = dict(methods_sections(facts()))
    assert "MEDLINE via Ovid (searched 2019-01-31, 40 records)" in sections["Information sources and search"]
    assert "Cohen's kappa = 0.82 on 120 double-screened records" in sections["Screening"]
    bare = dict(methods_sections(MethodsFacts()))
    assert "not reported" in bare["Information sources and search"] and "not reported" in bare["Screening"]
    assert "the stopping rule was SAFE (50 consecutive irrelevant records)." in sections["Screening"]
    stopped = dataclasses.replace(facts(), stopping_rule="buscar (recall >= 95%)", stopping_statement=(
        "Screening stopped when the stopping rule fired (buscar (recall >= 95%)) after 40 of 66 records: ..."))
    assert dict(methods_sections(stopped))["Screening"].count("buscar (recall >= 95%)") == 1  # said once, not twice


def _drop_kind(kind: str):
    import yaml

    data = yaml.safe_load(dumps_codebook(load_codebook()))
    gone = {c["code"] for c in data["codes"] if c["kind"] == kind}
    data["codes"] = [c for c in data["codes"] if c["kind"] != kind]
    data["links"] = [x for x in data["links"] if x["from"] not in gone and x["to"] not in gone]
    return loads_codebook(yaml.safe_dump(data, sort_keys=False))


@pytest.mark.parametrize("case", ["no-studies", "no-codes", "no-typologies", "no-mechanisms"])
def test_bad_input_still_reports(case, tmp_path):
    cb, studies = load_codebook(), list(demo_studies())
    if case == "no-studies":
        studies = []
    elif case == "no-codes":
        studies = [Study(s.id, title=s.title, authors=s.authors, year=s.year, design=s.design) for s in studies[:5]]
    else:
        cb = _drop_kind(case.removeprefix("no-").rstrip("s").replace("typologie", "typology"))
    model = build_model(cb, studies)
    paths = render_report(tmp_path, model=model, studies=studies, prisma=PrismaCounts(), prisma_csv="",
                          methods=MethodsFacts(), included_records=[])
    index = paths["index"].read_text(encoding="utf-8")
    assert "What is missing" in index
    expected = {"no-studies": "No included studies", "no-codes": "No codes", "no-typologies": "no intervention typologies",
                "no-mechanisms": "no mechanisms"}[case]
    assert expected in index
    assert expected in paths["logic_model_html"].read_text(encoding="utf-8")
    for svg in ("logic_model_svg", "prisma_svg", "gap_map", "effect_direction"):
        etree.fromstring(paths[svg].read_bytes())
    if case in ("no-studies", "no-codes", "no-typologies"):
        assert "no study has both a typology and an outcome" in paths["gap_map"].read_text(encoding="utf-8")
    assert len(list(csv.reader(io.StringIO(paths["evidence_csv"].read_text(encoding="utf-8"))))) >= 1
    assert ris.write is not None


def test_index_has_contents_and_collapsible_sections(report):
    _, paths = report
    html = paths["index"].read_text(encoding="utf-8")
    contents = re.search(r'<ol class="contents">(.*?)</ol>', html, re.S).group(1)
    targets = re.findall(r'href="#([a-z-]+)"', contents)
    assert targets[:2] == ["logic-model", "findings"] and "selection" in targets and "methods" in targets
    for key in targets:
        assert re.search(rf'<section id="{key}"[^>]*><details[^>]*><summary><h2 id="{key}-h">', html), key
    assert html.count("<details open>") >= 5 and "<details>" in html  # the long tables start closed
    assert "73 records not yet screened" not in html and 'class="status"' not in html  # a finished review


def test_words_for_readers_not_codes(report):
    _, paths = report
    svg_text = " ".join(t for key in ("gap_map", "effect_direction")
                        for t in etree.fromstring(paths[key].read_bytes()).xpath("//*[local-name()='text']/text()"))
    assert "no difference" in svg_text and "no_difference" not in svg_text and "not_measured" not in svg_text
    assert "…" not in svg_text  # axis labels are never cut
    effect_legends = etree.fromstring(paths["effect_direction"].read_bytes()).xpath("//*[local-name()='text']/text()")
    assert effect_legends.count("Direction") == 1  # colour and shape share one legend
    index = paths["index"].read_text(encoding="utf-8")
    assert "no_difference" not in re.sub(r"<svg.*?</svg>", "", index, flags=re.S)
    assert re.search(r'<p class="lead">\d+ included studies; ', index)


def test_lead_is_singular_for_one_study(tmp_path):
    one = [next(s for s in demo_studies() if s.codes())]
    paths = render_report(tmp_path, model=build_model(load_codebook(), one), studies=one, prisma=PrismaCounts(),
                          prisma_csv="")
    assert re.search(r'<p class="lead">1 included study; \d+ links? ', paths["index"].read_text(encoding="utf-8"))


def test_recall_curve_and_stopping_statement(tmp_path):
    finished = ScreeningFacts(order=(1, 1, 1, 0, 1, 1) + (0,) * 60, total=66, reviewer="ana")
    paths = render_report(tmp_path, model=demo_model(), studies=demo_studies(), prisma=counts(), prisma_csv="",
                          screening=finished)
    index = paths["index"].read_text(encoding="utf-8")
    rule = default_rule()
    described = html.escape(f"The stopping rule {rule.name} ({rule.description}) would first", quote=False)
    assert ("66 of 66 records were screened on title and abstract (5 relevant records found); every record was "
            f"screened. {described}") in index
    first = rule.replay(finished.order, 66).records_screened
    assert 6 < first < 66 and f"would first have allowed stopping after {first} records." in index
    svg = paths["recall_curve"].read_text(encoding="utf-8")
    assert "Recall in the order screened by ana (all 66 records)" in svg and 'src="recall-curve.svg"' in index
    partial = ScreeningFacts(order=(1, 0, 1, 0, 0), total=66)
    assert "5 of 66 records were screened" in stopping_statement(partial)
    assert f"61 records not yet screened. The stopping rule {rule.name}" in stopping_statement(partial)
    assert "is not met (" in stopping_statement(partial)
    assert "estimated recall " in stopping_statement(partial)
    assert "excluded by automation" not in stopping_statement(partial)  # not stopped by the rule: not yet screened
    assert "No record has been screened yet: 66 records await screening." == stopping_statement(ScreeningFacts(total=66))


def test_a_stop_by_the_rule_is_stated_as_exclusion_by_automation():
    stop = {"rule": "buscar_95_90", "description": "recall >= 95% with 90% confidence", "screened": 40,
            "total": 66, "estimate": 0.964, "interval": [0.931, 1.0]}
    facts = ScreeningFacts(order=(1, 1, 1, 0, 1, 1) + (0,) * 34, total=66, stop=stop)
    statement = stopping_statement(facts)
    assert statement.startswith("40 of 66 records were screened on title and abstract (5 relevant records found).")
    assert ("excluded by automation: 26, stopping rule buscar_95_90 at estimated recall 0.96 [0.93, 1.00]"
            in statement)
    assert "not yet screened" not in statement
    assert "default stopping rule" not in statement  # a rule the project chose: no claim about the default
    default = default_rule()
    by_default = stopping_statement(ScreeningFacts(order=facts.order, total=66, stop={**stop, "rule": default.name}))
    assert by_default.endswith("(95% interval). It is logicmap's default stopping rule up to 100,000 records, "
                               "buscar at 95% recall with 80% confidence (the confidence chosen by a calibration "
                               "on screening simulations of 14 labelled datasets): chosen with each dataset held "
                               "out, it reached 95% recall in 100.0% of runs and saved 27.6% of the screening (140 "
                               "runs, the default engine).")
    # above 100,000 records the default is buscar 95/90, with the word TF-IDF engine's calibration
    large = {**stop, "screened": 60_000, "total": 150_000}
    statement = stopping_statement(ScreeningFacts(order=(1,) * 6 + (0,) * 59_994, total=150_000, stop=large))
    assert statement.endswith("(95% interval). It is logicmap's default stopping rule above 100,000 records, "
                              "buscar at 95% recall with 90% confidence (the confidence chosen by a calibration on "
                              "screening simulations of 14 labelled datasets with the word TF-IDF engine used "
                              "there): chosen with each dataset held out, it reached 95% recall in 99.3% of runs "
                              "and saved 17.8% of the screening (140 runs).")


def test_the_statement_tests_the_project_s_rule_when_it_chose_one():
    chosen = make_rule("knee", 0.95, 0.95)
    facts = ScreeningFacts(order=(1, 0, 1, 0, 0), total=66, rule=chosen)
    assert f"The stopping rule {chosen.name} ({chosen.description}) is not met" in stopping_statement(facts)
    assert default_rule().name not in stopping_statement(facts)


def test_a_quoted_title_is_cited_with_one_pair_of_quotes():
    quoted = Study("q1", title='"A place without walls," only the sky: horticulture in recovery', year=2023)
    assert cite([quoted]) == "\u201cA place without walls,...\u201d 2023"
