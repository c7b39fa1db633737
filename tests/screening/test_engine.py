"""The engine: reproducibility, priors first, cold start, query strategies."""

from __future__ import annotations

import numpy as np
import pytest

from logicmap.errors import ScreeningDataError
from logicmap.screening import ActiveLearner, draw_priors, simulate
from logicmap.screening.classifiers import make_classifier
from logicmap.screening.engine import EMPTY_WINDOW, UNLABELLED
from logicmap.screening.query import QueryStrategy


def toy_corpus(n: int = 120, seed: int = 0) -> tuple[list[str], list[int]]:
    """Relevant records talk about 'nudge' trials; the rest about other topics."""
    rng = np.random.default_rng(seed)
    topics = ["heart surgery outcome", "soil bacteria growth", "stock market volatility",
              "galaxy formation model", "protein folding energy"]
    texts, labels = [], []
    for i in range(n):
        relevant = i % 10 == 3
        words = list(rng.choice(topics).split()) * 2 + list(rng.choice(["study", "trial", "data"], 3))
        if relevant:
            words += ["nudge", "clinician", "behaviour", "randomised"]
        rng.shuffle(words)
        texts.append(" ".join(words))
        labels.append(int(relevant))
    return texts, labels


def test_same_seed_same_order():
    texts, labels = toy_corpus()
    a = simulate(texts, labels, seed=7, until_all_found=False)
    b = simulate(texts, labels, seed=7, until_all_found=False)
    assert a.order.tolist() == b.order.tolist()
    assert sorted(a.order.tolist()) == list(range(len(texts)))


def test_priors_come_first_and_are_drawn_by_seed():
    texts, labels = toy_corpus()
    priors = draw_priors(labels, 3)
    assert labels[priors[0]] == 1 and labels[priors[1]] == 0
    result = simulate(texts, labels, seed=3)
    assert result.prior_ids == priors
    given = simulate(texts, labels, seed=3, prior_ids=[5, 13, 23])
    assert given.order[:3].tolist() == [5, 13, 23]


def test_engine_finds_relevant_records_early():
    texts, labels = toy_corpus()
    result = simulate(texts, labels, seed=1)
    assert result.metrics["wss@95"] > 0.6
    assert result.metrics["records_to_100%"] <= 30  # 12 relevant among 120


def test_row_order_does_not_matter():
    texts, labels = toy_corpus()
    perm = np.random.default_rng(5).permutation(len(texts))
    shuffled = simulate([texts[i] for i in perm], [labels[i] for i in perm], seed=2,
                        prior_ids=[int(np.flatnonzero(perm == i)[0]) for i in (3, 0)])
    plain = simulate(texts, labels, seed=2, prior_ids=[3, 0])
    assert abs(shuffled.metrics["wss@95"] - plain.metrics["wss@95"]) < 0.1


@pytest.mark.parametrize("classifier", ["logistic", "svm", "svm-asreview", "svm-balanced", "nb",
                                        "sgd", "ensemble", "logistic+nb"])
def test_every_classifier_ranks(classifier):
    texts, labels = toy_corpus()
    learner = ActiveLearner(classifier=classifier, seed=0).fit(texts)
    for index in range(30):  # 3 relevant, 27 irrelevant
        learner.label(index, labels[index])
    top = learner.rank()[:5]
    assert sum(labels[i] for i in top) >= (3 if classifier == "nb" else 4)


@pytest.mark.parametrize("query", ["max", "uncertainty", "mixed"])
def test_query_strategies_are_seeded(query):
    texts, labels = toy_corpus()
    orders = []
    for _ in range(2):
        learner = ActiveLearner(query=query, seed=4).fit(texts)
        run = simulate(texts, labels, seed=4, learner=learner, until_all_found=False, rules=[])
        orders.append(run.order.tolist())
    assert orders[0] == orders[1]


def test_cold_start_from_criteria():
    texts, labels = toy_corpus()
    learner = ActiveLearner(seed=0, criteria="nudge interventions for clinician behaviour").fit(texts)
    assert not learner.can_train
    assert labels[learner.next()] == 1
    result = simulate(texts, labels, seed=0, criteria="nudge clinician behaviour")
    assert result.n_priors == 0
    assert result.labels[0] == 1


def test_cold_start_without_criteria_is_random_but_seeded():
    texts, _ = toy_corpus()
    a = ActiveLearner(seed=9).fit(texts).rank()
    b = ActiveLearner(seed=9).fit(texts).rank()
    assert a.tolist() == b.tolist()


def test_bad_arguments():
    texts, labels = toy_corpus(20)
    learner = ActiveLearner().fit(texts)
    with pytest.raises(ValueError):
        learner.label(0, 2)
    with pytest.raises(IndexError):
        learner.label(99, 1)
    with pytest.raises(ScreeningDataError, match="outside"):
        simulate(texts, labels, seed=0, prior_ids=[0, 500])
    with pytest.raises(ScreeningDataError):
        simulate(texts, [0] * 20, seed=0)
    with pytest.raises(ValueError):
        make_classifier("forest")
    with pytest.raises(ValueError):
        QueryStrategy("random")


def test_records_without_text_get_a_neutral_score():
    texts, labels = toy_corpus()
    texts[50] = ""
    learner = ActiveLearner(seed=0).fit(texts)
    for index in range(20):
        learner.label(index, labels[index])
    ranked = learner.rank().tolist()
    assert learner.empty_[50] and learner.empty_.sum() == 1
    assert 0.2 < ranked.index(50) / len(ranked) < 0.8


def tired_learner(policy: str) -> tuple[ActiveLearner, int]:
    """300 toy records, two of them (253 relevant, 257 not) without text: the 29 relevant
    records with text found first, then 90 irrelevant ones; also the next irrelevant one."""
    texts, labels = toy_corpus(300)
    texts[253] = texts[257] = ""
    learner = ActiveLearner(seed=0, empty_policy=policy).fit(texts)
    for index in [i for i in range(300) if labels[i] and texts[i]]:
        learner.label(index, 1)
    misses = [i for i in range(300) if not labels[i] and texts[i]][:91]
    for index in misses[:-1]:
        learner.label(index, 0)
    return learner, misses[-1]


def test_records_without_text_come_first_once_the_model_tires():
    assert EMPTY_WINDOW == 100  # the counts below
    learner, miss = tired_learner("base-rate")
    # the last 100 screened hold 10 relevant records, not fewer than 29 found of 300 records
    assert not learner.model_tired()
    assert 0.2 < learner.rank().tolist().index(253) / len(learner.rank()) < 0.8
    learner.label(miss, 0)  # now 9 in the last 100, fewer than 29 of 300 (9.67 per 100)
    assert learner.model_tired()
    assert sorted(learner.rank()[:2].tolist()) == [253, 257]
    learner.unlabel(miss)  # an undo takes it back
    assert not learner.model_tired()


def test_a_model_still_finding_records_is_not_tired():
    texts, labels = toy_corpus(300)
    learner = ActiveLearner(seed=0).fit(texts)
    relevant = [i for i in range(300) if labels[i]][:20]
    for index in relevant + [i for i in range(300) if not labels[i]][:80]:
        learner.label(index, labels[index])
    assert not learner.model_tired()  # 20 in the last 100, against 20 of 300 (6.7 per 100)


def test_the_median_policy_keeps_records_without_text_in_the_middle():
    learner, miss = tired_learner("median")
    learner.label(miss, 0)
    ranked = learner.rank().tolist()
    assert learner.model_tired() and 0.2 < ranked.index(253) / len(ranked) < 0.8
    with pytest.raises(ValueError, match="empty_policy"):
        ActiveLearner(empty_policy="last").fit(["a b", "c d"])


@pytest.mark.parametrize("query", ["max", "mixed"])
def test_next_is_the_top_of_the_ranking(query):
    texts, labels = toy_corpus()
    a = ActiveLearner(seed=3, query=query).fit(texts)
    b = ActiveLearner(seed=3, query=query).fit(texts)
    for index in range(12):
        a.label(index, labels[index])
        b.label(index, labels[index])
    assert a.next() == int(b.rank()[0])


def test_store_side_modules_do_not_import_scikit_learn():
    import subprocess
    import sys

    code = ("import sys, logicmap.screening.metrics, logicmap.errors; "
            "print('sklearn' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_unlabel_forgets_a_decision():
    from logicmap.screening.engine import ActiveLearner

    texts = ["peer support recovery", "housing first", "peer recovery college", "drug trial dosage"]
    learner = ActiveLearner(seed=0).fit(texts)
    learner.label(0, 1)
    learner.label(3, 0)
    learner.unlabel(3)
    assert learner.history_ == [0] and learner.labels_[3] == -1 and not learner.can_train
    learner.unlabel(3)  # forgetting twice is harmless
    assert learner.history_ == [0]


def test_asreview_weights_sum_to_the_labelled_count():
    from logicmap.screening.models import ratio_weights

    y = np.array([1, 1, 0, 0, 0, 0, 0, 0, 0, 0])
    plain = ratio_weights(y, 9.8)
    scaled = ratio_weights(y, 9.8, normalise=True)
    # relevant class weighs 9.8 times the irrelevant class's total, either way
    assert plain[y == 1].sum() == pytest.approx(9.8 * plain[y == 0].sum())
    assert scaled[y == 1].sum() == pytest.approx(9.8 * scaled[y == 0].sum())
    assert scaled.sum() == pytest.approx(len(y))
    assert plain.sum() < len(y)


def test_asreview_preset_ranks_like_a_model():
    texts, labels = toy_corpus()
    learner = ActiveLearner(features="tfidf-asreview", classifier="svm-asreview", seed=0).fit(texts)
    for index in range(30):
        learner.label(index, labels[index])
    top = learner.rank()[:5]
    assert sum(labels[i] for i in top) >= 4


def test_auto_engine_pairs_features_and_classifier():
    from logicmap.screening import presets

    assert presets.resolve_engine("tfidf+embed", "auto") == ("tfidf+embed", "svm-fusion")
    assert presets.resolve_engine("auto", "svm-fusion") == ("tfidf+embed", "svm-fusion")
    assert presets.resolve_engine("auto", "nb") == ("tfidf", "nb")
    assert presets.resolve_engine("tfidf-char", "auto") == ("tfidf-char", "svm")
    assert presets.resolve_engine("tfidf+static", "auto") == ("tfidf+static", "svm-fusion-static")
    assert presets.resolve_engine("auto", "svm-fusion-static") == ("tfidf+static", "svm-fusion-static")
    assert presets.resolve_engine("tfidf-asreview+char+embed", "auto") == presets.ASREVIEW_FUSION_ENGINE
    assert presets.resolve_engine("tfidf-asreview+charlsa+embed", "auto") == presets.AGREE_ENGINE
    assert presets.resolve_engine("auto", "svm-asreview-agree") == presets.AGREE_ENGINE
    assert presets.resolve_engine("tfidf-asreview+charlsa+embed128", "auto") == presets.AGREE128_ENGINE
    assert presets.resolve_engine("tfidf-asreview+charlsa+embed64", "auto") == presets.AGREE64_ENGINE
    assert presets.resolve_engine("auto", "svm-asreview-fusion") == presets.LSA_FUSION_ENGINE
    assert presets.resolve_engine("tfidf-asreview+char", "auto") == ("tfidf-asreview+char", "svm-asreview")
    assert presets.resolve_engine("tfidf-asreview", "auto") == ("tfidf-asreview", "svm-asreview")
    assert presets.resolve_engine("auto", "svm-asreview") == ("tfidf-asreview", "svm-asreview")
    # the default needs no extra; above EMBED_MAX_RECORDS it does without embeddings
    assert presets.resolve_engine("auto", "auto") == presets.AGREE_ENGINE
    assert presets.resolve_engine("auto", "auto", 20_001) == presets.AGREE_ENGINE  # 64 pieces in stops 45-46
    assert presets.resolve_engine("auto", "auto", presets.EMBED_MAX_RECORDS) == presets.AGREE_ENGINE
    # above it the TF-IDF engine, whose character block is dropped there: named as it runs
    assert presets.resolve_engine("auto", "auto", presets.EMBED_MAX_RECORDS + 1) == presets.ASREVIEW_ENGINE
    assert presets.resolve_engine("tfidf+embed", "auto", 10**6) == ("tfidf+embed", "svm-fusion")  # chosen: kept


def test_an_engine_without_its_character_block_is_named_as_it_runs():
    from logicmap.screening import presets
    from logicmap.screening.features import CHAR_MAX_RECORDS, make_features

    texts = ["Peer support groups for recovery", "Housing first and recovery colleges",
             "Antihistamines in allergic rhinitis", "Recovery-oriented peer workers"]
    dropped = make_features(presets.TFIDF_ENGINE[0]).set_params(char_max_records=len(texts) - 1)
    word = make_features(presets.ASREVIEW_ENGINE[0])
    assert (dropped.fit_transform(texts) != word.fit_transform(texts)).nnz == 0  # the same matrix
    assert make_features(presets.TFIDF_ENGINE[0]).fit_transform(texts).shape[1] > word.fit_transform(texts).shape[1]
    assert presets.without_characters(presets.TFIDF_ENGINE, CHAR_MAX_RECORDS + 1) == presets.ASREVIEW_ENGINE
    assert presets.without_characters(presets.TFIDF_ENGINE, CHAR_MAX_RECORDS) == presets.TFIDF_ENGINE
    assert "character" not in presets.engine_description(*presets.ASREVIEW_ENGINE)
    # the interim engine (rule Z, stop 49) has no character block at any size
    assert presets.without_characters(presets.INTERIM_ENGINE, 1) == presets.INTERIM_ENGINE == presets.ASREVIEW_ENGINE
    # the agree engine's TF-IDF block without its character SVD is tfidf-asreview's
    dropped = make_features("tfidf-asreview+charlsa").set_params(char_max_records=len(texts) - 1)
    assert (dropped.fit_transform(texts) != word.fit_transform(texts)).nnz == 0
    assert presets.without_characters(presets.AGREE_ENGINE, CHAR_MAX_RECORDS + 1) == presets.WORD_AGREE_ENGINE
    assert presets.without_characters(presets.AGREE_ENGINE, CHAR_MAX_RECORDS) == presets.AGREE_ENGINE
    assert presets.without_characters(presets.AGREE64_ENGINE, CHAR_MAX_RECORDS + 1) == presets.AGREE64_ENGINE
    # a choice is named as it runs too
    assert (presets.resolve_engine("tfidf-asreview+charlsa+embed", "auto", CHAR_MAX_RECORDS + 1)
            == presets.WORD_AGREE_ENGINE)
    assert presets.resolve_engine("tfidf-asreview+embed", "auto") == presets.WORD_AGREE_ENGINE
    assert "character" not in presets.engine_description(*presets.WORD_AGREE_ENGINE)


def test_fusion_members_fit_their_own_columns_and_the_best_rank_wins():
    # columns 0-3 are one view, 4-5 another; record 6 is relevant in the first view
    # only, record 7 in the second only: each member finds one of them.
    X = np.zeros((10, 6), dtype=np.float32)
    X[[0, 6], 0] = 1.0
    X[[1, 7], 4] = 1.0
    X[[2, 3, 8, 9], 2] = 1.0
    X[[2, 3, 8, 9], 5] = 1.0
    y = np.array([1, 1, 0, 0])
    fused = make_classifier("svm", seed=0)
    from logicmap.screening.classifiers import RankEnsemble
    ensemble = RankEnsemble([fused, "svm"], combine="max", blocks=[(0, -2), (-2, None)])
    ensemble.fit(X[:4], y)
    assert ensemble.needs_all_columns
    assert not ensemble.coef_matrix_[4:, 0].any() and not ensemble.coef_matrix_[:4, 1].any()
    scores = ensemble.decision_function(X[4:])
    assert set(np.argsort(-scores)[:2] + 4) == {6, 7}
    with pytest.raises(ValueError, match="combine"):
        RankEnsemble(["svm"], combine="median").fit(X[:4], y)
    with pytest.raises(ValueError, match="blocks"):
        RankEnsemble(["svm", "nb"], blocks=[(0, 2)]).fit(X[:4], y)


def test_fusion_classifier_keeps_every_column():
    texts, labels = toy_corpus()
    from logicmap.screening.features import TfidfFeatures
    from scipy import sparse

    words = TfidfFeatures().fit_transform(texts)
    rng = np.random.default_rng(0)
    dense = 0.1 * rng.normal(size=(len(texts), 384)).astype(np.float32)
    dense[:, 0] += 3 * np.asarray(labels)  # the second view also separates the classes
    matrix = sparse.hstack([words, sparse.csr_matrix(dense)], format="csr")
    learner = ActiveLearner(features="tfidf+embed", seed=0).fit(matrix=matrix)
    assert learner.classifier_ == "svm-fusion"
    for index in range(30):
        learner.label(index, labels[index])
    top = learner.rank()[:5]
    assert learner.columns_ is None  # blocks are positional: no column reduction
    assert sum(labels[i] for i in top) >= 4


def test_fusion_refuses_a_matrix_without_embeddings():
    from logicmap.screening.features import TfidfFeatures

    texts, _ = toy_corpus()
    words = TfidfFeatures().fit_transform(texts)
    with pytest.raises(ValueError, match="tfidf\\+embed"):
        ActiveLearner(classifier="svm-fusion").fit(matrix=words)
    with pytest.raises(ValueError, match="tfidf\\+static"):
        ActiveLearner(classifier="svm-fusion-static").fit(matrix=words)
    with pytest.raises(ValueError, match="tfidf-asreview\\+charlsa\\+embed"):
        ActiveLearner(classifier="svm-asreview-fusion").fit(matrix=words)


def test_the_asreview_fusion_puts_elas_u4s_svm_on_the_tfidf_block_and_finds_what_either_view_finds():
    texts, labels = toy_corpus()
    from logicmap.screening.features import TfidfFeatures
    from scipy import sparse

    model = make_classifier("svm-asreview-fusion", seed=3)
    assert model.members[0] == "svm-asreview" and model.combine == "max"
    words = TfidfFeatures(analyzer="word+char", min_df=1, max_df=0.95, stop_words=None).fit_transform(texts)
    rng = np.random.default_rng(0)
    dense = 0.1 * rng.normal(size=(len(texts), 384)).astype(np.float32)
    dense[:, 0] += 3 * np.asarray(labels)
    matrix = sparse.hstack([words, sparse.csr_matrix(dense)], format="csr")
    learner = ActiveLearner(features="tfidf-asreview+char+embed", seed=0).fit(matrix=matrix)
    assert learner.classifier_ == "svm-asreview-fusion"
    for index in range(30):
        learner.label(index, labels[index])
    assert sum(labels[i] for i in learner.rank()[:5]) >= 4


def test_block_views_score_like_the_whole_matrix():
    from scipy import sparse

    from logicmap.screening.features import TfidfFeatures
    from logicmap.screening.classifiers import block_views, score_records

    texts, labels = toy_corpus()
    words = TfidfFeatures().fit_transform(texts)
    rng = np.random.default_rng(1)
    dense = rng.normal(size=(len(texts), 384)).astype(np.float32)
    dense /= np.linalg.norm(dense, axis=1, keepdims=True)
    matrix = sparse.hstack([words, sparse.csr_matrix(dense)], format="csr")
    model = make_classifier("svm-fusion", seed=0).fit(matrix[:40], np.asarray(labels[:40]))
    views = block_views(matrix, model.blocks)
    assert sparse.issparse(views[0]) and isinstance(views[1], np.ndarray)  # embeddings dense
    whole, whole_p = score_records(model, matrix)
    split, split_p = score_records(model, matrix, views=views)
    assert np.allclose(model.raw_scores(matrix), model.block_raw_scores(views), atol=1e-5)
    assert np.array_equal(np.argsort(-whole, kind="stable")[:30], np.argsort(-split, kind="stable")[:30])
    assert np.allclose(whole_p, split_p, atol=1e-6)

    learner = ActiveLearner(features="tfidf+embed", seed=0).fit(matrix=matrix)
    for index in range(40):
        learner.label(index, labels[index])
    learner.next()
    first_views = dict(learner._block_views)
    assert len(first_views) == 1  # one split, to score and to fit on: no float64 copy of the whole matrix
    assert all(view.dtype == learner.X_.dtype for view in learner._views(model))
    done = np.flatnonzero(learner.labels_ != UNLABELLED)
    refit = make_classifier("svm-fusion", seed=0).fit(learner.X_[done].astype(np.float64), learner.labels_[done])
    assert np.allclose(learner.model_.coef_matrix_, refit.coef_matrix_)  # the same fit as on the float64 rows
    learner.label(learner.next(), 1)  # a relevant decision: refits
    learner.next()
    assert all(learner._block_views[key] is views for key, views in first_views.items())  # split once
    learner.fit(matrix=matrix)
    assert learner._block_views == {}


def test_presumed_irrelevant_sample_is_seeded_unscreened_and_not_a_decision():
    texts, labels = toy_corpus()
    learner = ActiveLearner(features="tfidf-asreview", classifier="svm-asreview-bmi20", seed=4).fit(texts)
    for index in range(29):
        learner.label(index, labels[index])
    first = learner._presumed_irrelevant(20)
    assert first.size == 20 and first.min() >= 29  # unscreened records only
    assert first.tolist() == learner._presumed_irrelevant(20).tolist()  # same decisions, same draw
    learner.label(29, labels[29])
    assert learner._presumed_irrelevant(20).tolist() != first.tolist()  # drawn afresh per decision
    top = learner.rank()[:5]
    assert sum(labels[i] for i in top) >= 4
    assert learner.history_ == list(range(30))  # the presumed sample stays unscreened
    assert int((learner.labels_ != -1).sum()) == 30


@pytest.mark.parametrize("seed", range(5))
def test_query_order_is_lexsorts_order_with_many_ties(seed):
    """The fast tie-breaking sort (issue 17: ranking a million records) keeps lexsort's exact order."""
    rng = np.random.default_rng(seed)
    n = 5000
    score = rng.integers(0, 40, n).astype(np.float64) / 7  # many ties, several long runs
    continuous = rng.random(n) < 0.5
    score[continuous] = rng.standard_normal(int(continuous.sum()))  # and runs between unique scores
    proba = 1 / (1 + np.exp(-score))
    jitter = rng.permutation(n)
    for name in ("max", "uncertainty"):
        strategy = QueryStrategy(name)
        got = strategy.order(score, proba, jitter, np.random.default_rng(0))
        keys = (jitter, -score) if name == "max" else (jitter, -score, np.abs(proba - 0.5))
        assert np.array_equal(got, np.lexsort(keys))
    distinct = rng.standard_normal(n)
    assert np.array_equal(QueryStrategy("max").order(distinct, proba, jitter, np.random.default_rng(0)),
                          np.lexsort((jitter, -distinct)))


def test_query_order_refuses_a_jitter_with_repeats():
    from logicmap.screening.query import jitter_lexsort

    with pytest.raises(ValueError, match="distinct"):
        jitter_lexsort(np.array([0, 2, 2]), (np.zeros(3),))


def test_a_dataset_too_large_to_embed_soon_gets_the_default_without_embeddings():
    from logicmap.screening import presets

    texts = [f"record {i} about topic {i % 7}" for i in range(presets.EMBED_MAX_RECORDS + 1)]
    learner = ActiveLearner(seed=0).fit(texts)
    assert (learner.features_, learner.classifier_) == presets.ASREVIEW_ENGINE
    assert learner.X_.shape[0] == len(texts)


def test_the_command_lines_help_names_the_embedding_cap():
    import inspect

    from logicmap.cli import screening as screening_cli, web as web_cli
    from logicmap.screening import presets

    for module in (screening_cli, web_cli):
        assert f"{presets.EMBED_MAX_RECORDS:,} records" in inspect.getsource(module)


def test_a_replay_stopped_at_95_percent_recall_scores_what_the_full_replay_does():
    from logicmap.screening.features import make_features

    rng = np.random.default_rng(0)
    topic, other = ["peer", "support", "recovery", "hope", "mentor"], ["dose", "trial", "tablet", "blood", "renal"]
    labels = np.array([1] * 40 + [0] * 360)  # 95% of 40 is 38: of the 38 found, 95% would be 37
    texts = [" ".join(rng.choice(topic if y and i % 7 else other, 6)) + " " + " ".join(rng.choice(topic + other, 4))
             for i, y in enumerate(labels)]  # every 7th relevant record reads like an irrelevant one
    X = make_features("tfidf").fit_transform(texts)
    for seed in (1, 2, 3):
        full, early = (simulate(texts, labels, seed=seed, matrix=X, rules=[], stop_at_recall=recall,
                                learner=ActiveLearner(features="tfidf", classifier="svm", seed=seed))
                       for recall in (1.0, 0.95))
        assert len(early.decision_seconds) < len(full.decision_seconds)  # it did stop sooner
        assert early.metrics["wss@95"] == full.metrics["wss@95"]


def test_a_fusion_classifier_refuses_a_matrix_without_embeddings_naming_every_feature_set_it_takes():
    from scipy import sparse

    from logicmap.screening.presets import check_fusion_matrix

    tfidf_only = sparse.random(20, 500, density=0.05, format="csr", random_state=0)
    with pytest.raises(ValueError) as refused:
        check_fusion_matrix(tfidf_only, rows_with_text=20, classifier="svm-asreview-fusion")
    assert all(f in str(refused.value) for f in ("tfidf-asreview+charlsa+embed", "tfidf-asreview+char+embed",
                                                "tfidf-asreview+char4+embed"))
    with pytest.raises(ValueError, match="needs tfidf\\+embed features"):
        check_fusion_matrix(tfidf_only, rows_with_text=20, classifier="svm-fusion")


def test_the_agreement_fusion_ranks_a_record_both_members_like_before_one_only_one_likes_slightly_more():
    """``svm-asreview-agree`` scores best rank plus mean rank; ``svm-asreview-fusion`` best rank alone
    (the mean only breaking ties)."""
    raw = np.array([[10, 0], [9, 9], [3, 2], [1, 1], [2, 3], [0, 10]], dtype=float)  # records x members
    best = make_classifier("svm-asreview-fusion").combine_ranks(raw)
    agree = make_classifier("svm-asreview-agree").combine_ranks(raw)
    assert set(np.argsort(-best)[:2].tolist()) == {0, 5}  # a top rank of either member first
    assert np.argmax(agree) == 1  # ranked second by both: first with agreement
    same = [repr(m) for m in make_classifier("svm-asreview-fusion").members]
    assert [repr(m) for m in make_classifier("svm-asreview-agree").members] == same


def fused_toy_matrix(seed: int = 0):
    """The toy corpus's TF-IDF beside 384 noisy dense columns that carry the label."""
    from scipy import sparse

    from logicmap.screening.features import TfidfFeatures

    texts, labels = toy_corpus(200, seed=seed)
    words = TfidfFeatures(analyzer="word+char", min_df=1, max_df=0.95, stop_words=None).fit_transform(texts)
    rng = np.random.default_rng(seed)
    dense = rng.normal(size=(len(texts), 384)).astype(np.float32)
    dense[:, 0] += np.asarray(labels)
    dense /= np.linalg.norm(dense, axis=1, keepdims=True)
    return sparse.hstack([words, sparse.csr_matrix(dense)], format="csr"), np.asarray(labels)


def test_members_fitted_in_worker_processes_get_the_same_weights_and_order(monkeypatch):
    from logicmap.screening import classifiers
    from logicmap.screening.classifiers import fusion_classifier

    matrix, labels = fused_toy_matrix()
    monkeypatch.setattr(classifiers, "PARALLEL_MIN_NNZ", 0)  # the toy matrix is far below it
    in_turn = fusion_classifier(seed=5, first="svm-asreview", agreement=1.0, n_jobs=None)
    at_once = fusion_classifier(seed=5, first="svm-asreview", agreement=1.0, n_jobs=2)
    a = in_turn.fit(matrix[:120], labels[:120])
    b = at_once.fit(matrix[:120], labels[:120])
    assert np.array_equal(a.coef_matrix_, b.coef_matrix_)
    assert np.array_equal(a.intercepts_, b.intercepts_)

    orders = []
    for model in (in_turn, at_once):
        learner = ActiveLearner(features="tfidf-asreview+charlsa+embed", classifier=model, seed=2)
        learner.fit(matrix=matrix, labels=np.where(np.arange(len(labels)) < 20, labels, -1))
        order = []
        for _ in range(60):
            pick = learner.next()
            learner.label(pick, int(labels[pick]))
            order.append(pick)
        orders.append(order)
    assert orders[0] == orders[1]


@pytest.mark.parametrize("stingy_at", [0, 1])
def test_a_worker_fits_warnings_reach_the_caller(monkeypatch, stingy_at):
    from sklearn.exceptions import ConvergenceWarning
    from sklearn.svm import LinearSVC

    from logicmap.screening import classifiers
    from logicmap.screening.classifiers import RankEnsemble

    matrix, labels = fused_toy_matrix(seed=1)
    monkeypatch.setattr(classifiers, "PARALLEL_MIN_NNZ", 0)
    members = ["svm", "svm"]
    members[stingy_at] = LinearSVC(C=100.0, max_iter=1, random_state=0)  # here, then in a worker
    model = RankEnsemble(members, combine="max", blocks=[(0, -384), (-384, None)], n_jobs=2)
    with pytest.warns(ConvergenceWarning):
        model.fit(matrix, labels)


def test_the_worker_process_stays_up_while_a_reviewer_reads_a_record(monkeypatch):
    """Loky stops workers idle for 10 s unless told otherwise, and a reviewer reads a record longer:
    every refit then paid a worker start (about 2.5 s at 10,000 records, 5,000 decided)."""
    import os
    import time

    from joblib.externals.loky import get_reusable_executor

    from logicmap.screening import classifiers
    from logicmap.screening.classifiers import RankEnsemble

    matrix, labels = fused_toy_matrix(seed=1)
    monkeypatch.setattr(classifiers, "PARALLEL_MIN_NNZ", 0)
    model = RankEnsemble(["svm", "svm"], blocks=[(0, -384), (-384, None)], n_jobs=2)

    def worker() -> int:
        pool = get_reusable_executor(max_workers=1, timeout=classifiers.WORKER_IDLE_SECONDS)  # the fits' pool
        return pool.submit(os.getpid).result()

    model.fit(matrix, labels)
    before = worker()
    time.sleep(12)  # longer than loky's own 10 s
    model.fit(matrix, labels)
    assert worker() == before


def test_fitting_from_block_views_checks_the_ensembles_settings_as_fit_does():
    from logicmap.screening.classifiers import RankEnsemble, block_views

    matrix, labels = fused_toy_matrix()
    blocks = [(0, -384), (-384, None)]
    views = [view[:60] for view in block_views(matrix, blocks)]
    with pytest.raises(ValueError, match="combine"):
        RankEnsemble(["svm", "svm"], combine="median", blocks=blocks).fit_views(views, labels[:60], matrix.shape[1])
    with pytest.raises(ValueError, match="3 column blocks for 2 members"):
        RankEnsemble(["svm", "svm"], blocks=blocks + [(0, 1)]).fit_views(views, labels[:60], matrix.shape[1])


def test_the_agree_fusions_embedding_svm_takes_its_c_from_the_name():
    assert make_classifier("svm-asreview-agree").members[1].C == 1.0
    assert make_classifier("svm-asreview-agree-c0.3").members[1].C == 0.3
    assert make_classifier("svm-asreview-agree-c3").members[0] == "svm-asreview"
    tfidf_member = make_classifier("svm-asreview-agree-t0.25").members[0]
    assert (tfidf_member.C, tfidf_member.ratio, tfidf_member.normalise) == (0.25, 9.8, True)
    for name in ("svm-asreview-agree-c0", "svm-asreview-agree-c-1", "svm-asreview-agree-cnan"):
        with pytest.raises(ValueError, match="unknown classifier"):
            make_classifier(name)


@pytest.mark.parametrize("classifier", ["svm-asreview-agree-c3", "svm-asreview-agree-t0.25",
                                        "svm-asreview-agree-weighed0.5"])
def test_a_numbered_variant_of_the_agree_fusion_pairs_and_checks_as_the_fusion_does(classifier):
    from logicmap.screening.features import TfidfFeatures
    from logicmap.screening.presets import resolve_engine

    assert resolve_engine("auto", classifier) == ("tfidf-asreview+charlsa+embed", classifier)
    texts, _ = toy_corpus()
    with pytest.raises(ValueError, match="tfidf-asreview\\+charlsa\\+embed"):
        ActiveLearner(classifier=classifier).fit(matrix=TfidfFeatures().fit_transform(texts))
