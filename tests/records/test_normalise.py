"""Normalisers: examples from real exports and hypothesis properties."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from logicmap.records.normalise import (
    clean_text,
    clean_title,
    normalise_author,
    normalise_authors,
    normalise_doi,
    normalise_issn,
    normalise_keywords,
    normalise_pages,
    normalise_pmid,
    normalise_year,
)


@pytest.mark.parametrize(
    "raw, expected",
    [
        ("10.1176/APPI.PS.201100125", "10.1176/appi.ps.201100125"),
        ("https://doi.org/10.1002/cpp.2345", "10.1002/cpp.2345"),
        ("http://dx.doi.org/10.1016/j.cpr.2020.101815.", "10.1016/j.cpr.2020.101815"),
        ("doi: 10.1093/schbul/sbz001", "10.1093/schbul/sbz001"),
        ("DOI 10.1186/s12888-019-2057-5 [doi]", "10.1186/s12888-019-2057-5"),
        ("not a doi", None),
        ("", None),
    ],
)
def test_doi(raw, expected):
    assert normalise_doi(raw) == expected


@pytest.mark.parametrize(
    "raw, expected",
    [
        ("Cook, Judith A.", "Cook, Judith A."),
        ("Cook JA", "Cook, JA"),
        ("Judith A. Cook", "Cook, Judith A."),
        ("Brownstein C D", "Brownstein, C D"),
        ("Ludwig van Beethoven", "van Beethoven, Ludwig"),
        ("Stillman, Andrew N. (andrew.stillman@uconn.edu)", "Stillman, Andrew N."),
        ("World Health Organization", "World Health Organization"),
        ("Madonna", "Madonna"),
    ],
)
def test_author(raw, expected):
    assert normalise_author(raw) == expected


def test_authors_split_on_semicolons_and_drop_empty():
    assert normalise_authors("Last, First; Other, Second; ") == ["Last, First", "Other, Second"]
    assert normalise_authors(None) == []


@pytest.mark.parametrize(
    "raw, expected",
    [("2019//", 2019), ("2012 Jun 15", 2012), ("Published 1998", 1998), (2004, 2004), (2004.0, 2004), ("n.d.", None), ("12345", None)],
)
def test_year(raw, expected):
    assert normalise_year(raw) == expected


def test_text_cleaning_removes_tags_not_comparisons():
    assert clean_text("<jats:p>Recovery &amp; <i>hope</i></jats:p>") == "Recovery & hope"
    assert clean_text("p < 0.05 and x > 3") == "p < 0.05 and x > 3"
    assert clean_text("  line one\n   line two\t") == "line one line two"
    assert clean_title("A trial of WRAP.") == "A trial of WRAP"


def test_other_fields():
    assert normalise_pmid("PMID: 00123 [pmid]") == "123"
    assert normalise_pages("12 \u2013 19") == "12-19"
    assert normalise_issn("0964-6906 (Print)0964-6906") == "0964-6906"
    assert normalise_keywords(["recovery; peer support", "recovery"]) == ["recovery", "peer support"]


text_values = st.text(st.characters(blacklist_categories=("Cs",)), max_size=80)


@given(text_values)
def test_clean_text_is_idempotent(value):
    once = clean_text(value)
    assert clean_text(once) == once


@given(text_values)
def test_title_is_idempotent(value):
    once = clean_title(value)
    assert clean_title(once) == once


@given(text_values)
def test_doi_is_idempotent_and_lower_case(value):
    once = normalise_doi("10.1000/" + value)
    if once is not None:
        assert once == once.lower()
        assert normalise_doi(once) == once


@given(st.lists(text_values, max_size=5))
def test_authors_are_idempotent(values):
    once = normalise_authors(values)
    assert normalise_authors(once) == once
    assert all(name.strip() == name and name for name in once)


@given(st.one_of(st.integers(), text_values))
def test_year_is_int_in_range_or_none(value):
    year = normalise_year(value)
    assert year is None or (isinstance(year, int) and 1500 <= year <= 2099)
