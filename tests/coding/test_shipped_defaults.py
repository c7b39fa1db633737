"""The shipped coding weights can be rebuilt: ``scripts/fit_coding_defaults.py`` run afresh gives
``src/logicmap/coding/semantic_defaults.json`` (same structure, thresholds and variants; weights within
floating-point noise), so a change that moves them without a refit is caught."""

from __future__ import annotations

import importlib.util
import json
import math
from pathlib import Path

import pytest

from logicmap.screening.embeddings import torch_model_installed

ROOT = Path(__file__).resolve().parents[2]
SHIPPED = ROOT / "src" / "logicmap" / "coding" / "semantic_defaults.json"


def differences(shipped, rebuilt, path: str = "") -> list[str]:
    """Where ``rebuilt`` differs from ``shipped``: any key, length, string or integer, and floats
    beyond noise (relative 1e-4, absolute 1e-5: a rebuild moved no weight by more than 2e-6)."""
    if isinstance(shipped, dict) and isinstance(rebuilt, dict):
        if shipped.keys() != rebuilt.keys():
            return [f"{path}: keys {sorted(shipped.keys() ^ rebuilt.keys())}"]
        return [d for key in shipped for d in differences(shipped[key], rebuilt[key], f"{path}/{key}")]
    if isinstance(shipped, list) and isinstance(rebuilt, list):
        if len(shipped) != len(rebuilt):
            return [f"{path}: {len(shipped)} items, rebuilt {len(rebuilt)}"]
        return [d for i, (a, b) in enumerate(zip(shipped, rebuilt)) for d in differences(a, b, f"{path}[{i}]")]
    if isinstance(shipped, float) and isinstance(rebuilt, (int, float)) and not isinstance(rebuilt, bool):
        close = math.isclose(shipped, rebuilt, rel_tol=1e-4, abs_tol=1e-5)
        return [] if close else [f"{path}: {shipped} rebuilt {rebuilt}"]
    return [] if shipped == rebuilt else [f"{path}: {shipped!r} rebuilt {rebuilt!r}"]


def test_differences_sees_a_moved_threshold_and_ignores_noise():
    shipped = {"a": {"threshold": 0.42, "coef": [1.0, -0.5], "variant": "lean"}}
    assert differences(shipped, {"a": {"threshold": 0.42 + 1e-9, "coef": [1.0000001, -0.5], "variant": "lean"}}) == []
    assert differences(shipped, {"a": {"threshold": 0.43, "coef": [1.0, -0.5], "variant": "lean"}}) == [
        "/a/threshold: 0.42 rebuilt 0.43"]
    assert differences(shipped, {"a": {"threshold": 0.42, "coef": [1.0], "variant": "all"}}) == [
        "/a/coef: 2 items, rebuilt 1", "/a/variant: 'lean' rebuilt 'all'"]


def test_the_shipped_weights_are_what_the_script_fits(tmp_path, monkeypatch):
    script = ROOT / "scripts" / "fit_coding_defaults.py"
    if not script.exists():
        pytest.skip("needs the checkout's scripts/ folder")
    if not torch_model_installed():
        pytest.skip("the shipped weights were fitted with the [embed] extra's encoder, not installed here")
    monkeypatch.setenv("LOGICMAP_EMBED_BACKEND", "torch")
    monkeypatch.setenv("LOGICMAP_CODING_CACHE", str(tmp_path / "cache.db"))
    spec = importlib.util.spec_from_file_location("fit_coding_defaults", script)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    rebuilt = tmp_path / "semantic_defaults.json"
    module.main(["--output", str(rebuilt)])
    shipped = json.loads(SHIPPED.read_text(encoding="utf-8"))
    assert differences(shipped, json.loads(rebuilt.read_text(encoding="utf-8"))) == []
