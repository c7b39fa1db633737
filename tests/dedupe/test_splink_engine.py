"""The optional splink engine: same interface, guards and quality as the in-process one."""

from __future__ import annotations

import importlib
import sys
import time

import pytest

pytest.importorskip("splink")
pytest.importorskip("duckdb")

from tests.support import shared_path  # noqa: E402
from dedupe_helpers import article, rec  # noqa: E402

from logicmap.dedupe.engine import DedupeEngine, DedupeSettings, InProcessEngine  # noqa: E402
from logicmap.dedupe.backends import make_engine  # noqa: E402
from logicmap.dedupe.scoring import EXPLAINED, GUARD_CAP  # noqa: E402
from logicmap.dedupe.splink_engine import SplinkEngine  # noqa: E402
from logicmap.records.reading import prepare_file  # noqa: E402

SETTINGS = DedupeSettings()
ENGINES = [pytest.param(InProcessEngine, id="inprocess"), pytest.param(SplinkEngine, id="splink")]
TITLE = "Glucagon-like peptide-1 and the endothelium in diabetic mice"


def library():
    """Exact-DOI duplicates, an erratum sharing the DOI, a duplicated Part 1 and its Part 2."""
    glp = dict(year=2012, journal="Diabetologia", volume="55")
    return [
        article(0),
        article(1, title=article().title.upper(), pages="221-228", abstract=None),
        article(2, title=article().title + ": erratum", abstract=None),
        rec(3, title=f"{TITLE}, part 1", authors=["Smith, J."], pages="100-110", **glp),
        rec(4, title=f"{TITLE}. Part 1.", authors=["Smith, J"], pages="100-10", **glp),
        rec(5, title=f"{TITLE}, part 2", authors=["Smith, J."], pages="111-120", **glp),
        rec(6, title="An unrelated paper about sleep in adolescents", year=2019, authors=["Doe, A."]),
    ]


@pytest.mark.parametrize("make", ENGINES)
def test_duplicates_and_guards_on_a_hand_built_library(make):
    engine: DedupeEngine = make()
    result = engine.find_duplicates(library(), settings=SETTINGS)
    assert result.clusters == [[0, 1], [3, 4]]
    pairs = {(p.i, p.j): p for p in result.pairs}
    assert pairs[(0, 1)].decision == pairs[(3, 4)].decision == "duplicate"
    for pair, guard in [((0, 2), "kind"), ((1, 2), "kind"), ((3, 5), "part"), ((4, 5), "part")]:
        found = pairs[pair]
        assert found.decision == "distinct" and found.comparison.veto, pair
        assert found.comparison.score <= GUARD_CAP
        assert any(g.startswith(guard) for g in found.comparison.guards)
    assert all(p.i < p.j for p in result.pairs)
    assert list(pairs[(0, 1)].comparison.agreements)[: len(EXPLAINED)] == list(EXPLAINED)


@pytest.mark.parametrize("make", ENGINES)
def test_incremental_mode_only_scores_pairs_touching_new_records(make):
    records = library()
    result = make().find_duplicates(records, settings=SETTINGS, new=[4])
    assert result.pairs and all(4 in (p.i, p.j) for p in result.pairs)
    assert result.clusters == [[3, 4]]
    assert make().find_duplicates(records, settings=SETTINGS, new=[]).pairs == []
    with pytest.raises(IndexError):
        make().find_duplicates(records, settings=SETTINGS, new=[99])


def test_both_engines_explain_a_pair_the_same_way():
    records = library()
    by_engine = [
        {(p.i, p.j): p.comparison for p in make().find_duplicates(records, settings=SETTINGS).pairs}
        for make in (InProcessEngine, SplinkEngine)
    ]
    assert by_engine[0].keys() == by_engine[1].keys()
    for pair, comparison in by_engine[0].items():
        other = by_engine[1][pair]
        assert (other.explanation, other.guards, other.veto) == (
            comparison.explanation, comparison.guards, comparison.veto)  # fmt: skip


def test_engine_name_factory_and_trivial_inputs():
    engine = make_engine("splink")
    assert isinstance(engine, SplinkEngine) and engine.name == "splink"
    assert engine.find_duplicates([], settings=SETTINGS).clusters == []
    assert engine.find_duplicates([rec(0), rec(1)], settings=SETTINGS).pairs == []


# --- the ASySD labelled set --------------------------------------------------------------


@pytest.fixture(scope="module")
def labelled():
    """Records (gold hidden) and the gold ``source`` column of the ASySD labelled set."""
    records = prepare_file(shared_path("dedup/labelled_test_set.csv")).records
    gold = [record.extra.pop("source") for record in records]
    for record in records:
        record.extra.pop("label", None)
    return records, gold


@pytest.fixture(scope="module")
def runs(labelled):
    """Each engine's result and wall time on the labelled set."""
    records, _ = labelled
    out = {}
    for make in (InProcessEngine, SplinkEngine):
        start = time.perf_counter()
        result = make().find_duplicates(records, settings=SETTINGS)
        out[make.__name__] = (result, time.perf_counter() - start)
    return out


def record_level(result, gold):
    """ASySD scoring: removed records are positives; the gold-unique member is kept."""
    removed = set()
    for cluster in result.clusters:
        keep = next((i for i in cluster if gold[i] == "unique"), cluster[0])
        removed.update(i for i in cluster if i != keep)
    tp = sum(1 for i in removed if gold[i] == "duplicate")
    fp = len(removed) - tp
    fn, tn = gold.count("duplicate") - tp, gold.count("unique") - fp
    return tp / (tp + fn), tn / (tn + fp)


def test_splink_meets_sensitivity_and_specificity_on_the_labelled_set(labelled, runs):
    _, gold = labelled
    result, seconds = runs["SplinkEngine"]
    sensitivity, specificity = record_level(result, gold)
    print(f"splink: sensitivity {sensitivity:.4f}, specificity {specificity:.4f}, {seconds:.1f} s")
    baseline = record_level(runs["InProcessEngine"][0], gold)
    print(f"inprocess: sensitivity {baseline[0]:.4f}, specificity {baseline[1]:.4f}")
    assert sensitivity >= 0.95
    assert specificity >= 0.99


def test_engines_agree_on_the_labelled_set(runs):
    called = [
        {(p.i, p.j) for p in result.pairs if p.decision == "duplicate"}
        for result, _ in (runs["InProcessEngine"], runs["SplinkEngine"])
    ]
    either, both = called[0] | called[1], called[0] & called[1]
    assert len(both) / len(either) >= 0.95, (len(called[0] - both), len(called[1] - both))


def test_training_is_seeded_and_survives_a_tiny_input(labelled):
    records = labelled[0][:20]
    engine = SplinkEngine(train_min_records=2)  # force u-sampling and EM on 20 records
    first = engine.find_duplicates(records, settings=SETTINGS)
    assert engine.training in {"u", "u+em"}
    second = SplinkEngine(train_min_records=2).find_duplicates(records, settings=SETTINGS)
    assert [(p.i, p.j, p.comparison.score) for p in first.pairs] == [
        (p.i, p.j, p.comparison.score) for p in second.pairs
    ]
    assert first.clusters == second.clusters
    default = SplinkEngine()
    default.find_duplicates(records, settings=SETTINGS)
    assert default.training == "priors"


def test_import_without_splink_names_the_extra(monkeypatch):
    for name in ("logicmap.dedupe.splink_engine", "logicmap.dedupe.splink_settings"):
        monkeypatch.delitem(sys.modules, name, raising=False)
    monkeypatch.setitem(sys.modules, "splink", None)
    with pytest.raises(ImportError, match=r"pip install 'logicmap\[splink\]'"):
        importlib.import_module("logicmap.dedupe.splink_engine")


def test_oversized_blocks_are_cut_into_overlapping_chunks():
    import pandas as pd

    from logicmap.dedupe.splink_settings import cap_blocks

    titles = [f"title {i:03d}" for i in range(100)]
    frame = pd.DataFrame({
        "unique_id": range(103),
        "title_compact": [*reversed(titles), "a", "b", "c"],
        "block_0": ["smith|2001"] * 100 + ["small", "small", None],
    })
    keys, shift = cap_blocks(frame, "block_0", max_block=40, window=12)
    assert list(keys[100:102]) == ["small", "small"] and pd.isna(keys[102])
    assert shift[100:].isna().all()
    partners = {i: set() for i in range(100)}
    for column in (keys[:100], shift[:100]):
        for _, members in column.groupby(column).groups.items():
            for i in members:
                partners[i].update(set(members) - {i})
    assert max(len(p) for p in partners.values()) <= 2 * (2 * 12 - 1)
    order = sorted(range(100), key=lambda i: frame.title_compact[i])
    for pos, i in enumerate(order):  # every in-process window pair is compared
        assert set(order[pos + 1 : pos + 13]) <= partners[i]
