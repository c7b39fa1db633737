"""Coding on a real project: verified spans, full texts, dual coding, codebook edits (through the library API)."""

from __future__ import annotations

import pytest

from logicmap.api import Code, Review, rename_code
from logicmap.coding.fulltext import page_of
from logicmap.errors import CodingError, SpanError
from logicmap.coding.spans import EvidenceSpan
from tests.support import make_pdf

RIS = (
    "TY  - JOUR\nTI  - Peer support and hope in psychosis: a randomised trial\n"
    "AB  - Peer workers delivered weekly groups. Participants reported more hope and "
    "better social contact than controls.\nPY  - 2019\nER  - \n\n"
    "TY  - JOUR\nTI  - Supported employment for bipolar disorder\n"
    "AB  - Individual Placement and Support raised employment rates.\nPY  - 2020\nER  - \n"
)


@pytest.fixture
def review(project_location, tmp_path):
    (tmp_path / "s.ris").write_text(RIS)
    with Review.create(project_location) as review:
        review.records.import_files([tmp_path / "s.ris"])
        yield review


@pytest.fixture
def coding(review):
    return review.coding


def test_coding_with_quote_is_anchored_and_saved(coding):
    coding_id = coding.add(1, "T01", reviewer="ana", quote="Peer workers delivered weekly groups")
    (item,) = coding.items(reviewer="ana")
    assert item.span.field == "abstract" and item.span.start == 0
    assert coding.texts(1)["abstract"][item.span.start : item.span.end] == item.span.quote
    coding.add(1, "P5", reviewer="ana", quote="more hope", direction="benefit")
    assert coding.counts_by_kind() == {"typology": 1, "process": 1}
    coding.undo(coding_id)
    assert [i.code for i in coding.items()] == ["P5"]


def test_store_refuses_bad_spans_codes_and_directions(coding):
    with pytest.raises(SpanError, match="study 1, span abstract\\[0:10\\]"):
        coding.add(1, "T01", reviewer="a", span=EvidenceSpan("abstract", 0, 10, "not there!"))
    with pytest.raises(SpanError, match="is not in"):
        coding.add(1, "T01", reviewer="a", quote="words that are nowhere")
    with pytest.raises(CodingError, match="'T77' is not in the project's codebook"):
        coding.add(1, "T77", reviewer="a", quote="Peer workers")
    with pytest.raises(CodingError, match="direction 'great'"):
        coding.add(1, "OS1", reviewer="a", quote="social contact", direction="great")
    with pytest.raises(CodingError, match="no record 99"):
        coding.add(99, "T01", reviewer="a", quote="x")


def test_dual_coding_agreement_and_reconciliation(coding):
    for reviewer in ("ana", "ben"):
        coding.add(1, "T01", reviewer=reviewer, quote="Peer workers delivered weekly groups")
        coding.add(2, "T07", reviewer=reviewer, quote="Individual Placement and Support")
    coding.add(1, "P5", reviewer="ana", quote="more hope", direction="benefit")
    report = coding.agreement("ana", "ben")
    assert report.per_kind["typology"].percent == 1.0
    assert report.per_code["P5"].percent == pytest.approx(0.5)
    summary = coding.reconcile("ana", "ben", decisions={("1", "P5"): True}, decided_by="ana+ben")
    assert (summary.agreed, summary.resolved, summary.unresolved) == (2, 1, 0)
    final = sorted((r.record_id, r.code, r.kind) for r in coding.final())
    assert final == [(1, "P5", "reconciled"), (1, "T01", "reconciled"), (2, "T07", "reconciled")]
    assert len(coding.items(reviewer="ben")) == 2  # originals kept


def test_codebook_rename_carries_codes(review):
    review.coding.add(1, "T01", reviewer="ana", quote="Peer workers")
    codebook, mapping = rename_code(review.codebook.current(), "T01", "T01a")
    assert review.codebook.save(codebook, note="rename T01", mapping=mapping).carried == 1
    assert [i.code for i in review.coding.items()] == ["T01a"]
    assert "T01a" in review.codebook.current() and "T01" not in review.codebook.current()


def test_fulltext_pdf_html_and_text(coding, tmp_path):
    pdf = tmp_path / "paper.pdf"
    pdf.write_bytes(make_pdf(["Methods: weekly peer groups.", "Results: hope increased markedly."]))
    extracted = coding.attach(1, pdf)
    assert extracted.extractor == "pypdf" and [p for _, p in extracted.pages] == [1, 2]
    coding.add(1, "P5", reviewer="ana", quote="hope increased markedly", direction="benefit")
    (item,) = coding.items()
    assert item.span.field == "fulltext"
    assert page_of(extracted.pages, item.span.start) == 2
    html = tmp_path / "paper.html"
    html.write_text("<html><head><script>var x=1;</script></head><body><p>Employment rose to 40%.</p></body></html>")
    assert coding.attach(2, html).text == "Employment rose to 40%."
    with pytest.raises(CodingError, match="cannot read this PDF|no extractable text"):
        broken = tmp_path / "broken.pdf"
        broken.write_bytes(b"%PDF-1.4\nnot really a pdf")
        coding.attach(2, broken)


def test_descriptors_are_checked_against_the_codebook(coding):
    coding.set_descriptor(1, "design", "RCT", reviewer="ana")
    coding.set_descriptor(1, "n", 40, reviewer="ana")
    coding.set_descriptor(1, "country", ["UK", "Atlantis"], reviewer="ana")  # an open vocabulary
    assert coding.descriptors([1, 2]) == {1: {"design": "RCT", "n": 40, "country": ["UK", "Atlantis"]}}
    with pytest.raises(CodingError, match="descriptor 'colour' is not in the codebook"):
        coding.set_descriptor(1, "colour", "red", reviewer="ana")
    with pytest.raises(CodingError, match="descriptor design: 'survey' is not one of"):
        coding.set_descriptor(1, "design", "survey", reviewer="ana")
    with pytest.raises(CodingError, match="descriptor n: 0 is not an integer >= 1"):
        coding.set_descriptor(1, "n", 0, reviewer="ana")
    with pytest.raises(CodingError, match="no record 99"):
        coding.set_descriptor(99, "design", "RCT", reviewer="ana")


def test_codebook_split_leaves_codings_waiting(review):
    review.coding.add(1, "T01", reviewer="ana", quote="Peer workers")
    change = review.codebook.split("T01", [Code("T01a", "", "Peer groups"), Code("T01b", "", "Peer specialists")])
    assert (change.carried, change.waiting, change.waiting_codes) == (0, 1, ("T01",))
    assert change.mapping == {"T01": ["T01a", "T01b"]}
    assert review.codebook.merge(["T01a", "T01b"], "T01c", label="Peer support").mapping == {"T01a": "T01c", "T01b": "T01c"}


def test_a_dropped_code_is_remembered_and_never_counts(review, coding):
    """Reconciliation stores a drop, so a later run neither asks about it again nor keeps it, and
    the study counts as reconciled (its dropped code is not taken from the coders' own codes)."""
    coding.add(1, "T01", reviewer="ana", quote="Peer workers delivered weekly groups")
    coding.add(1, "T01", reviewer="ben", quote="Peer workers delivered weekly groups")
    coding.add(1, "P5", reviewer="ben", quote="more hope", direction="benefit")
    first = coding.reconcile("ana", "ben")
    assert (first.agreed, first.resolved, first.unresolved) == (1, 0, 1)
    before = review.model.version()
    dropped = coding.reconcile("ana", "ben", decisions={("1", "P5"): False}, decided_by="ana+ben")
    assert (dropped.resolved, dropped.unresolved) == (1, 0)
    assert review.model.version() != before  # the model's views are rebuilt after a reconciliation
    again = coding.reconcile("ana", "ben")
    assert (again.agreed, again.resolved, again.unresolved) == (1, 1, 0)
    assert coding.decided() == {(1, "T01"), (1, "P5")}
    assert [(c.code, c.kind) for c in coding.final()] == [("T01", "reconciled")]
    assert all(c.kind != "dropped" for c in coding.list())  # a drop is not a code
    assert len(coding.list(kind="dropped")) == 1


def test_codings_listed_for_one_record_are_that_records_standing_ones(coding):
    coding.add(1, "T01", reviewer="ana", quote="Peer workers")
    coding.add(2, "T01", reviewer="ana")
    withdrawn = coding.add(1, "P5", reviewer="ben")
    coding.undo(withdrawn)
    coding.add(1, "T02", reviewer="ben")
    assert [(c.record_id, c.code) for c in coding.list(record_id=1)] == [(1, "T01"), (1, "T02")]
    assert [c.code for c in coding.list(record_id=1, reviewer="ben")] == ["T02"]
    assert coding.list(record_id=3) == []


def test_prepare_embeds_the_codebook_into_the_project_once(project_location, tmp_path):
    """What the web app does at start: the codebook's descriptions are embedded and kept in the
    project, so the first coding page finds them there."""
    (tmp_path / "s.ris").write_text(RIS)
    with Review.create(project_location, codebook="chime") as review:
        review.records.import_files([tmp_path / "s.ris"])
        cache = review.screening.embedding_cache()
        before = cache.count()
        review.coding.prepare()
        kept = cache.count()
        assert kept - before >= len(review.codebook.current().codes)
        review.coding.prepare()
        assert cache.count() == kept  # nothing embedded again


def test_texts_version_follows_what_the_studies_texts_would_read(review, tmp_path):
    """The key of a coding page's kept model: unchanged while the studies' texts are, changed by
    another set of studies or by a full text attached, without reading the full texts themselves."""
    from logicmap.store.coding import texts_version

    store = review.coding._store
    before = texts_version(store, [1, 2])
    assert texts_version(store, [2, 1]) == before != texts_version(store, [1])
    text = tmp_path / "full.txt"
    text.write_text("Employment rose to 40% at 12 months.")
    review.coding.attach(2, text)
    after = texts_version(store, [1, 2])
    assert after != before and texts_version(store, [1]) == texts_version(store, [1])
    text.write_text("Employment rose to 45% at 12 months.")
    review.coding.attach(2, text)
    assert texts_version(store, [1, 2]) not in (before, after)
