"""Key terms mean one thing everywhere: the coding matcher's evidence and the screening highlights."""

from __future__ import annotations

import pytest

from logicmap.codebook import load_codebook
from logicmap.coding.matcher import TermMatcher
from logicmap.coding.text import Sentence, is_acronym, mark_terms, quote_window, term_spans
from logicmap.review.screening import ScreeningCard

CB = load_codebook()


def test_terms_are_marked_whole_word_in_any_case_longest_first():
    assert mark_terms("Peer support and peer-run groups", ("peer", "peer-run")) == [
        ("Peer", True), (" support and ", False), ("peer-run", True), (" groups", False)]
    assert mark_terms("superpeers", ("peer",)) == [("superpeers", False)]
    assert mark_terms("", ("x",)) == [("", False)]
    assert mark_terms("no terms here", ()) == [("no terms here", False)]


def test_a_star_ending_matches_word_prefixes_and_stems_match_other_forms():
    text = "Symptoms fell and peer supporters helped; relapses were rare."
    marked = [piece for piece, key in mark_terms(text, ("symptom*", "peer supporter*", "relapse")) if key]
    assert marked == ["Symptoms", "peer supporters", "relapses"]


def test_acronyms_match_only_as_written():
    assert [is_acronym(w) for w in ("MOST", "CARe", "mHealth", "Rosenberg", "hope")] == [True, True, True, False, False]
    text = "Most care was usual. The MOST platform and the CARe methodology were used."
    assert [text[a:b] for a, b in term_spans(text, ("MOST", "CARe", "care"))] == ["care", "MOST", "CARe"]
    assert term_spans("most people", ("MOST",)) == []


def test_the_coding_matcher_takes_no_evidence_from_an_acronym_written_as_a_common_word():
    matcher = TermMatcher(CB)
    common = "Most participants received usual care."
    named = "Participants used the MOST platform."
    assert "T12" not in matcher.score_sentence(Sentence("abstract", 0, len(common), common))
    assert "T12" in matcher.score_sentence(Sentence("abstract", 0, len(named), named))


def test_a_screening_card_marks_its_title_and_abstract_and_refuses_other_fields():
    card = ScreeningCard(1, "Peer support for recovery", "Most care improved hope.", 2020, (), None,
                         ("peer support", "MOST", "hope"))
    assert card.marked("title") == [("Peer support", True), (" for recovery", False)]
    assert [piece for piece, key in card.marked("abstract") if key] == ["hope"]
    with pytest.raises(ValueError, match="title"):
        card.marked("journal")


def test_a_screening_card_opens_a_paragraph_at_each_structured_heading_and_loses_no_words():
    abstract = ("Purpose: The Joint Crisis Plan has grown. Methods: We interviewed 24 people. "
                "RESULTS Hope rose. Conclusion: Plans help. (C) 2020 Elsevier Ltd. All rights reserved.")
    card = ScreeningCard(1, "t", abstract, 2020, (), None, ("hope", "Joint Crisis Plan"))
    parts = card.paragraphs()
    assert [heading for heading, _ in parts] == ["Purpose:", "Methods:", "RESULTS", "Conclusion:"]
    assert [piece for _, pieces in parts for piece, key in pieces if key] == ["Joint Crisis Plan", "Hope"]
    text = " ".join(f"{heading} " + "".join(piece for piece, _ in pieces) for heading, pieces in parts)
    assert text == abstract  # only whitespace around the headings is dropped; the notice stays shown
    lead = ScreeningCard(1, "t", "Depression is common. Methods: A trial.", None, (), None, ())
    assert lead.paragraphs() == [("", [("Depression is common.", False)]), ("Methods:", [("A trial.", False)])]
    plain = ScreeningCard(1, "t", "We asked twelve people.", None, (), None, ())
    assert plain.paragraphs() == [("", [("We asked twelve people.", False)])]


def test_a_codebook_without_term_lists_highlights_its_codes_own_words(tmp_path):
    from dataclasses import replace

    from logicmap.api import Review

    bare = replace(CB, codes=tuple(replace(c, terms=()) for c in CB.codes))
    with Review.create(tmp_path / "p.db", codebook=bare) as review:
        terms = review.screening.key_terms()
    assert terms and "Hope" in terms  # a code's label
    card = ScreeningCard(1, "Hope after psychosis", "", None, (), None, terms)
    assert card.marked("title")[0] == ("Hope", True)


def test_a_long_quote_is_cut_at_a_word_without_dangling_punctuation():
    text = ("Assessments were conducted at baseline, 6 and 12 months and covered symptoms, quality of life, "
            "hospitalization, employment and housing.")
    start, end = quote_window(text, 0, len(text), limit=100)
    assert text[start:end] == "Assessments were conducted at baseline, 6 and 12 months and covered symptoms, quality of life"
    assert quote_window(text, 0, len(text), limit=500) == (0, len(text))
    start, end = quote_window("word " * 30 + "(see [1]", 0, 158, limit=155)
    assert not ("word " * 30 + "(see [1]")[start:end].endswith((" ", "("))


def test_a_long_sentence_is_quoted_where_the_codes_words_are():
    """The window moves to the clause naming the code when the code's key term lies past its end."""
    text = ("Analyses indicated that participants in outpatient sites improved significantly more over time in "
            "self-stigma compared to the supportive group, and those who attended more sessions improved "
            "significantly more in hopelessness and narrative insight than other participants.")
    anchor = text.index("hopelessness")
    start, end = quote_window(text, 0, len(text), limit=150)
    assert "hopelessness" not in text[start:end]  # from the sentence's start: the evidence is cut off
    start, end = quote_window(text, 0, len(text), limit=150, anchor=anchor)
    assert text[start:end].startswith("those who attended more sessions improved") and "hopelessness" in text[start:end]
    assert quote_window(text, 0, len(text), limit=150, anchor=10) == quote_window(text, 0, len(text), limit=150)
    # the window never runs into the next sentence (it did when the clause moved it close to the end)
    more = text + " Self-stigma fell in both groups."
    start, end = quote_window(more, 0, len(text), limit=150, anchor=anchor)
    assert more[start:end] == text[start:]


LONG = {"id": "r", "title": "A group intervention",
        "abstract": "Methods: A trial. Results: Participants in outpatient community sites who attended the weekly "
                    "group sessions over six months and completed every questionnaire at baseline, at three months, "
                    "at six months and at the end of the study, together with their key workers and families, "
                    "reported significantly less internalised self-stigma than those in the supportive group "
                    "condition at every follow-up."}


def test_suggestions_quote_the_part_of_a_long_sentence_that_names_the_code():
    from logicmap.codebook import load_codebook
    from logicmap.coding.suggest import suggest

    got = [s for s in suggest([LONG], load_codebook()) if s.code == "OS3"]
    assert got and "self-stigma" in got[0].quote, got
    assert LONG["abstract"][got[0].start:got[0].end] == got[0].quote
