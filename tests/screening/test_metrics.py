"""Screening metrics on small hand-computed cases."""

from __future__ import annotations

import pytest

from logicmap.screening.metrics import (
    recall_at,
    recall_curve,
    records_to_recall,
    summarise,
    time_to_discovery,
    wss,
)

# 10 records, 4 relevant, found at positions 1, 2, 4 and 7.
ORDER = [1, 1, 0, 1, 0, 0, 1, 0, 0, 0]


def test_records_to_recall():
    assert records_to_recall(ORDER, 0.5) == 2  # ceil(0.5*4) = 2 relevant
    assert records_to_recall(ORDER, 0.75) == 4
    assert records_to_recall(ORDER, 0.95) == 7  # ceil(3.8) = 4 relevant
    assert records_to_recall(ORDER, 1.0) == 7


def test_wss_hand_computed():
    # WSS@95 = (N - k)/N - (1 - 0.95) = (10 - 7)/10 - 0.05 = 0.25
    assert wss(ORDER, 0.95) == pytest.approx(0.25)
    assert wss(ORDER, 1.0) == pytest.approx(0.3)
    # perfect order on 100 records with 5 relevant: (100-5)/100 - 0.05 = 0.90
    assert wss([1] * 5 + [0] * 95, 0.95) == pytest.approx(0.90)


def test_partial_sequence_uses_n_total():
    # stopped after the last relevant (position 7) of a 20-record dataset
    assert wss(ORDER[:7], 1.0, n_total=20) == pytest.approx(13 / 20)


def test_recall_at_fraction():
    assert recall_at(ORDER, 0.10) == pytest.approx(0.25)  # first record
    assert recall_at(ORDER, 0.20) == pytest.approx(0.5)
    assert recall_at(ORDER, 0.25) == pytest.approx(0.5)  # ceil(2.5) = 3 records
    assert recall_at(ORDER, 0.40) == pytest.approx(0.75)


def test_time_to_discovery_excludes_priors():
    assert time_to_discovery(ORDER, n_priors=2).tolist() == [4, 7]
    summary = summarise(ORDER, n_priors=2)
    assert summary["atd"] == pytest.approx(5.5)
    assert summary["atd_fraction"] == pytest.approx(0.55)
    assert summary["records_to_95%"] == 7 and summary["records_to_100%"] == 7
    assert summary["wss@95"] == pytest.approx(0.25)
    assert summary["recall@10%"] == pytest.approx(0.25)


def test_recall_curve_extends_to_n_total():
    curve = recall_curve(ORDER[:7], n_total=12)
    assert len(curve) == 12 and curve[-1] == 1.0 and curve[0] == 0.25


def test_no_relevant_is_an_error():
    with pytest.raises(ValueError):
        wss([0, 0, 0])
