"""A sentence-role classifier learnt from a project's own structured abstracts.

The headings of structured abstracts ("Methods:", "Results:") label their sentences for
free; :meth:`RoleModel.fit` learns from those sentences, with the headings removed, and then
labels the sentences of the unstructured abstracts. Features: word and word-pair TF-IDF, the
sentence's relative position and the cue scores of :func:`~logicmap.coding.sentence_roles.cue_scores`;
classifier: a linear SVM (scikit-learn's ``LinearSVC``, well under a second for a few hundred
sentences).

Measured on the recovery development corpus (structured abstracts, headings hidden, in
``tests/coding/test_sentence_roles.py``): fitted on the 55 of the demo corpus and tested on the
14 outside it (129 sentences): 109 right roles (84 %), 124 right finding-or-not (96 %); the cue
rules alone: 94 and 115. 6-fold cross-validation by abstract over all 69 (692 sentences): 79 %
and 93 %.

A project with too few structured abstracts of its own (an export that drops headings: 12 of the 14
screening sets in ../shared have none) gets :func:`packaged`, the model learnt from the headed sentences
of the packaged demo corpus (``role_sentences.jsonl``, written by ``scripts/packaged_role_sentences.py``),
instead of the cue rules. Out of its domain, headings hidden (stop 44): Bannach-Brown's 158 structured
abstracts, finding-or-not 85 % by the cue rules -> 93 %; Nagtegaal's 937, 85 % -> 91 %; the 89 of the
PubMed files in ../shared's formats, 85 % -> 92 % (four roles 74 -> 81 %, 73 -> 76 %, 76 -> 80 %).

Example::

    from logicmap.coding.role_model import RoleModel, project_model
    model = RoleModel.fit(abstracts)          # None when too few are structured
    model = project_model(abstracts)          # that, else the packaged model
    roles = sentence_roles(text, model=model)
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterable, Sequence
from functools import lru_cache
from pathlib import Path

from logicmap.coding.sentence_roles import ROLES, cue_scores, headed_abstracts, is_structured, positions
from logicmap.coding.sentence_roles import sentence_roles, strip_heading

#: Fewer structured abstracts than this and the cue rules are used instead of a model.
MIN_ABSTRACTS = 10
#: The model learns from at most this many structured abstracts (the first ones given): tens of
#: thousands of sentences, a few seconds to fit, however large the project.
MAX_ABSTRACTS = 2000


def training_sentences(abstracts: Iterable[str]) -> list[tuple[str, float, str]]:
    """(text without heading, relative position, heading role) of every headed sentence."""
    return _headed_rows(headed_abstracts(abstracts))


def _headed_rows(structured: Iterable[str]) -> list[tuple[str, float, str]]:
    """:func:`training_sentences` of abstracts known to be structured."""
    rows = []
    for text in structured:
        roled = sentence_roles(text)
        for roled_sentence, where in zip(roled, positions(len(roled)), strict=True):
            if roled_sentence.headed:
                rows.append((strip_heading(roled_sentence.sentence.text), where, roled_sentence.role))
    return rows


class RoleModel:
    """TF-IDF + position + cue scores -> a linear SVM over :data:`ROLES`."""

    def __init__(self, vectorizer, classifier, n_abstracts: int) -> None:
        self._vectorizer = vectorizer
        self._classifier = classifier
        self.n_abstracts = n_abstracts
        self._known: dict[tuple[str, float], str] = {}  # (sentence, position) -> role, as predicted before
        self._lock = threading.Lock()

    def __getstate__(self) -> dict:
        """Pickled without its lock (a copy gets its own)."""
        return {k: v for k, v in self.__dict__.items() if k != "_lock"}

    def __setstate__(self, state: dict) -> None:
        self.__dict__.update(state)
        self._lock = threading.Lock()

    @classmethod
    def fit(cls, abstracts: Iterable[str], *, min_abstracts: int = MIN_ABSTRACTS,
            max_abstracts: int = MAX_ABSTRACTS) -> RoleModel | None:
        """A model learnt from the structured ``abstracts``, the first ``max_abstracts`` of them
        (None when fewer than ``min_abstracts``). ``abstracts`` is read only as far as needed."""
        structured: dict[str, None] = {}  # a duplicate record's abstract counts once
        for text in abstracts:
            if text not in structured and is_structured(text):
                structured[text] = None
                if len(structured) >= max_abstracts:
                    break
        if len(structured) < min_abstracts:
            return None
        return cls.from_sentences(_headed_rows(structured), len(structured))

    @classmethod
    def from_sentences(cls, rows: Sequence[tuple[str, float, str]], n_abstracts: int) -> RoleModel | None:
        """A model learnt from (text without heading, relative position, role) rows of ``n_abstracts``
        structured abstracts (None when they hold fewer than two roles)."""
        from sklearn.feature_extraction.text import TfidfVectorizer
        from sklearn.svm import LinearSVC

        if len({r[2] for r in rows}) < 2:
            return None
        vectorizer = TfidfVectorizer(ngram_range=(1, 2), min_df=2, sublinear_tf=True)
        vectorizer.fit([r[0] for r in rows])
        model = cls(vectorizer, LinearSVC(C=0.3), n_abstracts)
        model._classifier.fit(model._features([r[0] for r in rows], [r[1] for r in rows]), [r[2] for r in rows])
        return model

    def _features(self, texts: Sequence[str], where: Sequence[float]):
        import numpy as np
        from scipy.sparse import csr_matrix, hstack

        extra = [[p, p * p, *(cue_scores(t, p)[role] for role in ROLES)] for t, p in zip(texts, where, strict=True)]
        return hstack([self._vectorizer.transform(list(texts)), csr_matrix(np.array(extra, dtype=float))]).tocsr()

    def predict(self, texts: Sequence[str], where: Sequence[float]) -> list[str]:
        """The role of each sentence (``texts``, headings removed) at relative positions ``where``."""
        keys = list(zip(texts, where, strict=True))
        with self._lock:  # one web app's requests share the model
            new = list(dict.fromkeys(k for k in keys if k not in self._known))
            if new:  # the model is fixed once fitted: a sentence seen before keeps its role (a rebuilt model is fast)
                roles = self._classifier.predict(self._features([t for t, _ in new], [p for _, p in new]))
                if len(self._known) + len(new) > 200_000:
                    self._known.clear()
                self._known.update(zip(new, map(str, roles)))
            return [self._known[k] for k in keys]


#: The headed sentences the packaged model learns from, one ``[text, position, role]`` per line.
PACKAGED_FILE = Path(__file__).with_name("role_sentences.jsonl")


def packaged_lines(abstracts: Iterable[str], source: str) -> list[str]:
    """The lines of :data:`PACKAGED_FILE` for ``abstracts`` (read from ``source``): a header with how
    many are structured, then ``[text, position, role]`` of each of their headed sentences."""
    structured = list(dict.fromkeys(headed_abstracts(abstracts)))
    return [json.dumps({"abstracts": len(structured), "source": source})] + [
        json.dumps([text, round(where, 6), role], ensure_ascii=False) for text, where, role in _headed_rows(structured)]


@lru_cache(maxsize=1)
def packaged() -> RoleModel:
    """The model learnt from the packaged demo corpus's structured abstracts (fitted once per process)."""
    lines = PACKAGED_FILE.read_text(encoding="utf-8").splitlines()
    header, rows = json.loads(lines[0]), [tuple(json.loads(line)) for line in lines[1:]]
    model = RoleModel.from_sentences(rows, header["abstracts"])
    assert model is not None, f"{PACKAGED_FILE} holds fewer than two roles"
    return model


def project_model(abstracts: Iterable[str]) -> RoleModel:
    """The role model for a project with these ``abstracts``: learnt from its own structured ones
    (:meth:`RoleModel.fit`), else, with too few of them, :func:`packaged`."""
    return RoleModel.fit(abstracts) or packaged()
