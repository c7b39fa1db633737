"""The codebook: the embedded default validates; bad files are refused with line and key."""

from __future__ import annotations

import pytest

from logicmap.codebook import (
    Code,
    CodebookError,
    add_code,
    default_codebook_text,
    dumps_codebook,
    load_codebook,
    loads_codebook,
    merge_codes,
    rename_code,
    save_codebook,
    split_code,
    validate_text,
)

GOOD = """\
format_version: 1
name: tiny
codes:
- code: T1
  kind: typology
  label: Peer support
  terms: [peer support]
- code: M1
  kind: mechanism
  label: Role modelling
- code: O1
  kind: outcome
  domain: existential
  label: Hope
- code: D1
  kind: moderator
  level: service
  label: Fidelity
links:
- {from: T1, to: M1, status: hypothesised}
"""


def test_default_codebook_validates_and_has_the_framework():
    cb = load_codebook()
    counts = {k: len(cb.of_kind(k)) for k in ("typology", "mechanism", "process", "outcome", "moderator")}
    assert counts == {"typology": 14, "mechanism": 4, "process": 8, "outcome": 13, "moderator": 13}
    assert {c.domain for c in cb.of_kind("outcome")} == {"functional", "existential", "social"}
    assert {c.level for c in cb.of_kind("moderator")} == {"service_user", "service", "environment"}
    assert all(link.status == "hypothesised" for link in cb.links)
    assert any((link.source, link.target) == ("T01", "M3") for link in cb.links)  # peer support -> role modelling
    assert all(c.terms for c in cb.codes if c.code != "T99")
    assert cb.descriptor("effect_direction").values == ("benefit", "no_difference", "harm", "mixed", "not_measured")
    assert {d.field for d in cb.descriptors} == {"design", "country", "setting", "population", "n", "measures", "effect_direction"}


def test_round_trip_keeps_order_and_content(tmp_path):
    cb = load_codebook()
    path = tmp_path / "cb.yaml"
    save_codebook(cb, path)
    again = load_codebook(path)
    assert again == cb
    assert [c.code for c in again.codes] == [c.code for c in cb.codes]
    assert loads_codebook(dumps_codebook(again)) == cb


def _problems(text: str):
    codebook, problems = validate_text(text)
    assert codebook is None
    return [(p.line, p.key) for p in problems], problems


@pytest.mark.parametrize(
    "old,new,line,key,words",
    [
        ("- code: M1\n", "- code: T1\n", 8, "codes[1].code", "duplicate code 'T1' (first defined at line 4)"),
        ("  kind: mechanism\n", "  kind: widget\n", 9, "codes[1].kind", "unknown kind 'widget'"),
        ("  domain: existential\n", "  domain: spiritual\n", 13, "codes[2].domain", "'spiritual' is not one of"),
        ("  level: service\n", "  level: galaxy\n", 17, "codes[3].level", "is not one of"),
        ("  level: service\n", "", 15, "codes[3].level", "missing required key 'level'"),
        ("  label: Peer support\n", "  label: Peer support\n  domain: social\n", 7, "codes[0].domain", "only allowed on outcome"),
        ("{from: T1, to: M1,", "{from: T1, to: M9,", 20, "links[0].to", "unknown code 'M9'"),
        ("  label: Hope\n", "  label: Hope\n  label: Again\n", 15, "codes[2].label", "duplicate key"),
        ("  label: Hope\n", "  label: Hope\n  colour: red\n", 15, "codes[2].colour", "unknown key 'colour'"),
        ("{from: T1, to: M1,", "{from: O1, to: T1,", 20, "links[0]", "outcome to a typology is not allowed"),
    ],
)
def test_bad_codebooks_are_refused_with_line_and_key(old, new, line, key, words):
    assert old in GOOD
    found, problems = _problems(GOOD.replace(old, new, 1))
    assert (line, key) in found, problems
    assert any(words in p.message for p in problems if (p.line, p.key) == (line, key)), problems


def test_all_problems_reported_at_once():
    text = GOOD.replace("- code: M1\n", "- code: T1\n").replace("kind: outcome", "kind: gadget").replace("to: M1", "to: ZZ")
    with pytest.raises(CodebookError) as info:
        loads_codebook(text, "tiny.yaml")
    keys = {p.key for p in info.value.problems}
    assert {"codes[1].code", "codes[2].kind", "links[0].to"} <= keys
    assert "tiny.yaml" in str(info.value) and "line 8, codes[1].code" in str(info.value)


def test_a_control_character_is_a_problem_not_a_crash():
    """Found by schemathesis on the web API: YAML's reader refuses C1 control characters with an
    error that carries no line mark; it escaped as a server error."""
    codebook, problems = validate_text("format_version: 2\ncodes: [\x8b]\n")
    assert codebook is None and len(problems) == 1
    assert problems[0].line == 2 and "not readable as YAML" in problems[0].message


def test_yaml_syntax_error_names_the_line():
    _, problems = _problems(GOOD.replace("  label: Hope\n", "  label: [Hope\n"))
    assert problems[0].key == "<document>" and problems[0].line >= 14 and "YAML syntax" in problems[0].message


def test_empty_and_non_mapping_documents():
    assert _problems("")[0] == [(1, "<document>")]
    assert _problems("- a\n- b\n")[0] == [(1, "<document>")]


def test_default_text_is_the_packaged_yaml():
    assert "format_version: 1" in default_codebook_text()


# -- edits -------------------------------------------------------------------------------


def tiny():
    return loads_codebook(GOOD)


def test_rename_carries_links_and_returns_mapping():
    cb, mapping = rename_code(tiny(), "M1", "M3", label="Role modelling recovery")
    assert mapping == {"M1": "M3"}
    assert "M1" not in cb and cb["M3"].label == "Role modelling recovery"
    assert [(link.source, link.target) for link in cb.links] == [("T1", "M3")]
    assert [c.code for c in cb.codes] == ["T1", "M3", "O1", "D1"]  # order kept


def test_rename_onto_existing_code_is_refused():
    with pytest.raises(CodebookError, match="already exists"):
        rename_code(tiny(), "M1", "T1")


def test_merge_unites_terms_and_links():
    cb = load_codebook()
    merged, mapping = merge_codes(cb, ["OE1", "OE3"], into="OE2")
    assert mapping == {"OE1": "OE2", "OE3": "OE2"}
    assert "OE1" not in merged and "OE3" not in merged
    assert {"hope", "self-esteem", "empower*"} <= set(merged["OE2"].terms)
    targets = {(link.source, link.target) for link in merged.links}
    assert ("P5", "OE2") in targets and ("P6", "OE2") in targets
    assert not any(link.source in mapping or link.target in mapping for link in merged.links)


def test_merge_into_new_code_and_across_kinds():
    cb, mapping = merge_codes(load_codebook(), ["DE1", "DE2"], into="DE12", label="Labour market and welfare")
    assert mapping == {"DE1": "DE12", "DE2": "DE12"} and cb["DE12"].level == "environment"
    assert [c.code for c in cb.of_kind("moderator")].index("DE12") == 8  # where DE1 was
    with pytest.raises(CodebookError, match="one kind"):
        merge_codes(load_codebook(), ["OE1", "P5"], into="OE1")
    with pytest.raises(CodebookError, match="give it a label"):
        merge_codes(load_codebook(), ["OE1"], into="NEW")


def test_split_copies_links_and_maps_to_parts():
    cb, mapping = split_code(load_codebook(), "M3", [Code("M3a", "", "Lived-experience staff"), Code("M3b", "", "Recovery stories")])
    assert mapping == {"M3": ["M3a", "M3b"]}
    assert cb["M3a"].kind == "mechanism"
    pairs = {(link.source, link.target) for link in cb.links}
    assert {("T01", "M3a"), ("T01", "M3b"), ("M3a", "P5"), ("M3b", "P5")} <= pairs
    with pytest.raises(CodebookError, match="at least two"):
        split_code(load_codebook(), "M3", [Code("M3a", "", "x")])


def test_add_code_goes_after_its_kind_and_refuses_duplicates():
    cb = add_code(tiny(), Code("M2", "mechanism", "Choice"))
    assert [c.code for c in cb.codes] == ["T1", "M1", "M2", "O1", "D1"]
    with pytest.raises(CodebookError, match="duplicate code"):
        add_code(cb, Code("M2", "mechanism", "Again"))
    with pytest.raises(CodebookError) as info:
        add_code(cb, Code("X1", "widget", "Unknown kind"))
    assert any(p.key.endswith(".kind") and "unknown kind" in p.message for p in info.value.problems)
