"""Publishers' notices at the end of abstracts: found where exports write them, never in a study's words."""

from __future__ import annotations

import re

import pytest
from tests.support import shared_path

from logicmap.api import Review
from logicmap.records.notices import notice_start

BODY = "Participants reported greater hope at follow-up."


@pytest.mark.parametrize("notice", [
    "© 2019 Elsevier Ltd. All rights reserved.",
    "(C) 2014 Elsevier B.V. All rights reserved.",
    "(PsycINFO Database Record (c) 2019 APA, all rights reserved)",
    "(PsycInfo Database Record (c) 2024 APA, all rights reserved).",
    "Copyright © 2015 John Wiley & Sons Ltd.",
    "Copyright: © 2018 Tremblay et al. This is an open access article distributed under the terms of the CC BY licence.",
    "Crown Copyright (C) 2012 Published by Elsevier Inc. All rights reserved.",
    "Copyright of Historical Biology is the property of Taylor & Francis Ltd and its content may not be copied.",
    "[Copyright &y& Elsevier]",
    "(copyright) 2010 American Psychological Association.",
    "(©) RSNA, 2016.",
    "This article is protected by copyright. All rights reserved.",
    "(C) 2013 Veterinary Radiology & Ultrasound.",
    "2020 Elsevier B.V. All rights reserved.",
    "[ABSTRACT FROM AUTHOR] Copyright of BMC Biology is the property of BioMed Central.",
])
def test_a_closing_notice_is_found_and_the_study_text_kept(notice):
    text = f"{BODY} {notice}"
    assert text[: notice_start(text)] == BODY


@pytest.mark.parametrize("text", [
    "Groups were (a) peers, (b) staff and (c) 2010 carers. Results held.",
    "Copyright law limits what peers may share. Staff were trained.",
    "Copyright © 2019 Elsevier. Background: the notice opens this text.",
    BODY,
    "",
])
def test_a_study_s_own_words_are_no_notice(text):
    assert notice_start(text) == len(text)


def test_only_the_last_600_characters_are_read():
    text = "© 2019 Elsevier. " + "Peers helped. " * 50
    assert notice_start(text) == len(text)


@pytest.mark.parametrize("relative, at_least", [
    ("formats/csv/cff-scopus.csv", 10),
    ("formats/ris/citesource-ebsco_envindex_100.ris", 90),
    ("formats/medline/synthesisr-res_synth_methods.txt", 1),
    ("formats/bibtex/asysd-zotero_export.bib", 80),
])
def test_real_exports_notices_are_cut_and_nothing_else(tmp_path, relative, at_least):
    review = Review.create(f"sqlite:///{tmp_path / 'p.db'}")
    review.records.import_files([shared_path(relative)], skip_bad=True)
    notice_word = re.compile(r"©|\(c\)|copyright|rights reserved|published by|abstract from", re.I)
    cut = 0
    for _, record in review.records.iter():
        text = record.abstract or ""
        at = notice_start(text)
        if at < len(text):
            cut += 1
            assert notice_word.search(text[at:]), (relative, text[at:])
            assert len(text) - at <= 600
        assert not re.search(r"(©|rights reserved\.?|APA, all rights reserved\))\s*$", text[:at], re.I), (relative, text[-200:])
    assert cut >= at_least
