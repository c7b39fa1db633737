"""Standardised models kept between coding pages.

A codebook the package has not seen has no similarity statistics: its model standardises them
on the project's included studies (:func:`~logicmap.coding.semantic_adapt.standardise`), about a
second at 58 studies and growing with them. A coding page asks for the model each time, so the
standardised model is kept, as a pickled copy without its sentence encoder, keyed by the
codebook, the encoder and the studies' texts (or a cheaper ``version`` of them that the caller
vouches for: then the texts are read only to standardise); each page gets its own copy
(suggesting and adapting change a model), the same as a freshly standardised one.
"""

from __future__ import annotations

import hashlib
import io
import json
import pickle
import threading
from collections import OrderedDict
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from logicmap.coding.semantic_adapt import standardise

#: How many standardised models are kept (a project rarely has more than one codebook in use).
KEPT = 8
_kept: OrderedDict[str, bytes] = OrderedDict()
_lock = threading.Lock()


def standardised(model: Any, records: Sequence[Mapping] | Callable[[], Sequence[Mapping]], codebook: Any,
                 encode: Callable, version: str | None = None) -> Any:
    """``standardise(model, records)``, computed once per ``codebook``, encoder settings and
    ``records`` texts; later calls get a copy of the kept result with ``encode`` as its encoder.
    ``records`` may be a function that reads them, with ``version`` a string that changes whenever
    they do: it keys the kept model instead of the texts, which are then read only on a miss.
    A model that cannot be pickled is standardised every time."""
    if model.stats is not None:
        return model
    if version is None:
        records = records() if callable(records) else records
        version = json.dumps(list(records), sort_keys=True, default=str)
    digest = hashlib.sha256()
    for part in (repr(codebook), _encoder_key(encode), version):
        digest.update(part.encode("utf-8"))
        digest.update(b"\0")
    key = digest.hexdigest()
    with _lock:  # one web app's requests share the kept models
        data = _kept.get(key)
        if data is not None:
            _kept.move_to_end(key)
    if data is not None:
        return _load(data, encode)
    records = records() if callable(records) else records
    if not records:
        return model
    model = standardise(model, records)
    try:
        data = _dump(model, encode)
    except (pickle.PicklingError, TypeError, AttributeError):
        return model
    with _lock:
        _kept[key] = data
        while len(_kept) > KEPT:
            _kept.popitem(last=False)
    return model


def _encoder_key(encode: Callable) -> str:
    """The encoder's settings (not its cache): what its vectors depend on."""
    owner = getattr(encode, "__self__", None)
    settings = {k: getattr(owner, k, None) for k in ("backend", "model_path")}
    return f"{getattr(encode, '__qualname__', type(encode).__name__)}:{sorted(settings.items())}"


def _dump(model: Any, encode: Callable) -> bytes:
    out = io.BytesIO()
    _EncoderlessPickler(out, encode).dump(model)
    return out.getvalue()


def _load(data: bytes, encode: Callable) -> Any:
    return _EncoderUnpickler(io.BytesIO(data), encode).load()


class _EncoderlessPickler(pickle.Pickler):
    """Pickles a model with its encoder (and the encoder's owner, which holds a project store)
    left out, to be given back on loading."""

    def __init__(self, file, encode: Callable) -> None:
        super().__init__(file, protocol=pickle.HIGHEST_PROTOCOL)
        self.encode, self.owner = encode, getattr(encode, "__self__", None)

    def persistent_id(self, obj: Any) -> str | None:
        if obj is self.encode:
            return "encode"
        if self.owner is not None and obj is self.owner:
            return "owner"
        return None


class _EncoderUnpickler(pickle.Unpickler):
    def __init__(self, file, encode: Callable) -> None:
        super().__init__(file)
        self.encode, self.owner = encode, getattr(encode, "__self__", None)

    def persistent_load(self, pid: str) -> Any:
        return self.encode if pid == "encode" else self.owner
