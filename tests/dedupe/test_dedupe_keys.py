"""Comparison keys: cleaning rules for titles, identifiers, venues and authors."""

from __future__ import annotations

from dedupe_helpers import article, rec

from logicmap.dedupe.keys import (
    dedupe_keys,
    fold,
    journal_tokens,
    normalise_doi_key,
    page_keys,
    strip_title,
    title_kind,
    title_part,
)


def test_fold_casefolds_strips_accents_and_punctuation():
    assert fold("Équipe: Ñandú, (Москва) α-Synuclein!") == "equipe nandu москва alpha synuclein"


def test_language_suffix_markup_and_brackets_are_removed():
    assert strip_title("[Comparative characteristics of models in rats] [Russian]") == (
        "Comparative characteristics of models in rats"
    )
    assert strip_title("Effects in ApoE<sup>-/-</sup> mice") == "Effects in ApoE-/- mice"
    assert strip_title("Heart failure (author's transl)") == "Heart failure"
    # an ordinary parenthesis at the end of a title stays
    assert strip_title("Effect of drug X (a randomised trial)") == "Effect of drug X (a randomised trial)"


def test_markup_split_words_compare_equal():
    a = dedupe_keys(rec(title="Exenatide inhibits the K<inf>Ca</inf>3.1 channels"))
    b = dedupe_keys(rec(title="Exenatide inhibits the K Ca 3.1 channels"))
    c = dedupe_keys(rec(title="Exenatide Inhibits the KCa3.1 Channels."))
    assert a.compact == b.compact == c.compact


def test_url_encoded_doi_is_decoded():
    assert normalise_doi_key("10.1016/s0735-1097%2810%2961639-0") == "10.1016/s0735-1097(10)61639-0"
    assert normalise_doi_key(None) == ""


def test_kinds_and_parts():
    assert title_kind(fold("Erratum: Intestinal lipoprotein overproduction")) == "erratum"
    assert title_kind(fold("Correction to: Intestinal lipoprotein")) == "erratum"
    assert title_kind(fold("Retraction notice to Intestinal lipoprotein")) == "retraction"
    assert title_kind(fold("Reply to comment on Intestinal lipoprotein")) == "reply"
    assert title_kind(fold("Comment on: intestinal lipoprotein overproduction")) == "comment"
    assert title_kind(fold("Pneumonia in two spaniels (vol 39, pg 2, 2009)")) == "erratum"
    assert title_kind(fold("Intestinal lipoprotein overproduction")) == ""
    assert title_part(fold("Diabetes and the heart. Part 2: mechanisms")) == "2"
    assert title_part(fold("Diabetes and the heart, part II")) == "2"
    assert title_part(fold("Incretins and the vascular wall II")) == "2"
    assert title_part(fold("Incretins and the vascular wall")) == ""


def test_journal_tokens_drop_stopwords_parentheses_and_conference_tail():
    assert journal_tokens("Nutr Metab (Lond)") == ("nutr", "metab")
    assert journal_tokens("Circulation. Conference: American Heart Association") == ("circulation",)
    assert journal_tokens("Journal of the American College of Cardiology") == (
        "journal", "american", "college", "cardiology")  # fmt: skip


def test_page_keys_spot_excel_mangled_pages():
    assert page_keys("221-8") == ("221", "221", False)
    assert page_keys("e0137960") == ("e0137960", "137960", False)
    assert page_keys("A175.E1638") == ("a175", "175", False)
    assert page_keys("11-Sep") == ("", "", True)
    assert page_keys("Nov-19") == ("", "", True)
    assert page_keys("no pagination") == ("", "", False)


def test_keys_of_reference_article():
    k = dedupe_keys(article())
    assert k.first_author == "adeli"
    assert k.authors == frozenset({"adeli", "lewis"})
    assert (k.year, k.volume, k.issue, k.first_page) == (2008, "19", "3", "221")
    assert k.doi == "10.1097/mol.0b013e3282ffaf82"
    assert not k.conference


def test_empty_record_has_empty_keys():
    k = dedupe_keys(rec())
    assert (k.title, k.compact, k.first_author, k.doi, k.year) == ("", "", "", "", None)


def test_conference_detection():
    assert dedupe_keys(rec(title="x", journal="Diabetologia", pages="S354")).conference
    assert dedupe_keys(rec(title="x", journal="Circulation. Conference: AHA")).conference
    assert not dedupe_keys(rec(title="x", journal="PLoS One", pages="e0137960")).conference
