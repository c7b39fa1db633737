"""Codebooks that declare their own layers (format_version 2), and format_version 1 meaning the recovery model."""

from __future__ import annotations

import pytest

from logicmap.codebook import (
    CodebookError,
    dumps_codebook,
    embedded_codebooks,
    load_codebook,
    loads_codebook,
    validate_text,
)

V2 = """\
format_version: 2
name: cmo
layers:
- name: strategy
  title: Strategies
- name: mechanism
  title: Mechanisms
- name: outcome
  title: Outcomes
  role: outcome
  domains:
  - {name: intended, title: Intended}
  - {name: unintended, title: Unintended}
- name: context
  title: Contexts
  role: condition
  levels:
  - {name: individual, title: Individual}
codes:
- {code: S1, kind: strategy, label: Peer educators}
- {code: M1, kind: mechanism, label: Trust}
- {code: O1, kind: outcome, domain: intended, label: Attendance}
- {code: C1, kind: context, level: individual, label: Literacy}
links:
- {from: S1, to: M1}
- {from: C1, to: M1}
"""


def test_format_1_means_the_recovery_model():
    cb = load_codebook()
    assert cb.format_version == 1 and "layers" not in dumps_codebook(cb)
    assert cb.chain == ("typology", "mechanism", "process", "outcome")
    assert (cb.intervention_kind, cb.outcome_kind, cb.condition_kind) == ("typology", "outcome", "moderator")
    assert cb.domains() == ("functional", "existential", "social")
    assert cb.levels() == ("service_user", "service", "environment")
    assert cb.adjacent_pairs == (("typology", "mechanism"), ("mechanism", "process"), ("process", "outcome"))
    assert [cb.layer_title(k) for k in cb.chain] == ["Interventions", "Mechanisms", "Processes", "Outcomes"]


def test_format_2_declares_layers_roles_domains_and_levels():
    cb = loads_codebook(V2)
    assert cb.chain == ("strategy", "mechanism", "outcome") and cb.kinds[-1] == "context"
    assert (cb.intervention_kind, cb.outcome_kind, cb.condition_kind) == ("strategy", "outcome", "context")
    assert cb.adjacent_pairs == (("strategy", "mechanism"), ("mechanism", "outcome"))
    assert cb.non_adjacent_pairs == (("strategy", "outcome"),)
    assert ("context", "outcome") in cb.allowed_links and ("outcome", "strategy") not in cb.allowed_links
    assert cb.group_titles() == {"intended": "Intended", "unintended": "Unintended", "individual": "Individual"}
    assert loads_codebook(dumps_codebook(cb)) == cb
    assert dumps_codebook(cb).startswith("# logicmap codebook (format_version 2)")


def test_roles_default_to_the_first_and_last_column():
    text = V2.replace("  role: outcome\n", "")
    cb = loads_codebook(text)
    assert (cb.intervention_kind, cb.outcome_kind) == ("strategy", "outcome")


@pytest.mark.parametrize(
    "old,new,line,key,words",
    [
        ("- {code: M1, kind: mechanism,", "- {code: M1, kind: process,", 21, "codes[1].kind",
         "unknown kind 'process' (the layers: strategy, mechanism, outcome, context)"),
        ("kind: outcome, domain: intended,", "kind: outcome, domain: social,", 22, "codes[2].domain",
         "domain 'social': one of intended, unintended"),
        ("kind: outcome, domain: intended,", "kind: outcome,", 22, "codes[2].domain", "missing required key 'domain'"),
        ("kind: strategy, label", "kind: strategy, domain: intended, label", 20, "codes[0].domain",
         "not allowed on layer 'strategy'"),
        ("- {from: S1, to: M1}", "- {from: M1, to: S1}", 25, "links[0]", "a mechanism to a strategy is not allowed"),
        ("  title: Mechanisms\n", "  title: Mechanisms\n  role: outcome\n", 11, "layers[2].role",
         "only one layer can have role 'outcome'"),
        ("- name: mechanism\n", "- name: strategy\n", 6, "layers[1].name", "duplicate layer 'strategy'"),
        ("  role: condition\n", "  role: condition\n  domains: [{name: x, title: X}]\n", 17, "layers[3].domains",
         "the condition layer has levels"),
        ("  role: outcome\n", "  role: output\n", 10, "layers[2].role", "is not one of"),
        ("format_version: 2\n", "format_version: 1\n", 3, "layers", "'layers' needs format_version: 2"),
    ],
)
def test_bad_layers_are_refused_with_line_and_key(old, new, line, key, words):
    assert old in V2
    codebook, problems = validate_text(V2.replace(old, new, 1))
    assert codebook is None
    found = {(p.line, p.key) for p in problems}
    assert (line, key) in found, problems
    assert any(words in p.message for p in problems if (p.line, p.key) == (line, key)), problems


def test_format_2_without_layers_names_the_file_and_field(tmp_path):
    path = tmp_path / "mine.yaml"
    path.write_text(V2.split("layers:")[0] + "codes:\n- {code: S1, kind: strategy, label: X}\n", encoding="utf-8")
    with pytest.raises(CodebookError) as info:
        load_codebook(path)
    assert str(path) in str(info.value) and "layers: missing required key 'layers'" in str(info.value)


def test_one_column_is_not_a_logic_model():
    text = V2.replace("- name: mechanism\n  title: Mechanisms\n- name: outcome\n  title: Outcomes\n  role: outcome\n"
                      "  domains:\n  - {name: intended, title: Intended}\n  - {name: unintended, title: Unintended}\n", "")
    _, problems = validate_text(text)
    assert any("at least two layers" in p.message for p in problems), problems


def test_embedded_codebooks_load_by_name_and_a_file_wins(tmp_path, monkeypatch):
    assert embedded_codebooks()[0] == "recovery"
    assert {"realist-cmo", "logic-model", "chime"} <= set(embedded_codebooks())
    chime = load_codebook("chime")
    assert chime.domains("process") == ("connectedness", "hope", "identity", "meaning", "empowerment")
    assert all(c.definition and c.examples for c in chime.codes)
    cmo = load_codebook("realist-cmo")
    assert cmo.chain == ("strategy", "mechanism", "outcome") and cmo.condition_kind == "context"
    assert all(c.definition and c.examples for c in cmo.codes)
    classic = load_codebook("logic-model")
    assert classic.chain == ("input", "activity", "output", "outcome", "impact")
    assert classic.intervention_kind == "activity" and classic.effect_kinds == ("outcome", "impact")
    assert classic.domains("impact") == ("health", "social", "economic")
    assert all(c.definition and c.examples for c in classic.codes)
    monkeypatch.chdir(tmp_path)
    (tmp_path / "realist-cmo").write_text(V2, encoding="utf-8")
    assert load_codebook("realist-cmo").name == "cmo"
    with pytest.raises(CodebookError, match="nor an embedded codebook: recovery"):
        load_codebook("no-such-codebook")


def test_link_suggestions_follow_the_declared_layers():
    from logicmap.coding.link_suggest import LINK_KINDS, link_kinds_of, record_link_suggestions
    from logicmap.coding.matcher import TermMatcher

    assert set(link_kinds_of(load_codebook())) == set(LINK_KINDS)
    cb = load_codebook("logic-model")
    abstract = ("Methods: Families attended cooking classes. Results: Knowledge of healthy eating increased, and "
                "better knowledge improved self-rated health and wellbeing.")
    found = record_link_suggestions({"id": "1", "abstract": abstract}, cb, TermMatcher(cb), codes=["A1", "OC1", "IM1"])
    assert [(s.source, s.target, s.direction) for s in found] == [("OC1", "IM1", "benefit")]  # outcome -> impact
    assert all(abstract[s.start:s.end] == s.quote for s in found)


def test_key_term_suggestions_take_the_rules_of_their_layers_role():
    from logicmap.coding.suggest import recovery_role, suggest

    cb = load_codebook("logic-model")
    assert [recovery_role(cb, k) for k in cb.kinds] == ["mechanism", "typology", "mechanism", "outcome", "outcome",
                                                        "moderator"]
    record = {"id": "1", "title": "Cooking classes and quality of life",
              "abstract": "Methods: Families attended weekly cooking classes. "
                          "Results: Quality of life and wellbeing improved at one year."}
    found = {s.code: s for s in suggest([record], cb)}
    assert found["IM1"].kind == "impact" and found["IM1"].direction == "benefit"  # an outcome column: a finding
    assert found["IM1"].quote == "Quality of life and wellbeing improved at one year."
    assert found["A1"].direction is None
