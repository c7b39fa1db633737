"""Coded items, exact spans, agreement statistics (hand-computed) and reconciliation."""

from __future__ import annotations

import math

import krippendorff
import numpy as np
import pytest

from logicmap.codebook import load_codebook
from logicmap.coding import (
    CodedItem,
    CodingError,
    EvidenceSpan,
    SpanError,
    agreement,
    cohen_kappa,
    krippendorff_alpha,
    percent_agreement,
    reconcile,
    span_for_quote,
    validate_items,
    validate_span,
)

RECORD = {"id": "s1", "title": "Peer support and hope", "abstract": "Hope improved. Symptoms did not change."}


def test_span_must_match_text_exactly():
    span = EvidenceSpan("abstract", 0, 14, "Hope improved.")
    validate_span("s1", span, RECORD)
    with pytest.raises(SpanError, match=r"study s1, span abstract\[1:15\]"):
        validate_span("s1", EvidenceSpan("abstract", 1, 15, "Hope improved."), RECORD)
    with pytest.raises(SpanError, match="occurs at \\[0:14\\]"):
        validate_span("s1", EvidenceSpan("abstract", 1, 15, "Hope improved."), RECORD)
    with pytest.raises(SpanError, match="past the end"):
        validate_span("s1", EvidenceSpan("title", 10, 40, "x" * 30), RECORD)
    with pytest.raises(SpanError, match="no fulltext"):
        validate_span("s1", EvidenceSpan("fulltext", 0, 4, "Hope"), RECORD)


def test_span_shape_and_direction_checked():
    with pytest.raises(CodingError, match="field"):
        EvidenceSpan("body", 0, 4, "Hope")
    with pytest.raises(CodingError, match="characters"):
        EvidenceSpan("title", 0, 5, "Hope")
    with pytest.raises(CodingError, match="study s1, code OE1: direction 'better'"):
        CodedItem("s1", "OE1", "ann", direction="better")


def test_span_for_quote_and_validate_items():
    span = span_for_quote(RECORD, "Symptoms did not change.")
    assert RECORD["abstract"][span.start : span.end] == span.quote and span.field == "abstract"
    with pytest.raises(SpanError, match="study s1"):
        span_for_quote(RECORD, "not there")
    good = CodedItem("s1", "OE1", "ann", span, "no_difference")
    bad = CodedItem("s1", "OE1", "bob", EvidenceSpan("title", 0, 4, "Hope"))
    problems = validate_items([good, bad, CodedItem("zz", "T01", "ann")], {"s1": RECORD})
    assert len(problems) == 2 and "study s1, span title[0:4]" in problems[0] and "study zz" in problems[1]


def test_cohen_kappa_hand_computed():
    # 50 units: both yes 20, only A 5, only B 10, both no 15.
    a = [1] * 20 + [1] * 5 + [0] * 10 + [0] * 15
    b = [1] * 20 + [0] * 5 + [1] * 10 + [0] * 15
    # po = 35/50 = 0.7; pe = 0.5*0.6 + 0.5*0.4 = 0.5; kappa = 0.2/0.5
    assert percent_agreement(a, b) == pytest.approx(0.7)
    assert cohen_kappa(a, b) == pytest.approx(0.4)
    assert math.isnan(cohen_kappa([1, 1], [1, 1]))


def test_krippendorff_alpha_hand_computed_and_against_package():
    # a=[1,1,0,0], b=[1,0,0,0]: o11=2, o10=o01=1, o00=4; n1=3, n0=5, n=8
    # alpha = 1 - (n-1) * 2 / (2 * n1 * n0) = 1 - 7*2/30
    assert krippendorff_alpha([[1, 1, 0, 0], [1, 0, 0, 0]]) == pytest.approx(1 - 14 / 30)
    # Krippendorff's own example (4 coders, 12 units, missing values): 0.743
    data = [
        [1, 2, 3, 3, 2, 1, 4, 1, 2, None, None, None],
        [1, 2, 3, 3, 2, 2, 4, 1, 2, 5, None, 3],
        [None, 3, 3, 3, 2, 3, 4, 2, 2, 5, 1, None],
        [1, 2, 3, 3, 2, 4, 4, 1, 2, 5, 1, None],
    ]
    ours = krippendorff_alpha(data)
    arr = np.array([[np.nan if v is None else v for v in row] for row in data], dtype=float)
    assert ours == pytest.approx(0.743, abs=5e-4)
    assert ours == pytest.approx(krippendorff.alpha(reliability_data=arr, level_of_measurement="nominal"))


def _items(reviewer, pairs):
    return [CodedItem(s, c, reviewer, direction=d) for s, c, d in pairs]


def test_agreement_per_code_and_kind():
    cb = load_codebook()
    a = _items("ann", [("s1", "T01", None), ("s2", "T02", None), ("s1", "OE1", "benefit")])
    b = _items("bob", [("s1", "T01", None), ("s2", "T09", None), ("s1", "OE1", "benefit")])
    report = agreement(a, b, cb, studies=["s1", "s2", "s3"])
    assert report.per_code["T01"].percent == 1.0 and report.per_code["T01"].both == 1
    assert report.per_code["T02"].only_a == 1 and report.per_code["T09"].only_b == 1
    typ = report.per_kind["typology"]
    assert typ.n == 3 * 14 and typ.both == 1 and typ.only_a == 1 and typ.only_b == 1
    assert -1 <= typ.kappa <= 1 and typ.alpha == pytest.approx(krippendorff_alpha(_pool(report)))


def _pool(report):
    typ = report.per_kind["typology"]
    a = [1] * typ.both + [1] * typ.only_a + [0] * typ.only_b + [0] * (typ.n - typ.both - typ.only_a - typ.only_b)
    b = [1] * typ.both + [0] * typ.only_a + [1] * typ.only_b + [0] * (typ.n - typ.both - typ.only_a - typ.only_b)
    return [a, b]


def test_reconcile_keeps_both_originals():
    a = _items("ann", [("s1", "T01", None), ("s1", "OE1", "benefit"), ("s2", "OF3", "benefit")])
    b = _items("bob", [("s1", "T01", None), ("s1", "OE1", "mixed"), ("s2", "M1", None)])
    result = {(r.study_id, r.code): r for r in reconcile(a, b, {("s1", "OE1"): "mixed", ("s2", "M1"): False})}
    assert result[("s1", "T01")].status == "agreed" and result[("s1", "T01")].final.reviewer == "consensus"
    oe1 = result[("s1", "OE1")]
    assert oe1.status == "resolved" and oe1.final.direction == "mixed"
    assert oe1.from_a[0].direction == "benefit" and oe1.from_b[0].direction == "mixed"
    assert result[("s2", "M1")].status == "resolved" and result[("s2", "M1")].final is None
    assert result[("s2", "OF3")].status == "unresolved" and result[("s2", "OF3")].from_b == ()
    with pytest.raises(CodingError, match="study s2, code OF3"):
        reconcile(a, b, {("s2", "OF3"): "sideways"})
