"""Reading labelled CSVs (bad input gives clear errors) and the simulate command."""

from __future__ import annotations

import csv
import json

import pytest
import typer
from typer.testing import CliRunner

from tests.support import shared_path
from logicmap.cli import app as logicmap_app
from logicmap.errors import ScreeningDataError
from logicmap.screening.dataset import load_labelled

HEADER = "record_id,title,abstract,label_included\n"


def write(tmp_path, body: str, header: str = HEADER, name: str = "data.csv"):
    path = tmp_path / name
    path.write_text(header + body, encoding="utf-8")
    return path


def rows(n: int, label=lambda i: int(i % 4 == 0)) -> str:
    return "".join(f"{i},Title {i} about topic {i % 3},Abstract words {i},{label(i)}\n"
                   for i in range(n))


@pytest.mark.parametrize(
    ("body", "header", "match"),
    [
        (rows(1), HEADER, r"data.csv: has 1 record\(s\)"),
        (rows(8, lambda i: 0), HEADER, r"column 'label_included': every record is irrelevant"),
        (rows(8, lambda i: ""), HEADER, r"column 'label_included', row 0: label is empty"),
        (rows(3) + "3,T,A,maybe\n", HEADER, r"column 'label_included', row 3: label is not binary"),
        (rows(3) + "3,T,A,\n", HEADER, r"row 3: label is empty"),
        ("0,T,A\n1,U,B\n", "record_id,title,abstract\n", r"no inclusion-label column"),
        ("0,x,1\n", "a,b,c\n", r"cannot read the file"),
    ],
)
def test_bad_input_is_named(tmp_path, body, header, match):
    with pytest.raises(ScreeningDataError, match=match):
        load_labelled(write(tmp_path, body, header))


def test_missing_file(tmp_path):
    with pytest.raises(ScreeningDataError, match="file not found"):
        load_labelled(tmp_path / "nope.csv")


def test_titles_only_is_a_documented_fallback(tmp_path):
    path = write(tmp_path, "".join(f"{i},Title {i},{int(i < 2)}\n" for i in range(6)),
                 "record_id,title,label_included\n")
    data = load_labelled(path)
    assert len(data) == 6 and data.labels[:3] == [1, 1, 0]
    assert any("titles only" in w for w in data.warnings)


def test_every_row_kept_in_file_order(tmp_path):
    body = "0,First,,1\n1,,,0\n2,Third,Abstract,0\n"
    data = load_labelled(write(tmp_path, body))
    assert data.texts == ["First", "", "Third Abstract"]
    assert data.labels == [1, 0, 0]


def app() -> typer.Typer:
    return logicmap_app


@pytest.fixture(scope="module")
def embedding_cache(tmp_path_factory):
    """One embedding cache for the simulations of this module: each text is embedded once."""
    return tmp_path_factory.mktemp("cache") / "embeddings.db"


def test_cli_end_to_end(tmp_path, embedding_cache):
    data = shared_path("screening/Cohen_2006_Antihistamines.csv")
    out = tmp_path / "sim"
    result = CliRunner().invoke(app(), ["simulate", str(data), "--seed", "3", "--prior-ids", "10,4",
                                        "--output", str(out), "--embedding-cache", str(embedding_cache)])
    assert result.exit_code == 0, result.output
    summary = json.loads(result.output.strip().splitlines()[-1])
    assert summary["n_records"] == 310 and summary["n_relevant"] == 16
    assert summary["prior_ids"] == [10, 4]
    assert 0 <= summary["recall@10%"] <= 1
    stopping = summary["stopping"]
    assert "buscar_95_95" in stopping and stopping["default"] in stopping
    for name, entry in stopping.items():  # issue 18 item 4: one object per rule, the default named
        if name != "default":
            assert isinstance(entry["stopped"], bool) and 0 <= entry["recall"] <= 1, name
            assert entry["work_saved"] == 1 - entry["records_screened"] / 310, name
    for name in ("target_95_95", "qbcb_95_95", "safe_95_95", "knee"):
        entry = stopping[name]
        assert 0 < entry["records_screened"] <= 310 and entry["work_saved"] == 1 - entry["records_screened"] / 310
        assert entry["recall_interval"][0] <= entry["recall_estimate"] <= entry["recall_interval"][1]
    with (out / "order.csv").open(newline="") as fh:
        table = list(csv.DictReader(fh))
    assert len(table) == 310
    assert [r["record_id"] for r in table[:2]] == ["10", "4"]
    assert sorted(int(r["record_id"]) for r in table) == list(range(310))
    assert [int(r["step"]) for r in table[:3]] == [1, 2, 3]
    assert (out / "recall_curve.svg").read_text().lstrip().startswith("<svg")
    assert (out / "recall_curve.png").read_bytes()[:4] == b"\x89PNG"


def test_cli_same_seed_same_order(tmp_path, embedding_cache):
    data = shared_path("screening/Cohen_2006_Antihistamines.csv")
    orders = []
    for run in ("a", "b"):  # the second run reads every embedding from the cache the first one filled
        result = CliRunner().invoke(app(), ["simulate", str(data), "--seed", "5", "--output", str(tmp_path / run),
                                            "--embedding-cache", str(embedding_cache)])
        assert result.exit_code == 0, result.output
        orders.append((tmp_path / run / "order.csv").read_text())
    assert orders[0] == orders[1]


def test_cli_embedding_cache_keeps_one_vector_per_text(tmp_path):
    from logicmap.api import Review, load_labelled
    path = write(tmp_path, rows(12))
    cache = tmp_path / "cache.db"
    for run in ("a", "b"):
        result = CliRunner().invoke(app(), ["simulate", str(path), "--features", "embed", "--classifier", "svm",
                                            "--output", str(tmp_path / run), "--embedding-cache", str(cache)])
        assert result.exit_code == 0, result.output
    texts = {t for t in load_labelled(path).texts if t}
    with Review.open(cache) as review:
        assert review.screening.embedding_cache().count() == len(texts)
    assert (tmp_path / "a" / "order.csv").read_text() == (tmp_path / "b" / "order.csv").read_text()


@pytest.mark.parametrize(
    ("body", "args", "message"),
    [
        (rows(8, lambda i: 0), [], "every record is irrelevant"),
        (rows(8), ["--prior-ids", "1,x"], "--prior-ids takes 0-based row numbers"),
        (rows(8), ["--prior-ids", "1,99"], "prior id 99 is outside"),
    ],
)
def test_cli_bad_input_no_traceback(tmp_path, body, args, message):
    path = write(tmp_path, body)
    result = CliRunner().invoke(app(), ["simulate", str(path), "--output", str(tmp_path / "o"),
                                        *args])
    assert result.exit_code == 1
    assert message in result.output
    assert "Traceback" not in result.output
    assert not isinstance(result.exception, ScreeningDataError)


def test_cli_engine_options_choose_the_model(tmp_path, embedding_cache):
    data = shared_path("screening/Cohen_2006_Antihistamines.csv")
    orders = {}
    for name, extra in (("default", []),
                        ("older", ["--features", "tfidf", "--classifier", "svm"])):
        result = CliRunner().invoke(app(), ["simulate", str(data), "--seed", "2", "--prior-ids", "10,4",
                                            "--output", str(tmp_path / name), *extra,
                                            "--embedding-cache", str(embedding_cache)])
        assert result.exit_code == 0, result.output
        orders[name] = (tmp_path / name / "order.csv").read_text()
    # same priors, different model: the orders must differ after the priors
    assert orders["default"].splitlines()[:3] == orders["older"].splitlines()[:3]
    assert orders["default"] != orders["older"]


def test_cli_retrain_share_is_reported_and_changes_only_what_it_should(tmp_path):
    data = shared_path("screening/Cohen_2006_Antihistamines.csv")
    out = {}
    for share in ("0", "0.2"):
        result = CliRunner().invoke(app(), ["simulate", str(data), "--seed", "3", "--features", "tfidf",
                                            "--classifier", "svm", "--retrain-share", share,
                                            "--output", str(tmp_path / share)])
        assert result.exit_code == 0, result.output
        out[share] = (json.loads(result.output.strip().splitlines()[-1]),
                      (tmp_path / share / "order.csv").read_text().splitlines())
    assert out["0"][0]["retrain_share"] == 0 and out["0.2"][0]["retrain_share"] == 0.2
    assert out["0"][1][:4] == out["0.2"][1][:4]  # the priors, then the first fit's pick
    assert out["0"][1] != out["0.2"][1]  # fewer refits, another order
    refused = CliRunner().invoke(app(), ["simulate", str(data), "--retrain-share", "1.5",
                                         "--output", str(tmp_path / "x")])
    assert refused.exit_code == 2 and "Traceback" not in refused.output


@pytest.mark.parametrize(("option", "value", "message"), [
    ("--classifier", "forest", "unknown classifier 'forest'"),
    ("--features", "bag", "unknown feature extractor 'bag'"),
    ("--query", "random", "unknown query strategy 'random'"),
])
def test_cli_unknown_engine_option(tmp_path, option, value, message):
    path = write(tmp_path, rows(8))
    result = CliRunner().invoke(app(), ["simulate", str(path), option, value,
                                        "--output", str(tmp_path / "o")])
    assert result.exit_code == 2
    assert message in result.output
    assert "Traceback" not in result.output
