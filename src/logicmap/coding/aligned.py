"""Suggestions for a codebook that restates a known one in its own words.

Review teams often write their own version of a framework the package knows: their own layer
names, code ids, labels and definitions for the same concepts. :func:`align` pairs such a
codebook's layers with the packaged recovery codebook's, code by code, through sentence
embeddings of what each code says (label, definition, examples). Within a layer (or the layers
that share a role, such as outcomes written one layer per domain), the one-to-one assignment of
best total similarity pairs the codes; a pair is kept when each is the other's best match and its
cosine reaches :data:`MIN_SIMILARITY`, and a layer's pairs only when they cover :data:`MIN_COVER`
of the recovery layer's codes and :data:`MIN_TEAM_COVER` of its own (so a restatement may drop or
merge a code or two, or add many of its own; its unpaired codes are the fallback's). A codebook
with other than two middle layers (between the interventions and the outcomes) has its middle
codes paired against the recovery mechanisms and processes together.

:class:`AlignedModel` then suggests the paired codes from the recovery model (its fitted
weights, key-term lists and statistics: what the package learnt about those concepts), with the
codes translated, and every other code from the model for unseen codebooks. A codebook about
other concepts aligns nothing and is suggested for exactly as before.

Example::

    pairs = align(team_codebook, load_codebook(), encode)        # team code -> recovery code
    model = AlignedModel(team_codebook, reference_model, fallback_model, pairs)
    model.suggest(records)
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import replace

import numpy as np
from scipy.optimize import linear_sum_assignment

from logicmap.codebook.codes import Codebook
from logicmap.coding.feedback import Feedback
from logicmap.coding.semantic_features import Encoder
from logicmap.coding.suggest import Suggestion

#: The lowest cosine an aligned pair may have. Set looking at two team codebooks that restate the
#: recovery model (every code of both paired rightly, the lowest cosine 0.43); the packaged CHIME,
#: realist and classic logic-model codebooks align no layer under it.
MIN_SIMILARITY = 0.4
#: The share of the recovery layer's codes that must pair for a layer to align: a restatement that
#: drops or merges a code or two still aligns (a code dropped from each layer of the two team
#: codebooks: 3/4 or more), another framework's layer whose few codes resemble recovery ones does
#: not (CHIME, realist and logic-model layers: at most 6 of the 14 recovery codes).
MIN_COVER = 2 / 3
#: The share of the team layer's own codes that must pair: a team may add codes of its own to a
#: restated layer and keep its pairs (the team processes plus CHIME's 14: 8 of 22 pair), while a
#: layer of which under a third restates recovery is taken for another framework's. Until stop 39
#: this was MIN_COVER too.
MIN_TEAM_COVER = 1 / 3
#: The middle roles of the recovery codebook, between its interventions and outcomes.
MIDDLE = ("mechanism", "process")


def code_text(code) -> str:
    """What a code says, as embedded for alignment: label, definition and examples."""
    return ". ".join(part for part in (code.label, code.definition or "", "; ".join(code.examples or ())) if part)


def align(codebook: Codebook, reference: Codebook, encode: Encoder,
          min_similarity: float = MIN_SIMILARITY) -> dict[str, str]:
    """``codebook``'s code -> ``reference``'s code, for the codes that align (see the module doc)."""
    if not codebook.codes or not reference.codes:
        return {}
    mine, theirs = _unit_rows(encode, codebook.codes), _unit_rows(encode, reference.codes)
    similarity = mine @ theirs.T
    roles = _roles(codebook)
    their_roles = _roles(reference, pool="middle" in roles.values())
    pairs: dict[str, str] = {}
    for role in dict.fromkeys(roles.values()):  # the layers sharing a role (outcomes by domain) pooled
        rows = [i for i, c in enumerate(codebook.codes) if roles[c.kind] == role]
        cols = [j for j, c in enumerate(reference.codes) if their_roles[c.kind] == role]
        if not rows or not cols:
            continue
        block = similarity[np.ix_(rows, cols)]
        kept = [(i, j) for i, j in zip(*linear_sum_assignment(-block))
                if block[i].argmax() == j and block[:, j].argmax() == i and block[i, j] >= min_similarity]
        if len(kept) >= MIN_COVER * len(cols) and len(kept) >= MIN_TEAM_COVER * len(rows):
            pairs.update({codebook.codes[rows[i]].code: reference.codes[cols[j]].code for i, j in kept})
    return pairs


def _roles(codebook: Codebook, pool: bool = False) -> dict[str, str]:
    """Each layer's role for alignment: its ranking role (:func:`~logicmap.coding.semantic_rank.rank_role`),
    except that the middle layers (mechanism, process) of a codebook with other than two of them (or
    any, with ``pool``) are all ``"middle"``: such a codebook's middle codes are paired against the
    recovery codebook's mechanisms and processes together."""
    from logicmap.coding.semantic_rank import rank_role

    roles = {kind: rank_role(codebook, kind) for kind in codebook.kinds}
    middle = [kind for kind, role in roles.items() if role in MIDDLE]
    if pool or len(middle) != len(MIDDLE):
        roles.update(dict.fromkeys(middle, "middle"))
    return roles


def _unit_rows(encode: Encoder, codes) -> np.ndarray:
    vectors = np.asarray(encode([code_text(c) for c in codes]), dtype=np.float64)
    return vectors / np.maximum(np.linalg.norm(vectors, axis=1, keepdims=True), 1e-12)


class AlignedModel:
    """The reference model for the aligned codes (translated), ``fallback`` for the rest.

    ``fallback`` is the model for a codebook the package has not seen, built on the whole
    ``codebook``; only its suggestions for codes outside ``pairs`` (``left``) are kept. Its similarity
    statistics (``stats``, :meth:`set_stats`, ``builder``) are the ones a project standardises; with
    every code aligned it is never asked, and there is nothing to standardise.
    """

    def __init__(self, codebook: Codebook, reference, fallback, pairs: Mapping[str, str]) -> None:
        self.codebook = codebook
        self.reference = reference
        self.fallback = fallback
        self.pairs = dict(pairs)
        self.back = {theirs: mine for mine, theirs in self.pairs.items()}
        self.left = frozenset(c.code for c in codebook.codes) - set(self.pairs)  # the fallback's codes

    # the fallback's statistics are the ones left to standardise (the reference has its own); with
    # every code aligned the fallback serves nothing, and nothing is left to standardise
    @property
    def stats(self):
        return self.fallback.stats if self.left else self.reference.stats

    @property
    def builder(self):
        return self.fallback.builder

    def set_stats(self, views) -> None:
        self.fallback.set_stats(views)

    def suggest(self, records: Sequence[Mapping], settings=None) -> list[Suggestion]:
        """Suggestions in ``codebook``'s codes, in record order (``settings`` is ignored)."""
        records = list(records)
        translated = [replace(s, code=self.back[s.code], kind=self.codebook[self.back[s.code]].kind)
                      for s in self.reference.suggest(records) if s.code in self.back] if self.pairs else []
        rest = [s for s in self.fallback.suggest(records) if s.code in self.left] if self.left else []
        order = {str(r.get("id")): i for i, r in enumerate(records)}
        kinds = {kind: i for i, kind in enumerate(self.codebook.kinds)}
        return sorted(translated + rest, key=lambda s: (order.get(s.record_id, len(order)), kinds.get(s.kind, 0)))

    def least_sure(self, records: Sequence[Mapping]) -> list[tuple[str, float]]:
        """Record ids, least sure first: the reference model's uncertainty over the codes it suggests
        plus the fallback's over the others."""
        total = dict(self.reference.least_sure(records, codes=set(self.pairs.values())))
        if self.left:
            for record_id, score in self.fallback.least_sure(records, codes=self.left):
                total[record_id] = total.get(record_id, 0.0) + score
        return sorted(total.items(), key=lambda x: (-x[1], x[0]))

    def adapted(self, records: Sequence[Mapping], feedback: Iterable[Feedback],
                evidence: Iterable[tuple[str, str, str]] = (), *, prior_sd: float | None = None) -> AlignedModel:
        """Both models adapted to reviewers' decisions: those on aligned codes (translated) teach
        the reference model, the others the fallback."""
        from logicmap.coding.semantic_adapt import PRIOR_SD, adapt

        prior = {"prior_sd": PRIOR_SD if prior_sd is None else prior_sd}
        feedback, evidence = list(feedback), list(evidence)
        ours = [f for f in feedback if f.code not in self.pairs]
        theirs = [replace(f, code=self.pairs[f.code]) for f in feedback if f.code in self.pairs]
        if self.left:
            self.fallback = adapt(self.fallback, records, ours, [e for e in evidence if e[1] not in self.pairs], **prior)
        if theirs:
            self.reference = adapt(self.reference, records, theirs,
                                   [(r, self.pairs[c], q) for r, c, q in evidence if c in self.pairs], **prior)
        return self


@functools.cache
def _packaged_recovery() -> Codebook:
    """The packaged recovery codebook, parsed and validated once: it never changes, and a project
    asks for its suggestion model at every coding page (about 85 ms a parse)."""
    from logicmap.codebook.loader import load_codebook

    return load_codebook()


def with_known_layers(fallback, codebook: Codebook, encode: Encoder, **kwargs):
    """``fallback`` (the model for an unseen ``codebook``), or an :class:`AlignedModel` over it when
    some of ``codebook``'s codes align with the packaged recovery codebook's."""
    from logicmap.coding.semantic_model import default_model

    recovery = _packaged_recovery()
    pairs = align(codebook, recovery, encode)
    if not pairs:
        return fallback
    return AlignedModel(codebook, default_model(recovery, encode, **kwargs), fallback, pairs)
