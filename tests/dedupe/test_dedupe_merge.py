"""Merging a cluster: canonical choice, gap filling, provenance."""

from __future__ import annotations

import pytest
from dedupe_helpers import article, rec

from logicmap.dedupe.merge import MergedRecord, merge_cluster
from logicmap.records.record import Provenance, Record


def test_prefers_record_with_doi_and_abstract_and_fills_gaps():
    sparse = rec(0, title="Intestinal lipoprotein overproduction", year=2008, pmid="18460911")
    full = article(1, issue=None)
    other = article(2, doi=None, abstract=None, issue="3")
    other.provenance["issue"] = Provenance("IS", 12, "3")
    merged = merge_cluster([sparse, full, other])
    assert isinstance(merged, MergedRecord) and isinstance(merged, Record)
    assert merged.canonical == 1
    assert merged.doi == full.doi and merged.title == full.title
    assert merged.pmid == "18460911" and merged.filled_from["pmid"] == 0
    assert merged.issue == "3" and merged.filled_from["issue"] == 2
    assert merged.provenance["issue"].tag == "IS"
    assert "title" not in merged.filled_from


def test_inputs_are_not_modified_and_singletons_merge_to_themselves():
    only = article(0)
    merged = merge_cluster([only])
    assert merged.canonical == 0 and merged.filled_from == {}
    merged.authors.append("X, Y")
    assert only.authors == ["Adeli, K.", "Lewis, G. F."]


def test_empty_cluster_is_an_error():
    with pytest.raises(ValueError):
        merge_cluster([])
