"""What a project's screening learns from: each record's record_text, read from the store."""

from __future__ import annotations

from logicmap.api import Review
from logicmap.screening.features import record_text
from logicmap.store import open_store
from logicmap.store.screening import screening_texts

RIS = """TY  - JOUR
TI  - Peer support in psychosis
AB  - Hope rose with peer support. (C) 2019 Elsevier Ltd. All rights reserved.
ER  -

TY  - JOUR
TI  - Housing First
ER  -
"""


def test_screening_texts_are_record_texts_without_the_publishers_notice(tmp_path):
    source = tmp_path / "two.ris"
    source.write_text(RIS, encoding="utf-8")
    review = Review.create(f"sqlite:///{tmp_path / 'p.db'}")
    review.records.import_files([source])
    records = list(review.records.iter())
    texts = screening_texts(open_store(f"sqlite:///{tmp_path / 'p.db'}"), [i for i, _ in records])
    assert texts == [record_text(r.title, r.abstract) for _, r in records]
    assert texts == ["Peer support in psychosis Hope rose with peer support.", "Housing First"]
