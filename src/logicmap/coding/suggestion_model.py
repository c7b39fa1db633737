"""The suggestion model that learns from reviewers: per-code logistic regression on TF-IDF,
blended with key-term scores.

Reviewers accept or reject suggestions (:class:`~logicmap.coding.feedback.Feedback`); once
a code has enough of both, a logistic regression on the record's TF-IDF plus its key-term score learns it, and its
probability is blended with the zero-training score. Codes without enough feedback keep
the zero-training score. Thresholds per kind are calibrated by an inner, seeded
cross-validation on the feedback. Needs scikit-learn.

Example::

    model = SuggestionModel(codebook, seed=1).fit(records, feedback)
    suggestions = suggest(new_records, codebook, model=model)
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence

import numpy as np
from scipy.sparse import csr_matrix, hstack
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression

from logicmap.codebook.codes import Codebook
from logicmap.coding.evaluate import f1_scores
from logicmap.coding.feedback import Feedback
from logicmap.coding.matcher import TermMatcher
from logicmap.coding.suggest import (
    SuggestSettings, Suggestion, choose, make_suggestion, recovery_role, zero_training_scores,
)
from logicmap.coding.text import tokens

THRESHOLD_GRID = tuple(np.round(np.arange(0.2, 0.91, 0.05), 2))


def _stems(text: str) -> list[str]:
    return [t.stem for t in tokens(text)]


class SuggestionModel:
    """Per-code logistic regressions on sentence-level text features, blended with key terms."""

    def __init__(
        self,
        codebook: Codebook,
        *,
        seed: int = 0,
        C: float = 2.0,
        blend: float = 0.5,
        settings: SuggestSettings | None = None,
        min_examples: int = 2,
        calibrate: bool = True,
        folds: int = 3,
    ):
        self.codebook = codebook
        self.seed = seed
        self.C = C
        self.blend = blend
        self.base_settings = settings or SuggestSettings()
        self.settings = self.base_settings
        self.min_examples = min_examples
        self.calibrate = calibrate
        self.folds = folds
        self.matcher = TermMatcher(codebook)
        self.vectorizer: TfidfVectorizer | None = None
        self.models: dict[str, LogisticRegression] = {}

    # -- features -------------------------------------------------------------------
    def _features(self, tfidf, zt: np.ndarray, code_index: int):
        """TF-IDF rows plus the code's own key-term score (weighted so the penalty spares it)."""
        return hstack([tfidf, csr_matrix(zt[:, [code_index]] * 3.0)]).tocsr()

    def _zero(self, records: Sequence[Mapping]):
        evidence = [self.matcher.analyse(r) for r in records]
        zt = np.array(
            [[s[c.code] for c in self.codebook.codes] for s in (zero_training_scores(e, self.codebook, self.base_settings) for e in evidence)]
        )
        texts = [f"{r.get('title') or ''}. {r.get('abstract') or ''}" for r in records]
        return evidence, zt.reshape(len(records), len(self.codebook.codes)), texts

    # -- fitting --------------------------------------------------------------------
    def fit(self, records: Sequence[Mapping], feedback: Iterable[Feedback]) -> SuggestionModel:
        """Learn from ``feedback`` on ``records`` (each with ``id``, ``title``, ``abstract``)."""
        records = list(records)
        feedback = list(feedback)
        _, zt, texts = self._zero(records)
        self.vectorizer = TfidfVectorizer(tokenizer=_stems, lowercase=False, token_pattern=None, ngram_range=(1, 2), min_df=2, sublinear_tf=True)
        self.vectorizer.fit(texts)
        self._fit_codes(records, feedback, zt, self.vectorizer.transform(texts))
        self.settings = self.base_settings
        if self.calibrate:
            self.settings = self.base_settings.with_thresholds(self._calibrated(records, feedback))
        return self

    def _fit_codes(self, records, feedback, zt, tfidf) -> None:
        row_of = {str(r.get("id")): i for i, r in enumerate(records)}
        verdicts: dict[str, dict[int, bool]] = defaultdict(dict)
        for fb in feedback:
            if fb.record_id in row_of and fb.code in self.codebook:
                verdicts[fb.code][row_of[fb.record_id]] = fb.accepted
        self.models = {}
        for j, c in enumerate(self.codebook.codes):
            rows = sorted(verdicts.get(c.code, {}))
            y = np.array([verdicts[c.code][i] for i in rows], dtype=int)
            if len(rows) == 0 or y.sum() < self.min_examples or (len(y) - y.sum()) < self.min_examples:
                continue
            lr = LogisticRegression(C=self.C, class_weight="balanced", solver="liblinear", random_state=self.seed)
            lr.fit(self._features(tfidf[rows], zt[rows], j), y)
            self.models[c.code] = lr

    def _calibrated(self, records, feedback) -> dict[str, float]:
        """Per-kind thresholds maximising micro-F1 on inner cross-validated predictions."""
        rng = np.random.default_rng(self.seed)
        ids = [str(r.get("id")) for r in records]
        order = rng.permutation(len(records))
        probs: dict[str, dict[str, float]] = {}
        for k in range(self.folds):
            held = set(order[k :: self.folds].tolist())
            train = [records[i] for i in range(len(records)) if i not in held]
            test = [records[i] for i in sorted(held)]
            inner = SuggestionModel(
                self.codebook, seed=self.seed, C=self.C, blend=self.blend, settings=self.base_settings,
                min_examples=self.min_examples, calibrate=False,
            ).fit(train, feedback)
            for rid, row in zip([str(r.get("id")) for r in test], inner.predict_proba(test)):
                probs[rid] = dict(zip([c.code for c in self.codebook.codes], row))
        truth: dict[str, set[str]] = defaultdict(set)
        judged: dict[str, set[str]] = defaultdict(set)  # kinds with feedback per record
        for fb in feedback:
            if fb.code in self.codebook:
                judged[fb.record_id].add(self.codebook[fb.code].kind)
                if fb.accepted:
                    truth[fb.record_id].add(fb.code)
        best = {}
        for kind in self.codebook.kinds:
            rids = [i for i in ids if kind in judged.get(i, ()) and i in probs]
            if not rids:
                continue
            scores = []
            for t in THRESHOLD_GRID:
                st = self.base_settings.with_thresholds({kind: float(t)})
                pred = [{c for c in choose(probs[i], self.codebook, st) if self.codebook[c].kind == kind} for i in rids]
                gold = [{c for c in truth[i] if self.codebook[c].kind == kind} for i in rids]
                scores.append((f1_scores(gold, pred)["micro_f1"], -abs(t - 0.5), float(t)))
            best[kind] = max(scores)[2]
        return best

    # -- prediction -----------------------------------------------------------------
    def predict_proba(self, records: Sequence[Mapping]) -> np.ndarray:
        """Blended scores, shape (records, codes) in codebook order."""
        if self.vectorizer is None:
            raise RuntimeError("SuggestionModel.fit() first")
        _, zt, texts = self._zero(records)
        return self._blend(zt, texts)

    def _blend(self, zt: np.ndarray, texts: Sequence[str]) -> np.ndarray:
        out = zt.copy()
        tfidf = self.vectorizer.transform(texts) if len(texts) else None
        for j, c in enumerate(self.codebook.codes):
            lr = self.models.get(c.code)
            if lr is not None and len(texts):
                p = lr.predict_proba(self._features(tfidf, zt, j))[:, 1]
                out[:, j] = self.blend * p + (1 - self.blend) * zt[:, j]
        return out

    def suggest(self, records: Sequence[Mapping], settings: SuggestSettings | None = None) -> list[Suggestion]:
        """Suggestions with verbatim quotes: the best key-term sentence, else the sentence the
        code's regression rates highest."""
        settings = settings or self.settings
        records = list(records)
        evidence, zt, texts = self._zero(records)
        probs = self._blend(zt, texts)
        codes = [c.code for c in self.codebook.codes]
        out = []
        for e, row in zip(evidence, probs):
            scores = dict(zip(codes, row))
            for code in choose(scores, self.codebook, settings):
                sentence = None
                if e.best(code) is None and code in self.models and e.sentences:
                    j = codes.index(code)
                    sents = [s.text for s in e.sentences]
                    feats = self._features(self.vectorizer.transform(sents), np.zeros((len(sents), len(codes))), j)
                    sentence = e.sentences[int(np.argmax(self.models[code].decision_function(feats)))]
                kind = self.codebook[code].kind
                out.append(make_suggestion(e, code, kind, scores[code], sentence,
                                           role=recovery_role(self.codebook, kind)))
        return out
