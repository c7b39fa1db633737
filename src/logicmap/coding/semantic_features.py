"""Per (record, code) evidence features from sentence embeddings, sentence roles, key terms and
the codebook's hypothesised links.

Every code is described by what its codebook says about it: its label, its definition (with the
label), its include note and each example. Every sentence of a record (the title counts as one)
is embedded with the same sentence model (MiniLM from the ``[embed]`` extra, or any ``encode``
callable returning unit vectors), and a sentence's similarity to a code is its best cosine
similarity to one of the code's descriptions. From those similarities, per code:

=============  ==============================================================================
``sim_max``    best similarity over all sentences
``sim_find``   best over finding sentences (results, conclusions; background and methods left out)
``sim_title``  similarity of the title
``sim_top2``   mean of the two best sentences
``margin``     ``sim_max`` minus the best ``sim_max`` of the other codes of its layer
``is_top``     1 for the code of its layer with the highest ``sim_max``
``terms``      the key-term score of :func:`~logicmap.coding.suggest.zero_training_scores`; a
               codebook without term lists is matched on its own words instead: each code's
               examples and the short phrases of its label and include note (:func:`own_terms`)
``prior``      how strongly the record names an intervention code that the codebook links to this
               code as hypothesised (a peer-support study very likely acts through role modelling)
``exclude``    similarity to the code's exclude note (0 when it has none)
``sim_rel``    best over sentences of the code's lead over the other codes of its layer in that sentence
``sim_doc``    similarity of the whole record (the mean of its sentence vectors, the title's twice)
``sim_z``      ``sim_max`` standardised per code over the records at hand (filled in by the model)
``sim_proto``  best similarity to the evidence quotes reviewers gave the code in other records
               (filled in by the model; 0 before any)
=============  ==============================================================================

Before a project's studies are scored, :meth:`FeatureBuilder.adapt_to` may give each intervention
code one more description learnt from those studies' own sentences (pseudo-relevance feedback, no
labels): a team's label such as "Help from people who have been there" then also matches how the
abstracts word it ("peer specialists").

Pure numpy; the sentence model is only called through ``encode``.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from logicmap.codebook.codes import Codebook, Code
from logicmap.coding.matcher import RecordEvidence, TermMatcher
from logicmap.coding.sentence_roles import sentence_roles, strip_heading
from logicmap.coding.suggest import SuggestSettings, zero_training_scores
from logicmap.coding.text import Sentence, split_sentences

#: ``encode(texts)`` -> unit-length vectors, one row per text.
Encoder = Callable[[Sequence[str]], np.ndarray]

FEATURES: tuple[str, ...] = ("sim_max", "sim_find", "sim_title", "sim_top2", "margin", "is_top", "terms", "prior",
                             "exclude", "sim_rel", "sim_doc", "sim_z", "sim_proto")


def code_descriptions(code: Code) -> list[str]:
    """What the codebook says a code is, one text per description (never its term list)."""
    texts = [code.label]
    if code.definition:
        texts.append(f"{code.label}: {code.definition}")
    if code.include:
        texts.append(code.include)
    texts.extend(e for e in code.examples if e.strip())
    return list(dict.fromkeys(t.strip() for t in texts if t.strip()))


_CUT = re.compile(r"[,;/()]|\be\.g\.|\bi\.e\.|:\s+|\s+(?:such as|including)\s+", re.I)
_AND = re.compile(r"\s+(?:and|or)\s+", re.I)
#: Words that never make a term on their own.
_GENERIC = frozenset("a an the of in on for to with by other others any all etc use".split())


def own_terms(code: Code, max_words: int = 4) -> tuple[str, ...]:
    """Key terms a code's own words give when its codebook has no term lists: the short phrases
    (``max_words`` words at most) of its label and include note, split at commas, semicolons,
    slashes and brackets, the label also at "and" / "or" (examples are matched as they stand)."""
    pieces = []
    for text, split_and in ((code.label, True), (code.include, False)):
        for piece in _CUT.split(text or ""):
            pieces.append(piece)
            if split_and:
                pieces.extend(_AND.split(piece))
    out = []
    for piece in pieces:
        piece = piece.strip(" .-'\"")
        words = piece.split()
        if 0 < len(words) <= max_words and not all(w.lower() in _GENERIC for w in words):
            out.append(_open_ending(piece) if OPEN_ENDINGS else piece)
    return tuple(dict.fromkeys(out))


def _open_ending(phrase: str) -> str:
    """The phrase with a long last word (ten letters or more) matched as a prefix without its last
    letter ("horticulture" -> "horticultur*"), so that other forms of the word ("horticultural",
    "psychoeducational") match too."""
    head, _, last = phrase.rpartition(" ")
    if len(last) < 10 or not last.isalpha():
        return phrase
    return f"{head} {last[:-1]}*".strip()


def with_own_terms(codebook: Codebook) -> Codebook:
    """``codebook`` unchanged when any code has a term list, else with :func:`own_terms` as terms."""
    from dataclasses import replace

    if any(c.terms for c in codebook.codes):
        return codebook
    return replace(codebook, codes=tuple(replace(c, terms=own_terms(c)) for c in codebook.codes))


@dataclass
class CodeVectors:
    """The embedded descriptions of every code of a codebook."""

    codes: list[str]
    matrix: np.ndarray  # (descriptions, dim)
    owner: np.ndarray  # code index of each description row
    exclude: np.ndarray  # (codes, dim); zero rows for codes without an exclude note
    owner_base: np.ndarray  # ``owner`` of the codebook's own descriptions (before :meth:`FeatureBuilder.adapt_to`)

    @classmethod
    def build(cls, codebook: Codebook, encode: Encoder) -> CodeVectors:
        codes = [c.code for c in codebook.codes]
        texts, owner = [], []
        for i, c in enumerate(codebook.codes):
            for t in code_descriptions(c):
                texts.append(t)
                owner.append(i)
        matrix = np.asarray(encode(texts), dtype=np.float32)
        excl_texts = [c.exclude.strip() for c in codebook.codes]
        exclude = np.zeros((len(codes), matrix.shape[1]), dtype=np.float32)
        wanted = [i for i, t in enumerate(excl_texts) if t]
        if wanted:
            exclude[wanted] = np.asarray(encode([excl_texts[i] for i in wanted]), dtype=np.float32)
        return cls(codes, matrix, np.asarray(owner), exclude, np.asarray(owner))

    def similarity(self, sentence_vectors: np.ndarray) -> np.ndarray:
        """(sentences, codes): each sentence's best similarity to one of each code's descriptions."""
        raw = sentence_vectors @ self.matrix.T
        out = np.full((len(sentence_vectors), len(self.codes)), -1.0, dtype=np.float32)
        for j in range(len(self.codes)):
            cols = self.owner == j
            if cols.any():
                out[:, j] = raw[:, cols].max(axis=1)
        return out


@dataclass
class RecordView:
    """One record's sentences with their roles, similarities to the codes and key-term evidence."""

    record_id: str
    texts: dict[str, str]
    sentences: list[Sentence]
    roles: list[str]  # "title" for the title, else background/methods/results/conclusions
    sims: np.ndarray  # (sentences, codes)
    vectors: np.ndarray  # (sentences, dim)
    evidence: RecordEvidence
    features: np.ndarray  # (codes, len(FEATURES))


#: Whether a codebook without term lists is matched on its codes' own words (:func:`own_terms`).
OWN_TERMS = True
#: Whether the last word of such a term is matched as a prefix (:func:`_open_ending`).
OPEN_ENDINGS = True
#: Whether sentence roles of unstructured abstracts come from a model learnt on the structured ones.
LEARN_ROLES = True
#: Whether sentences are also matched clause by clause (a short code label such as "Hope" matches a
#: clause better than a long sentence that mentions it among other things).
CLAUSES = True
#: Pseudo-relevance feedback from the project's own texts (no labels): how many sentences, each the
#: clearest lead of a code in its layer within a different record, make the code's extra prototype
#: (0: off), and the weight of their mean against the mean of the code's own descriptions.
FEEDBACK_SENTENCES = 5
FEEDBACK_WEIGHT = 0.5
#: Whether only the intervention layer's codes get such a prototype.
FEEDBACK_INTERVENTION_ONLY = True
_CLAUSE_CUT = re.compile(r"[,;:]\s+|\s+(?:and|or|but|while|whereas|which|with)\s+")


def clauses(sentence: str, limit: int = 8) -> list[str]:
    """The clauses of ``sentence`` of three words or more (none when it has only one)."""
    parts = [p.strip() for p in _CLAUSE_CUT.split(sentence)]
    parts = [p for p in parts if len(p.split()) >= 3]
    return parts[:limit] if len(parts) > 1 else []


def record_sentences(record: Mapping, role_model=None) -> tuple[list[Sentence], list[str]]:
    """The title and the abstract's sentences, with their roles."""
    title = record.get("title") or ""
    abstract = record.get("abstract") or ""
    sentences = split_sentences(title, "title")
    roles = ["title"] * len(sentences)
    for roled in sentence_roles(abstract, model=role_model):
        sentences.append(roled.sentence)
        roles.append(roled.role)
    return sentences, roles


class FeatureBuilder:
    """Builds :class:`RecordView` objects for a codebook with one sentence model."""

    def __init__(self, codebook: Codebook, encode: Encoder, *, role_model=None,
                 settings: SuggestSettings | None = None) -> None:
        self.codebook = codebook
        self.encode = encode
        self.role_model = role_model
        self._abstracts: dict[str, None] = {}
        self._learnt_roles = None
        self.settings = settings or SuggestSettings()
        self.lexicon = with_own_terms(codebook) if OWN_TERMS else codebook
        self.matcher = TermMatcher(self.lexicon)
        self.vectors = CodeVectors.build(codebook, encode)
        self.codes = self.vectors.codes
        self.has_terms = any(c.terms for c in self.lexicon.codes)
        index = {c: i for i, c in enumerate(self.codes)}
        self.kind_cols = {k: np.array([index[c.code] for c in codebook.of_kind(k)], dtype=int) for k in codebook.kinds}
        self.kind_of = np.array([codebook.kinds.index(c.kind) for c in codebook.codes])
        intervention = codebook.intervention_kind
        self.link_sources: dict[int, list[int]] = {}
        for link in codebook.links:
            if (link.status == "hypothesised" and link.source in index and link.target in index
                    and codebook[link.source].kind == intervention):
                self.link_sources.setdefault(index[link.target], []).append(index[link.source])

    def _roles_for(self, records: Sequence[Mapping]):
        """The sentence-role model: the one given, else one learnt from the headings of every structured
        abstract seen so far (free labels), else (too few of them) the packaged one."""
        if self.role_model is not None or not LEARN_ROLES:
            return self.role_model
        from logicmap.coding.role_model import project_model

        before = len(self._abstracts)
        self._abstracts.update(dict.fromkeys(r.get("abstract") or "" for r in records))
        if len(self._abstracts) != before or self._learnt_roles is None:
            self._learnt_roles = project_model(list(self._abstracts))
        return self._learnt_roles

    def adapt_to(self, views: Sequence[RecordView]) -> bool:
        """Adds to every code (of the intervention layer while :data:`FEEDBACK_INTERVENTION_ONLY`) one prototype drawn from the project's own sentences (``views``, labels
        unused): the unit mean of its descriptions' mean and, weighted by :data:`FEEDBACK_WEIGHT`, the
        mean of the :data:`FEEDBACK_SENTENCES` sentences (one per record) most similar to it among
        those where it leads its layer, so the code also matches how the project's studies word it.
        Returns whether prototypes were added (views built before must then be rebuilt). Drawn from
        a dozen studies they cost a little (nested, 12 of 61 tuning records as the project: 0.478 ->
        0.467 all-codes micro-F1), from 61 they help (0.514 -> 0.545)."""
        m = FEEDBACK_SENTENCES
        if m <= 0 or not views or self.vectors.matrix.shape[0] > len(self.vectors.owner_base):
            return False
        base = self.vectors.matrix[: len(self.vectors.owner_base)]
        rows, owner = [], []
        for kind, cols in self.kind_cols.items():
            if FEEDBACK_INTERVENTION_ONLY and kind != self.codebook.intervention_kind:
                continue
            for j in cols:
                others = [c for c in cols if c != j]
                picks = []
                for v in views:
                    if not len(v.sims):
                        continue
                    lead = v.sims[:, j] - (v.sims[:, others].max(axis=1) if others else -1.0)
                    ok = np.flatnonzero(lead > 0)
                    if len(ok):
                        i = ok[np.argmax(v.sims[ok, j])]
                        picks.append((float(v.sims[i, j]), v.vectors[i]))
                if not picks:
                    continue
                picks.sort(key=lambda t: -t[0])
                centroid = np.mean([vec for _, vec in picks[:m]], axis=0)
                own = base[self.vectors.owner_base == j].mean(axis=0)
                proto = own / (np.linalg.norm(own) or 1.0) + FEEDBACK_WEIGHT * centroid / (np.linalg.norm(centroid) or 1.0)
                rows.append(proto / (np.linalg.norm(proto) or 1.0))
                owner.append(j)
        if not rows:
            return False
        self.vectors.matrix = np.vstack([base, np.asarray(rows, dtype=np.float32)])
        self.vectors.owner = np.concatenate([self.vectors.owner_base, np.asarray(owner)])
        return True

    def views(self, records: Sequence[Mapping]) -> list[RecordView]:
        """A view of every record (all their sentences and clauses embedded in one call)."""
        role_model = self._roles_for(records)
        parts = [record_sentences(r, role_model) for r in records]
        bodies = [strip_heading(s.text) for sentences, _ in parts for s in sentences]
        pieces = [clauses(b) if CLAUSES else [] for b in bodies]
        flat = bodies + [c for cs in pieces for c in cs]
        vectors = np.asarray(self.encode(flat), dtype=np.float32) if flat else np.zeros((0, 1), dtype=np.float32)
        sentence_sims = self.vectors.similarity(vectors) if flat else np.zeros((0, len(self.codes)))
        at = len(bodies)
        for k, cs in enumerate(pieces):  # a sentence matches a code as well as its best clause does
            if cs:
                sentence_sims[k] = np.maximum(sentence_sims[k], sentence_sims[at : at + len(cs)].max(axis=0))
                at += len(cs)
        out, at = [], 0
        for record, (sentences, roles) in zip(records, parts):
            block = vectors[at : at + len(sentences)]
            sims = sentence_sims[at : at + len(sentences)]
            at += len(sentences)
            excl = block @ self.vectors.exclude.T if len(sentences) else np.zeros((0, len(self.codes)))
            evidence = self.matcher.analyse(record)
            features = self._features(sims, roles, evidence, excl, block)
            texts = {"title": record.get("title") or "", "abstract": record.get("abstract") or ""}
            out.append(RecordView(str(record.get("id", "")), texts, sentences, roles, sims, block, evidence, features))
        return out

    def _features(self, sims: np.ndarray, roles: list[str], evidence: RecordEvidence,
                  excl: np.ndarray, vectors: np.ndarray | None = None) -> np.ndarray:
        n_codes = len(self.codes)
        f = np.zeros((n_codes, len(FEATURES)), dtype=np.float32)
        if not len(sims):
            return f
        finding = np.array([r in ("results", "conclusions") for r in roles])
        title = np.array([r == "title" for r in roles])
        f[:, 0] = sims.max(axis=0)
        f[:, 1] = sims[finding].max(axis=0) if finding.any() else 0.0
        f[:, 2] = sims[title].max(axis=0) if title.any() else 0.0
        top = np.sort(sims, axis=0)[::-1]
        f[:, 3] = top[:2].mean(axis=0)
        for cols in self.kind_cols.values():
            if len(cols) == 0:
                continue
            best = f[cols, 0]
            order = np.argsort(-best)
            first = best[order[0]]
            second = best[order[1]] if len(cols) > 1 else 0.0
            f[cols, 4] = best - np.where(np.arange(len(cols)) == order[0], second, first)
            f[cols[order[0]], 5] = 1.0
        if self.has_terms:
            zt = zero_training_scores(evidence, self.lexicon, self.settings)
            f[:, 6] = [zt[c] for c in self.codes]
        strength = np.maximum(f[:, 6], f[:, 5] * np.clip(f[:, 4] * 10 + 0.5, 0, 1))
        for target, sources in self.link_sources.items():
            f[target, 7] = max(strength[s] for s in sources)
        has_excl = np.abs(self.vectors.exclude).sum(axis=1) > 0
        f[:, 8] = np.where(has_excl, excl.max(axis=0), 0.0)
        for cols in self.kind_cols.values():
            if len(cols) > 1:
                block = sims[:, cols]
                top2 = np.sort(block, axis=1)[:, -2:]
                lead = block - np.where(block >= top2[:, [1]], top2[:, [0]], top2[:, [1]])
                f[cols, 9] = lead.max(axis=0)
        if vectors is not None and len(vectors):
            weights = np.where(title, 2.0, 1.0)[:, None]
            doc = (vectors * weights).sum(axis=0)
            doc = doc / (np.linalg.norm(doc) or 1.0)
            f[:, 10] = self.vectors.similarity(doc[None, :])[0]
        return f
