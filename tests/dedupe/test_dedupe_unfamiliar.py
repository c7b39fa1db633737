"""Hard cases from libraries the engine was not first written for (issue 15 item 5).

Every pair below is a real pair of records from bib-dedupe's labelled
"haematology", "respiratory" and "digital_work" sets (CoLRev-Environment/bib-dedupe at
c66515a6537c, data/<set>/records_pre_merged.csv, MIT licence; the record id is
in each comment), reduced to the fields that matter. All three are tuning sets
of benchmarks/dedupe_quality.py.
"""

from __future__ import annotations

from dedupe_helpers import rec

from logicmap.dedupe.annotations import split_citation_notice
from logicmap.dedupe.engine import DedupeSettings
from logicmap.dedupe.keys import dedupe_keys, last_page, title_kind
from logicmap.dedupe.scoring import compare

DECIDE = DedupeSettings().decide
NEJM = dict(journal="New England Journal of Medicine", year=2009)


def score(a, b):
    return compare(dedupe_keys(a), dedupe_keys(b))


def test_a_reply_named_after_the_letter_never_merges_with_the_letter():
    # haematology id_0000180 / id_0001126: same journal, volume, issue and page
    letter = rec(1, title="Thrombomodulin in atypical hemolytic-uremic syndrome", authors=["Edey, M. M."],
                 volume="361", issue="15", pages="1511-1511", **NEJM)
    reply = rec(2, title="Thrombomodulin in Atypical Hemolytic-Uremic Syndrome AUTHORS REPLY",
                authors=["Esmon, C. T.", "Esmon, N. L.", "Conway, E. M."], volume="361", issue="15",
                pages="1511-1511", **NEJM)
    c = score(letter, reply)
    assert c.veto and "kind: article vs reply" in c.guards
    assert title_kind("atypical hemolytic uremic syndrome associated with group a streptococcus reply") == "reply"
    assert title_kind("dose response of eculizumab") == ""


def test_embase_and_web_of_science_corrections_are_errata_that_merge_with_each_other_only():
    # haematology id_0000057 (Embase) / id_0000058 (Web of Science) / id_0000063 (the article)
    embase = rec(1, title="Eculizumab for atypical hemolytic-uremic syndrome (New England Journal of Medicine "
                 "(2009) 360 (542-544))", authors=["Philipp, T."], volume="360", issue="23", pages="2487-2487", **NEJM)
    wos = rec(2, title="Eculizumab for Atypical Hemolytic-Uremic Syndrome (vol 360, pg 542, 2009)",
              authors=["Philipp, T."], volume="360", issue="23", pages="2487-2487", **NEJM)
    paper = rec(3, title="Eculizumab for Atypical Hemolytic\u2013Uremic Syndrome",
                authors=["N\u00fcrnberger, Jens", "Philipp, Thomas"], volume="360", issue="5", pages="542-544", **NEJM)
    assert dedupe_keys(embase).kind == dedupe_keys(wos).kind == "erratum"
    assert DECIDE(score(embase, wos).score) == "duplicate"
    assert score(embase, paper).veto and score(wos, paper).veto
    assert split_citation_notice("Outcomes in type 2 diabetes (UKPDS 33)") == ("Outcomes in type 2 diabetes (UKPDS 33)", False)
    assert split_citation_notice("Mortality in Europe (1990-2010)")[1] is False


def test_a_heading_or_lead_in_before_the_title_at_the_same_place_is_the_same_article():
    # haematology id_0000072 / id_0000073 and id_0000930 / id_0001237
    plain = rec(1, title="Atypical hemolytic-uremic syndrome", authors=["Noris, M.", "Remuzzi, G."], volume="361",
                issue="17", pages="1676-1687", **NEJM)
    headed = rec(2, title="MEDICAL PROGRESS Atypical Hemolytic-Uremic Syndrome", authors=["Noris, M.", "Remuzzi, G."],
                 volume="361", issue="17", pages="1676-1687", **NEJM)
    assert DECIDE(score(plain, headed).score) == "duplicate"
    short = rec(3, title="Can liver-kidney transplantation cure aHUS?", authors=["Il Cheong, H."], year=2009,
                journal="Nature Reviews Nephrology", volume="5", issue="10", pages="556-557")
    lead_in = rec(4, title="Trombotic microangiopathy: can liver-kidney transplantation cure aHUS?",
                  authors=["Cheong, H. I."], year=2009, journal="Nature Reviews Nephrology", volume="5", issue="10",
                  pages="556-557")
    c = score(short, lead_in)
    assert DECIDE(c.score) == "duplicate" and "one inside the other" in c.agreements["title"]


def test_a_title_inside_another_elsewhere_is_no_evidence():
    general = rec(1, title="Atypical hemolytic-uremic syndrome", authors=["Noris, M."], volume="361", pages="1676-1687",
                  **NEJM)
    other = rec(2, title="Eculizumab in children with atypical hemolytic-uremic syndrome", authors=["Noris, M."],
                volume="361", pages="1800-1805", **NEJM)
    assert DECIDE(score(general, other).score) == "distinct"


def test_the_meeting_named_in_the_journal_field_is_another_name_of_the_venue():
    # haematology id_0000167 / id_0000168: Embase's "Journal.Conference: meeting" vs the meeting alone
    title = ("Eculizumab (ECU) therapy for atypical hemolytic uremic syndrome (AHUS) in pediatric patients: "
             "Efficacy and safety outcomes from a retrospective study")
    authors = ["Gruppo, R.", "Rodig, N.", "Vilalta, R."]
    meeting = "23rd Congress of the International Society on Thrombosis and Haemostasis 57th Annual SSC Meeting Kyoto Japan."
    a = rec(1, title=title, authors=authors, year=2011, volume="9",
            journal=f"Journal of Thrombosis and Haemostasis.Conference: {meeting}")
    b = rec(2, title=title, authors=authors, year=2011, volume="9", journal=meeting)
    c = score(a, b)
    assert c.agreements["journal"] == "agree" and DECIDE(c.score) == "duplicate"


def test_a_translated_title_in_a_journal_supplement_with_the_same_page_range_merges():
    # haematology id_0000229 / id_0000231 (the issue "SUPPL" made both look like meeting abstracts)
    a = rec(1, title="Indications and contraindications for living kidney donations. [Spanish]", authors=["Andres, A."],
            year=2010, journal="Nefrologia.", volume="30", issue="SUPPL", pages="30-38")
    b = rec(2, title="[Indications and contraindications of living-donor kidney transplantation]. [Spanish]",
            authors=["Andres, A."], year=2010, journal="Nefrologia", volume="30", issue="Suppl 2", pages="30-38")
    c = score(a, b)
    assert "translated; same citation" in c.agreements["title"] and DECIDE(c.score) == "duplicate"
    # two meeting abstracts on one supplement page are not the same citation
    one_page = rec(3, title="[Indications and contraindications of living-donor kidney transplantation]. [Spanish]",
                   authors=["Andres, A."], year=2010, journal="Nefrologia", volume="30", issue="Suppl 2", pages="30")
    a_page = rec(4, title="Indications and contraindications for living kidney donations. [Spanish]",
                 authors=["Andres, A."], year=2010, journal="Nefrologia", volume="30", issue="SUPPL", pages="30")
    assert "translated" not in score(a_page, one_page).agreements["title"]


def test_a_translation_at_the_same_citation_with_close_titles_merges():
    # respiratory id_0000611 / id_0000612 (the issue field of this set holds row numbers)
    a = rec(1, title="[Neoadjuvant chemotherapy and chemoradiotherapy in locally advanced stage IIIA and IIIB of "
            "non-small-cell bronchial carcinoma (the Essen concept)] NEOADJUVANTE CHEMOTHERAPIE UND CHEMORADIOT",
            authors=["Eberhardt, W."], year=1997, volume="86", issue="1012", pages="1647-1653",
            journal="Schweizerische Rundschau fur Medizin Praxis = Revue suisse de medecine Praxis")
    b = rec(2, title="Neoadjuvant chemotherapy and chemoradiotherapy in locally advanced stages IIIA and IIIB of "
            "non-small cell lung cancer (treatment protocol of Essen University Hospital). NEOADJUVANTE CHEMOTH",
            authors=["Eberhardt, W."], year=1997, volume="86", issue="1013", pages="1647-1653",
            journal="Schweizerische Rundschau Fur Medizin/Praxis")
    assert DECIDE(score(a, b).score) == "duplicate"


def test_two_copies_of_one_excel_mangled_page_field_agree():
    # respiratory id_0000785 / id_0000786: "1-8" became "01-Aug" in both exports
    a = rec(1, title="Empyema thoracis", authors=["Ahmed, A. E. H.", "Yacoub, T. E."], year=2010, volume="4",
            pages="01-Aug", journal="Clinical Medicine Insights: Circulatory, Respiratory and Pulmonary Medicine")
    b = rec(2, title="Empyema thoracis", authors=["Ahmed, A. E.", "Yacoub, T. E."], year=2010, volume="4",
            pages="01-Aug", journal="Clin Med Insights Circ Respir Pulm Med")
    c = score(a, b)
    assert c.agreements["pages"] == "agree" and DECIDE(c.score) == "duplicate"
    other = rec(3, title="Empyema thoracis", authors=["Ahmed, A. E."], year=2010, volume="4", pages="11-Sep",
                journal="Clin Med Insights Circ Respir Pulm Med")
    assert score(a, other).agreements["pages"] == "unreliable"


def test_last_page_is_written_out():
    assert last_page("221-8", "221") == "228"
    assert last_page("pp. 221\u2013228", "221") == "228"
    assert last_page("S33-38", "33") == "38"
    assert last_page("1746-1746", "1746") == last_page("e43268", "43268") == last_page("230-5, 246-51", "230") == ""


MISQ = dict(journal="MIS Quarterly", year=2003, volume="27", authors=["Weber, Ron"])


def test_a_recurring_column_in_two_issues_is_two_items():
    # digital_work id_0006034 / id_0006035: "Editor's Comments" of issues 2 and 3, both from page iii
    a = rec(1, title="Editor's Comments", issue="2", pages="iii-xi", **MISQ)
    b = rec(2, title="Editor's Comments", issue="3", pages="iii-xii", **MISQ)
    c = score(a, b)
    assert c.veto and "recurring column: issue 2 vs 3" in c.guards
    assert DECIDE(score(a, rec(3, title="Editor's Comments", issue="2", pages="iii-xi", **MISQ)).score) == "duplicate"


def test_a_title_in_german_at_the_same_citation_is_a_translation():
    # digital_work id_0002200 / id_0006791
    english = rec(1, title="Platform economy and crowdworking as challenges for the german model of industrial relations",
                  authors=["Greef, S.", "Schroeder, W.", "Sperling, H.J."], year=2020,
                  journal="Industrielle Beziehungen", volume="27", issue="2", pages="205-226")
    german = rec(2, title="Plattform\u00f6konomie und Crowdworking als Herausforderungen f\u00fcr das deutsche Modell "
                 "der Arbeitsbeziehungen", authors=["Greef, Samuel", "Schroeder, Wolfgang", "Sperling, Hans Joachim"],
                 year=2020, journal="Industrielle Beziehungen", volume="27", issue="2", pages="205-226")
    assert dedupe_keys(german).translated and not dedupe_keys(english).translated
    assert DECIDE(score(english, german).score) == "duplicate"


def test_a_dropped_subtitle_on_the_same_page_range_is_the_same_paper():
    # digital_work id_0005313 / id_0005314 (conference papers without journal or volume)
    a = rec(1, title="Infrastructure in the Wild", authors=["Soden, Robert", "Palen, Leysia"], year=2016,
            pages="2796-2807")
    b = rec(2, title="Infrastructure in the wild: What mapping in post-earthquake Nepal reveals about "
            "infrastructural emergence", authors=["Soden, R.", "Palen, L."], year=2016, pages="2796-2807")
    assert DECIDE(score(a, b).score) == "duplicate"
    elsewhere = rec(3, title=b.title, authors=["Soden, R.", "Palen, L."], year=2016, pages="1-12")
    assert DECIDE(score(a, elsewhere).score) == "distinct"


def test_a_journal_subtitle_and_a_year_written_as_volume_are_no_difference():
    # digital_work id_0006823 / id_0006824 and id_0002951 / id_0002952
    title = "Engels@200: Friedrich Engels and Digital Capitalism. How Relevant Are Engels's Works 200 Years After His Birth?"
    a = rec(1, title=title, authors=["Fuchs, C."], year=2020, volume="19", issue="1", pages="15-51",
            journal="tripleC: Communication, Capitalism & Critique. Open Access Journal for a Global Sustainable "
            "Information Society")
    b = rec(2, title=title, authors=["Fuchs, Christian"], year=2021, volume="19", issue="1, SI", pages="15-51",
            journal="Triplec-Communication Capitalism & Critique")
    assert score(a, b).agreements["journal"] == "agree" and DECIDE(score(a, b).score) == "duplicate"
    hbr = dict(journal="Harvard Business Review", year=2016, authors=["Kasriel, S."])
    c = score(rec(3, title="Upwork's CEO on how an introverted engineer learned to lead", volume="2016", **hbr),
              rec(4, title="How did it ... Upwork's CEO on how an introverted engineer learned to lead", volume="94", **hbr))
    assert c.agreements["volume"].endswith("(a year as volume)") and DECIDE(c.score) == "duplicate"


def test_the_same_authors_in_another_order_are_close():
    # digital_work id_0006666 / id_0006763
    a = rec(1, title="On Service Employers' Hiring Decisions in Online Labor Markets - A Perspective of Price and "
            "Quality Discovery", authors=["Hong, Yili", "Zheng, Alvin Zuyin"], year=2015)
    b = rec(2, title="On service employers' hiring decisions in online labor markets: A perspective of price and "
            "quality discovery", authors=["Zheng, A.Z.", "Hong, Y."], year=2015)
    c = score(a, b)
    assert c.agreements["authors"].startswith("first reordered") and DECIDE(c.score) == "duplicate"
