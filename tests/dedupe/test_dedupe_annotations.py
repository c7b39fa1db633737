"""Database notes, translated titles, journal alternatives and page lists (issue 15 item 5).

The examples are real records of bib-dedupe's labelled cytology and
respiratory libraries (the tuning sets), which a plain run missed before.
"""

from __future__ import annotations

from dedupe_helpers import rec

from logicmap.dedupe.annotations import bilingual_parts, journal_alternatives, page_ranges, strip_database_notes
from logicmap.dedupe.engine import DedupeSettings, InProcessEngine
from logicmap.dedupe.keys import dedupe_keys, fold, page_keys, strip_title, title_kind
from logicmap.dedupe.citation import journals_agree
from logicmap.dedupe.scoring import compare
from logicmap.records.record import Record

CERVIX = "Cervical cancer risk for women undergoing concurrent testing for human papillomavirus and cervical cytology"


def test_medline_notes_on_the_original_article_are_removed():
    assert strip_database_notes("HPV testing after treatment of CIN 3: a meta-analysis. [Review] [45 refs]") == (
        "HPV testing after treatment of CIN 3: a meta-analysis"
    )
    assert strip_database_notes("Gefitinib in pleural effusion [abstract no: 1667]") == "Gefitinib in pleural effusion"
    assert strip_database_notes("HPV testing after treatment of CIN 3 (Provisional abstract)") == (
        "HPV testing after treatment of CIN 3"
    )
    # the closing bracket cut off by a field-length limit, and a nested bracket
    assert strip_database_notes(f"{CERVIX}.[Erratum appears in Lancet Oncol. 201") == CERVIX
    assert strip_title(
        "Timing of chest tube removal after coronary artery bypass surgery.[Erratum appears in J Card Surg. "
        "2011 Mar;26(2):244 Note: Yeshaaiahu, Michal [corrected to Yeshayahu, Michal]]"
    ) == "Timing of chest tube removal after coronary artery bypass surgery"
    assert strip_title('"[A new paracentesis needle for ascites and pleural effusion]"') == (
        "A new paracentesis needle for ascites and pleural effusion"
    )


def test_notes_that_make_a_record_a_notice_stay_and_keep_its_kind():
    erratum = strip_title(f"Incorrect figure. [Erratum for: Katki HA. {CERVIX}. Lancet Oncol 2011]")
    assert title_kind(fold(erratum)) == "erratum"
    assert title_kind(fold(strip_title("Notice. [Retraction of: Smith J. Stem cells in heart failure]"))) == (
        "retraction"
    )
    assert title_kind(fold(strip_title("Screening intervals. [Comment on: Katki HA. Lancet Oncol 2011]"))) == (
        "comment"
    )
    # a translated title that happens to start with a note word is not emptied
    assert strip_title("[Update on the treatment of hypertension]") == "Update on the treatment of hypertension"


def test_original_language_titles_in_capitals_or_after_to_are_removed():
    assert strip_title(
        "Antibiotic and antiseptic prophylaxis in thoracic surgery. A randomized study. "
        "PROPHYLAXIE ANTIBIOTIQUE ET ANTISEPTIQUE EN CHIRURGIE THORACIQUE. ETUDE CONTROLEE"
    ) == "Antibiotic and antiseptic prophylaxis in thoracic surgery. A randomized study"
    assert strip_title("[Incentive spirometry brings benefits after revascularization] TO: Espirometria incentivada") == (
        "Incentive spirometry brings benefits after revascularization"
    )
    # a short capital tail is part of the title
    assert strip_title("Effects of drug X in the UK. THE EPIC STUDY") == "Effects of drug X in the UK. THE EPIC STUDY"


def test_bilingual_title_matches_its_english_half():
    spanish = (
        "Utilidad de los antimicrobianos en la toracostomia cerrada por trauma; "
        "Are antimicrobials useful in closed thoracostomy due to trauma?"
    )
    assert len(bilingual_parts(spanish)) == 2
    assert bilingual_parts("Diabetes; a review") == ()
    common = dict(authors=["Villegas-Carlos, F.", "Vazquez-Martinez, A. M."], year=2009, volume="77", pages="29-32")
    a = rec(1, title=spanish, journal="Cir Cir", **common)
    b = rec(2, title="[Are antimicrobials useful in closed thoracostomy due to trauma?]", journal="Cirugia y cirujanos", **common)
    comparison = compare(dedupe_keys(a), dedupe_keys(b))
    assert comparison.score >= DedupeSettings().merge_at, comparison.agreements


def test_journal_alternatives_and_abbreviations():
    assert journal_alternatives("Ai zheng = Aizheng = Chinese journal of cancer") == (
        "Ai zheng", "Aizheng", "Chinese journal of cancer")  # fmt: skip
    assert journal_alternatives("PLoS ONE [Electronic Resource]") == ("PLoS ONE",)
    assert journal_alternatives("Revista Panamericana de Salud Publica/Pan American Journal of Public Health") == (
        "Revista Panamericana de Salud Publica", "Pan American Journal of Public Health")  # fmt: skip
    assert journal_alternatives("Journal of Neurology/Neurosurgery") == ("Journal of Neurology/Neurosurgery",)
    k = lambda journal: dedupe_keys(rec(journal=journal)).journal  # noqa: E731
    assert journals_agree(k("Dtsch-Med-Wochenschr"), k("Deutsche Medizinische Wochenschrift"))
    assert journals_agree(k("Cir Cir"), k("Cirugia y Cirujanos"))
    assert not journals_agree(k("J Clin Oncol"), k("J Clin Endocrinol"))
    assert not journals_agree(k("Ann Surg"), k("Annals of Surgical Oncology"))
    a = dedupe_keys(rec(title=CERVIX, journal="Pan American Journal of Public Health"))
    b = dedupe_keys(rec(title=CERVIX, journal="Revista Panamericana de Salud Publica/Pan American Journal of Public Health"))
    assert compare(a, b).agreements["journal"] == "agree"


def test_page_lists_and_lost_supplement_pages():
    assert page_ranges('"230-5, 246-51, 233-8"') == ["230-5", "246-51", "233-8"]
    assert page_ranges("Suppl-29") == []
    assert page_keys("Suppl-29") == ("", "", False)
    a = dedupe_keys(rec(title=CERVIX, pages="233-238+230-235+246-251"))
    b = dedupe_keys(rec(title=CERVIX, pages='"230-5, 246-51, 233-8"'))
    assert compare(a, b).agreements["pages"] == "agree"


def test_family_names_with_a_particle_are_close():
    a = dedupe_keys(rec(title=CERVIX, authors=["Abdel Aziz, A. M.", "El-Khayat, H. R."]))
    b = dedupe_keys(rec(title=CERVIX, authors=["Aziz, A. M.", "El-Khayat, H. R."]))
    assert compare(a, b).agreements["authors"].startswith("first close")


def _ovid(position: int, title: str, **changes) -> Record:
    values = dict(
        authors=["Katki, H A", "Kinney, W K", "Fetterman, B"], year=2011, journal="The Lancet Oncology",
        volume="12", pages="663-672",
    )  # fmt: skip
    return Record(position=position, title=title, **{**values, **changes})


def test_article_with_erratum_note_merges_but_the_erratum_notice_does_not():
    records = [
        _ovid(0, f"{CERVIX}: A population-based study in routine clinical practice"),
        _ovid(1, f"{CERVIX}: a population-based study in routine clinical practice.[Erratum appears in Lancet "
              "Oncol. 2011 Aug;12(8):722]", journal="Lancet Oncology"),  # fmt: skip
        _ovid(2, f"Erratum: {CERVIX}: a population-based study in routine clinical practice", pages="722",
              authors=[]),  # fmt: skip
        _ovid(3, f"{CERVIX}: a population-based study in routine clinical practice. [Review] [31 refs]"),
    ]
    result = InProcessEngine().find_duplicates(records, settings=DedupeSettings())
    assert result.clusters == [[0, 1, 3]]


def test_html_entities_and_doi_variants_give_the_same_keys():
    plain = dedupe_keys(rec(title="Effects of β-blockers & statins", journal="Obstetrical & Gynecological Survey"))
    escaped = dedupe_keys(
        rec(title="Effects of &beta;-blockers &amp; statins", journal="Obstetrical &amp; Gynecological Survey")
    )
    assert (plain.compact, plain.journal) == (escaped.compact, escaped.journal)
    dois = ["https://doi.org/10.1000/ABC.1", "doi: 10.1000/abc.1.", "http://dx.doi.org/10.1000%2Fabc.1", "10.1000/abc.1 [doi]"]
    assert {dedupe_keys(rec(doi=d)).doi for d in dois} == {"10.1000/abc.1"}


def _train(position: int, title: str, **changes) -> Record:
    values = dict(
        authors=["Train, M.", "Soulard, D.", "Bouyer, L."], year=1994, journal="Ann Fr Anesth Reanim",
        volume="13", pages="280-284",
    )  # fmt: skip
    return Record(position=position, title=title, **{**values, **changes})


def test_translated_titles_of_one_citation_merge_and_other_citations_do_not():
    english = "Antibiotic prophylaxis in pulmonary surgery. A controlled double- blind study of amoxicillin versus cefamandole"
    medline = (
        "[Comparison of amoxicillin and cefamandole in the prevention of bronchopulmonary infections in "
        "pulmonary surgery. A randomized double-blind study]"
    )
    assert dedupe_keys(_train(0, medline)).translated and not dedupe_keys(_train(0, english)).translated
    assert dedupe_keys(_train(0, english, language="French")).translated
    settings = DedupeSettings()
    same = compare(dedupe_keys(_train(0, english)), dedupe_keys(_train(1, medline, journal="Annales Francaises d Anesthesie et de Reanimation")))
    assert same.score >= settings.merge_at, same.agreements
    other_page = compare(dedupe_keys(_train(0, english)), dedupe_keys(_train(1, medline, pages="301-305")))
    assert other_page.score < settings.review_from, other_page.agreements
    # neither title translated: different titles stay different even at the same citation
    plain = compare(dedupe_keys(_train(0, english)), dedupe_keys(_train(1, medline.strip("[]"))))
    assert plain.score < settings.review_from, plain.agreements


def test_a_number_typo_at_the_same_journal_volume_and_page_is_no_reason_to_doubt():
    common = dict(authors=["Guedes, A C", "Brenna, S M"], year=2007, journal="Int J Gynecol Cancer", volume="17")
    typo = rec(1, title="p6INK4a Expression does not predict the outcome of cervical intraepithelial neoplasia grade 2",
               pages="1099-1103", **common)  # fmt: skip
    right = rec(2, title="p16(INK4a) Expression does not predict the outcome of cervical intraepithelial neoplasia grade 2",
                pages="1099-1103", **common)  # fmt: skip
    assert compare(dedupe_keys(typo), dedupe_keys(right)).score >= DedupeSettings().merge_at
    follow_up = rec(3, title="p16(INK4a) Expression does not predict the outcome of cervical intraepithelial neoplasia grade 3",
                    pages="1204-1210", **common)  # fmt: skip
    comparison = compare(dedupe_keys(right), dedupe_keys(follow_up))
    assert comparison.score <= 0.6 and any(g.startswith("numbers") for g in comparison.guards)


def test_first_pages_a_few_apart_are_a_slip_in_articles_but_not_in_supplements():
    common = dict(title="Phase I trial of ATRA-IV and depakote in patients with advanced solid tumor malignancies",
                  authors=["David, K. A.", "Mongan, N. P."], year=2010, journal="Cancer Biol Ther", volume="9")  # fmt: skip
    a, b = dedupe_keys(rec(1, pages="678-684", **common)), dedupe_keys(rec(2, pages="676-682", **common))
    assert compare(a, b).agreements["pages"] == "near: 678 vs 676"
    assert compare(a, b).score >= DedupeSettings().merge_at
    far = dedupe_keys(rec(3, pages="778-784", **common))
    assert compare(a, far).agreements["pages"].startswith("differ")
    s1, s2 = dedupe_keys(rec(1, pages="S354", **common)), dedupe_keys(rec(2, pages="S355", **common))
    assert compare(s1, s2).agreements["pages"].startswith("differ")


def test_page_prefixes_and_dashes_do_not_hide_the_first_page():
    for pages in ("pp. 221-228", "p. 221", "221\u2013228", "Pages 221-228", "pp 221-8"):
        assert page_keys(pages)[:2] == ("221", "221"), pages
    assert page_keys("p. A549")[:2] == ("a549", "549")
    assert page_keys("P12-3")[:2] == ("p12", "12")  # a poster number keeps its letter


def test_family_and_given_name_swapped_as_in_cjk_exports():
    title = "Exenatide protects against atherosclerosis in diabetic apolipoprotein E knockout mice"
    swapped = dedupe_keys(rec(1, title=title, authors=["Wei, Zhang", "Ming, Li", "Hua, Wang"], year=2015))
    usual = dedupe_keys(rec(2, title=title, authors=["Zhang, W.", "Li, M.", "Wang, H."], year=2015))
    assert compare(swapped, usual).agreements["authors"] == "first swapped, overlap 1.00"
    other = dedupe_keys(rec(3, title=title, authors=["Chen, W.", "Liu, M.", "Zhao, H."], year=2015))
    assert compare(swapped, other).agreements["authors"].startswith("first differ")


def test_a_wrong_year_at_the_same_journal_volume_and_page_is_a_typo():
    common = dict(title=CERVIX, authors=["Katki, H A", "Kinney, W K"], journal="Lancet Oncol", pages="663-672")
    printed = dedupe_keys(rec(1, year=2011, volume="12", **common))
    typo = dedupe_keys(rec(2, year=2014, volume="12", **common))
    assert compare(printed, typo).score >= DedupeSettings().merge_at
    # another volume three years on: a different publication with the same title (an update)
    update = dedupe_keys(rec(3, year=2014, volume="15", **common))
    assert compare(printed, update).veto
