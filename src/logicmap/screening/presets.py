"""The screening engines by name: the presets a project or simulation may choose, the default one
for a dataset's size, and their description for a report's methods.

An engine is a ``(features, classifier)`` pair of names that
:func:`~logicmap.screening.features.make_features` and
:func:`~logicmap.screening.classifiers.make_classifier` understand;
:class:`~logicmap.screening.engine.ActiveLearner` takes either or both as ``"auto"``.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from scipy import sparse

from logicmap.screening.classifiers import DEFAULT_CLASSIFIER
from logicmap.screening.features import CHAR_MAX_RECORDS, EMBED_DIMENSION, STATIC_DIMENSION

#: The default engine above EMBED_MAX_RECORDS (and the interim one while a project's vectors were
#: made, until stop 49; and of plain installs before the numpy
#: encoder): ASReview LAB's ELAS u4 TF-IDF (every word 1-2 gram) beside character
#: 3-5-grams within words, in one linear SVM with class weights normalised to the
#: number of decisions (ELAS u4's SVM settings); ELAS u4 itself (the interim engine); the TF-IDF SVM of
#: earlier versions (English stop words dropped, terms in one record dropped, weights
#: not normalised); the static-embedding fusion; and the word TF-IDF and sentence-embedding
#: fusion (the default up to EMBED_MAX_RECORDS before LSA_FUSION_ENGINE).
TFIDF_ENGINE = ("tfidf-asreview+char", "svm-asreview")
ASREVIEW_ENGINE = ("tfidf-asreview", "svm-asreview")
PLAIN_TFIDF_ENGINE = ("tfidf", DEFAULT_CLASSIFIER)
STATIC_ENGINE = ("tfidf+static", "svm-fusion-static")
FUSION_ENGINE = ("tfidf+embed", "svm-fusion")
#: The fusion of sentence embeddings with the plain engine's TF-IDF and ELAS u4 SVM.
ASREVIEW_FUSION_ENGINE = ("tfidf-asreview+char+embed", "svm-asreview-fusion")
#: The same fusion with the character block reduced to its truncated SVD (the default from stop 36
#: to stop 39).
LSA_FUSION_ENGINE = ("tfidf-asreview+charlsa+embed", "svm-asreview-fusion")
#: The default up to EMBED_MAX_RECORDS: the same features and SVMs, each record scored by its best
#: rank plus its mean rank (see :func:`default_engine`).
AGREE_ENGINE = ("tfidf-asreview+charlsa+embed", "svm-asreview-agree")
#: The same without its character block, as it runs above ``CHAR_MAX_RECORDS`` records (the same matrix).
WORD_AGREE_ENGINE = ("tfidf-asreview+embed", "svm-asreview-agree")
#: The same, the sentence embeddings made from each text's first 128 word pieces (half the encoder's
#: time; the default from 20,001 to 40,000 records in stop 45 only, replaced by AGREE64_ENGINE).
AGREE128_ENGINE = ("tfidf-asreview+charlsa+embed128", "svm-asreview-agree")
#: The same, the sentence embeddings of the first 64 word pieces (a quarter of the encoder's time; the
#: default from 20,001 to 70,000 records in stops 45-46, until the interim start, rule W).
AGREE64_ENGINE = ("tfidf-asreview+charlsa+embed64", "svm-asreview-agree")
#: The default engine with its embedding SVM solved exactly (finite Newton) instead of by liblinear;
#: the same ranking, not a faster decision (rule AA, ``classifiers.fusion_classifier``). For comparisons.
AGREE_NEWTON_ENGINE = (AGREE_ENGINE[0], "svm-asreview-agree-newton")
#: Prefixes of classifier names that vary the agree fusion by a number (``svm-asreview-agree-c3``, its embedding
#: SVM's C; ``-t0.25``, its TF-IDF SVM's; ``-weighed0.5``, rule AB's member weighing): the same features and blocks.
AGREE_VARIANTS = ("svm-asreview-agree-c", "svm-asreview-agree-t", "svm-asreview-agree-weighed")
#: Fusion classifiers and the length of the embedding block they read last.
FUSION_BLOCKS = {FUSION_ENGINE[1]: EMBED_DIMENSION, ASREVIEW_FUSION_ENGINE[1]: EMBED_DIMENSION,
                 AGREE_ENGINE[1]: EMBED_DIMENSION, AGREE_NEWTON_ENGINE[1]: EMBED_DIMENSION,
                 STATIC_ENGINE[1]: STATIC_DIMENSION}


#: Above this many records the default engine does without sentence embeddings. The numpy encoder
#: embeds about 8 titles and abstracts a second per core: 100,000 records are about 105 minutes of a
#: project's first start on 2 cores (kept in its store after), screened meanwhile on INTERIM_ENGINE.
#: Above it (where the character n-grams are dropped too, ``features.CHAR_MAX_RECORDS``) the agree
#: engine ranks better than the TF-IDF engine but its decision is slower: rule Y (stop 49), replayed
#: without characters on seeds 50-58, 0.439 against 0.417 (126 runs), and at 200,000 records 457 against
#: 267 ms a decision, over the rule's bound of 1.5 times (stop 50, again on a quiet machine: 464 against
#: 284 ms, 1.63 times; an exact embedding SVM, rule AA, made it no faster).
EMBED_MAX_RECORDS = 100_000

#: The engine a team screens with while its own engine's sentence vectors are being made, when more
#: than INTERIM_ABOVE texts still need them (see ``TeamScreening(interim_above=...)``): ELAS u4's word
#: TF-IDF and SVM, no embeddings and no character block. Until stop 49 it was the TF-IDF engine with its
#: character block; rule Z (written before its runs, seeds 50-58, 126 paired runs,
#: ``benchmarks/screening_interim.jsonl``) found the word block alone as good for the first 1.33% of the
#: decisions (0.458 against 0.457) and its features built in 35 s instead of 205 s at 100,000 records
#: (decisions 209 against 1,017 ms, peak memory 1.3 against 5.5 GB; ``screening_speed.jsonl``).
INTERIM_ENGINE = ASREVIEW_ENGINE
#: Texts still to embed above which a team starts on INTERIM_ENGINE: about a minute of the numpy
#: encoder at 256 word pieces on 2 cores.
INTERIM_ABOVE = 1_000


def default_engine(records: int | None = None) -> tuple[str, str]:
    """``(features, classifier)`` used when neither is chosen, for a project or
    dataset of ``records`` records (``None``: not known yet).

    Up to :data:`EMBED_MAX_RECORDS`: two linear SVMs, each record scored by its better rank of
    the two plus their mean (``svm-asreview-agree``). One, with ASReview LAB's ELAS u4 settings, reads u4's
    word 1-2-gram TF-IDF beside 256 latent dimensions of ``char_wb`` 3-5-grams (their
    truncated SVD, ``tfidf-asreview+charlsa``: spelling variants and word parts in 256 values
    a record instead of thousands of n-grams); the other reads all-MiniLM-L6-v2
    sentence embeddings, which every install has (the numpy encoder ships in the package;
    the ``[embed]`` extra runs the same model on torch). The views fail on different records
    (embeddings find paraphrases, TF-IDF the rare exact term); the mean rank puts a record both
    rank high before one only one of them ranks a little higher. Chosen on tuning seeds 11-13
    under a rule written before the runs, then read once on fresh seeds 29-31 against ASReview
    LAB 3.0.8's default on the 14 shared datasets (``benchmarks/screening_embed_default.jsonl``):
    WSS@95 0.452 vs 0.389 (+0.063), 29 of 42 runs won, where the default before it
    (``svm-asreview-fusion``, the better rank alone) won 28 (0.457). Over the other seeds (2-10 and
    14-28, 336 runs; not used to choose it, some looked at for earlier choices, see the README):
    0.456 vs 0.393 (+0.063; +0.015 to +0.116 with the datasets resampled), 227 won (68%), where the
    default before it won 216 (+0.065); since abstracts' closing publishers' notices are left out of
    the text (stop 43), 0.457 vs 0.393 (+0.064; +0.016 to +0.116), 230 won (68.5%).
    At 10,000 records on 2 cores a decision takes a mean 16 ms with 200 records decided, 61 ms
    with 2,000 (stop 42) and 61 ms with 5,000 (stop 44), the two SVMs fitted at once late in a
    screening (``benchmarks/screening_speed.jsonl``; it refits more often than
    ``svm-asreview-fusion`` because it finds more relevant records), and building the features
    48-72 s instead of 4 s (the SVD).

    Up to :data:`EMBED_MAX_RECORDS` (100,000) all of it: from stop 45 to 47 the embeddings above
    20,000 records read each record's first 64 word pieces (``AGREE64_ENGINE``, a quarter of the
    encoder's time), because nobody could screen before they were made. Now a project screens on
    :data:`INTERIM_ENGINE` meanwhile (``TeamScreening``/``ScreeningSession(interim_above=...)``), and
    the full 256 pieces score better with that interim phase: on fresh seeds 32-40 (126 runs, rule W
    written before them; ``benchmarks/screening_interim.jsonl``), its first 1.33% of the records'
    decisions on TF-IDF (4 reviewers while 256 pieces are made), 0.458 against 0.440 for 64 pieces
    with their shorter 0.33%, better in 84 runs and worse in 42. The same interim phase lets it serve
    70,001-100,000 records too, where the TF-IDF engine was the default until stop 48: on fresh seeds
    41-49 (126 runs, rule X written before them), 0.457 against 0.421 for the TF-IDF engine throughout,
    better in 90 runs and worse in 36; ASReview LAB's default scored 0.393 on those runs (the default
    +0.064, 86 won, 68%; the TF-IDF engine +0.028, 73 won). At 40,000 records with
    5,000 decided a decision takes 304 ms (measured with 128 pieces; the pieces change only the
    embedding time), at 70,000 398 ms, the TF-IDF engine 948 and 1,329 ms (features 518 s, the SVD,
    against 226 s). At 100,000 (stop 48, two runs of each beside other work) 651 and 913 ms against the
    TF-IDF engine's 1,122 and 1,816 ms, features 670 and 925 s against 248 and 365 s, peak memory 4.4
    against 5.5 GB; on a quiet machine (stop 49) 490 against 1,017 ms, features 531 against 205 s.

    Above that: ``tfidf-asreview+char`` + ``svm-asreview`` (ELAS u4's SVM on its word TF-IDF
    beside the full character block; ``benchmarks/screening_default_check.jsonl``: 0.417 vs 0.398
    on 115 runs), whose character block is dropped there (``features.CHAR_MAX_RECORDS``, 100,000):
    ELAS u4's word TF-IDF and SVM alone, named so (:data:`ASREVIEW_ENGINE`, :func:`without_characters`).
    Replayed so (rule Y, stop 49: every TF-IDF without characters, seeds 50-58, 126 runs) it scored 0.417
    against ASReview LAB's 0.396, 61 runs won; the agree engine as it would run there scored 0.439 but
    took 1.71 times as long a decision at 200,000 records (457 against 267 ms), over the rule's 1.5.
    """
    engine = AGREE_ENGINE if records is None or records <= EMBED_MAX_RECORDS else TFIDF_ENGINE
    return without_characters(engine, records)


def without_characters(engine: tuple[str, str], records: int | None) -> tuple[str, str]:
    """A default ``engine`` named as it runs on ``records`` records: above ``CHAR_MAX_RECORDS`` the
    character block is dropped (``TfidfFeatures(char_max_records=...)``), which leaves the TF-IDF engine
    ELAS u4's word TF-IDF and SVM (:data:`ASREVIEW_ENGINE`) and the agree engine its word TF-IDF beside
    the sentence embeddings (:data:`WORD_AGREE_ENGINE`), the same matrices, so the project's methods
    say so. Other engines are returned unchanged."""
    if records is None or records <= CHAR_MAX_RECORDS:
        return engine
    return {TFIDF_ENGINE: ASREVIEW_ENGINE, AGREE_ENGINE: WORD_AGREE_ENGINE}.get(engine, engine)


#: Features and the classifier made for them; a classifier's first pair gives its features when they are "auto".
PAIRS: tuple[tuple[str, str], ...] = (FUSION_ENGINE, AGREE_ENGINE, AGREE128_ENGINE, AGREE64_ENGINE, WORD_AGREE_ENGINE,
                                      AGREE_NEWTON_ENGINE,
                                      LSA_FUSION_ENGINE, ASREVIEW_FUSION_ENGINE,
                                      ("tfidf-asreview+char4+embed", "svm-asreview-fusion"), STATIC_ENGINE,
                                      ASREVIEW_ENGINE, TFIDF_ENGINE)


def family(classifier: Any) -> Any:
    """The preset a classifier name varies (:data:`AGREE_VARIANTS` -> ``svm-asreview-agree``), for the
    features it pairs with and the blocks it reads; any other classifier itself."""
    if isinstance(classifier, str) and classifier.startswith(AGREE_VARIANTS):
        return AGREE_ENGINE[1]
    return classifier


def resolve_engine(features: Any, classifier: Any, records: int | None = None) -> tuple[Any, Any]:
    """Replace ``"auto"`` names. Both auto: :func:`default_engine` for ``records``. One auto: the
    partner of the other (``tfidf+embed`` <-> ``svm-fusion``, ``tfidf-asreview+charlsa+embed``
    <-> ``svm-asreview-agree`` (and its numbered variants, :func:`family`), ``tfidf-asreview+charlsa+embed128``, ``+embed64`` and ``tfidf-asreview+embed``
    -> ``svm-asreview-agree``,
    ``svm-asreview-fusion`` and ``svm-asreview-agree-newton`` -> ``tfidf-asreview+charlsa+embed``,
    ``tfidf-asreview+char+embed`` and ``tfidf-asreview+char4+embed``
    -> ``svm-asreview-fusion``, ``tfidf+static`` <-> ``svm-fusion-static``,
    ``tfidf-asreview`` <-> ``svm-asreview``,
    ``tfidf-asreview+char`` -> ``svm-asreview``; otherwise ``tfidf`` and ``svm``),
    so a chosen classifier
    never meets features it cannot use. The TF-IDF and agree engines are named as they run on
    ``records`` records (:func:`without_characters`)."""
    auto_features = isinstance(features, str) and features == "auto"
    auto_classifier = isinstance(classifier, str) and classifier == "auto"
    if auto_features and auto_classifier:
        return default_engine(records)
    if auto_features:
        features = next((f for f, c in PAIRS if c == family(classifier)), PLAIN_TFIDF_ENGINE[0])
    if auto_classifier:
        classifier = next((c for f, c in PAIRS if f == features), PLAIN_TFIDF_ENGINE[1])
    return without_characters((features, classifier), records)


def engine_description(features: str, classifier: str) -> str:
    """The screening engine in words, for the project's methods record."""
    known = {
        ("tfidf+embed", "svm-fusion"): "TF-IDF and all-MiniLM-L6-v2 sentence embeddings, one linear "
                                       "SVM on each, the better rank of the two first (logicmap svm-fusion)",
        ("tfidf-asreview+char+embed", "svm-asreview-fusion"): "TF-IDF over word 1-2 grams and character "
            "3-5 grams with ASReview LAB's ELAS u4 SVM, and all-MiniLM-L6-v2 sentence embeddings with a "
            "second linear SVM, the better rank of the two first (logicmap svm-asreview-fusion)",
        LSA_FUSION_ENGINE: "TF-IDF over word 1-2 grams beside 256 latent dimensions of character 3-5 grams "
            "(truncated SVD) with ASReview LAB's ELAS u4 SVM, and all-MiniLM-L6-v2 sentence embeddings with a "
            "second linear SVM, the better rank of the two first (logicmap svm-asreview-fusion)",
        AGREE_ENGINE: _agree_description(""),
        AGREE128_ENGINE: _agree_description(" of each record's first 128 word pieces"),
        AGREE64_ENGINE: _agree_description(" of each record's first 64 word pieces"),
        WORD_AGREE_ENGINE: ("TF-IDF over word 1-2 grams with ASReview LAB's ELAS u4 SVM, and all-MiniLM-L6-v2 "
                            "sentence embeddings with a second linear SVM, each record ranked by its better rank "
                            "of the two plus their mean (logicmap svm-asreview-agree)"),
        ("tfidf+static", "svm-fusion-static"): "TF-IDF and static word-piece embeddings distilled "
                                               "from all-MiniLM-L6-v2, one linear SVM on each, the "
                                               "better rank of the two first (logicmap svm-fusion-static)",
        ("tfidf", "svm"): "TF-IDF features, class-weighted linear SVM (logicmap)",
        ("tfidf-asreview", "svm-asreview"): "TF-IDF over word 1-2 grams, class-weighted linear SVM "
                                            "with ASReview LAB's ELAS u4 settings (logicmap)",
        ("tfidf-asreview+char", "svm-asreview"): "TF-IDF over word 1-2 grams and character 3-5 grams, "
                                                 "one class-weighted linear SVM with ASReview LAB's "
                                                 "ELAS u4 settings (logicmap)",
    }
    return known.get((features, classifier), f"{features} features, {classifier} classifier (logicmap)")


def _agree_description(embeddings: str) -> str:
    """The ``svm-asreview-agree`` engine in words, its sentence embeddings qualified by ``embeddings``."""
    return ("TF-IDF over word 1-2 grams beside 256 latent dimensions of character 3-5 grams (truncated SVD) with "
            f"ASReview LAB's ELAS u4 SVM, and all-MiniLM-L6-v2 sentence embeddings{embeddings} with a second linear "
            "SVM, each record ranked by its better rank of the two plus their mean (logicmap svm-asreview-agree)")


def check_fusion_matrix(X: Any, rows_with_text: int, classifier: str = FUSION_ENGINE[1]) -> None:
    """A fusion classifier reads the last columns as embeddings: refuse a matrix without
    them (e.g. a TF-IDF matrix computed earlier), which it would silently split wrongly."""
    dimension = FUSION_BLOCKS[family(classifier)]
    features = " or ".join(f for f, c in PAIRS if c == family(classifier))
    filled = 0
    first = X.shape[1] - dimension
    if first > 0:  # counted in place: slicing the block would copy it (seconds at 100k records)
        filled = (int(np.count_nonzero(X.indices >= first)) if sparse.issparse(X)
                  else int(np.count_nonzero(X[:, first:])))
    if filled < 0.9 * rows_with_text * dimension:
        raise ValueError(
            f"the {classifier} classifier needs {features} features (embeddings in the last "
            f"{dimension} columns); this matrix has no such block")
