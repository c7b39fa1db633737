"""Text helpers for suggestions: sentence splitting with offsets, light stemming, term matching.

All offsets index the original string, so a sentence is always ``text[start:end]`` and any
quote taken from it is verbatim.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from logicmap.records.notices import notice_start

_TOKEN = re.compile(r"\w+", re.UNICODE)
# A boundary: sentence punctuation, optional closing quote/bracket, whitespace, then a capital,
# digit, opening quote/bracket. Abbreviations followed by lower case ("e.g. peer") never split.
_BOUNDARY = re.compile(r"[.!?][\"'”’)\]]?(\s+)(?=[\"'“‘(\[]?[A-Z0-9])")
_SUFFIXES = ("ations", "ation", "ments", "ment", "ness", "ings", "ing", "ies", "ied", "ed", "s")
_ABBREVIATION = re.compile(r"(?:\b(?:e\.g|i\.e|et al|vs|cf|approx|ca|dr|mr|mrs|ms|fig|no|st|incl)|\b[A-Z])\.$", re.I)
NEGATORS = frozenset({"no", "not", "without", "non", "never", "neither", "nor", "lack", "absence"})


@dataclass(frozen=True)
class Sentence:
    """A sentence of one record field: ``text[start:end]`` of that field."""

    field: str
    start: int
    end: int
    text: str


@dataclass(frozen=True)
class Token:
    norm: str  # lower case, accents stripped
    stem: str
    start: int
    end: int
    word: str = ""  # as written


@lru_cache(maxsize=65536)
def fold(word: str) -> str:
    """Lower case, accents and ligatures folded (``Ø`` stays as is)."""
    decomposed = unicodedata.normalize("NFKD", word.lower())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


@lru_cache(maxsize=65536)
def stem(word: str) -> str:
    """A deliberately light stemmer: ``relapses``/``relapse`` -> ``relaps``, ``-ize`` -> ``-ise``."""
    w = fold(word)
    w = re.sub(r"iz(e|ed|es|ing|ation|ations)$", r"is\1", w)
    for suffix in _SUFFIXES:
        if w.endswith(suffix) and len(w) - len(suffix) >= 3 and not (suffix == "s" and w.endswith("ss")):
            w = w[: -len(suffix)] + ("y" if suffix in ("ies", "ied") else "")
            break
    if len(w) > 3 and w.endswith("e"):
        w = w[:-1]
    return w


def tokens(text: str, offset: int = 0) -> list[Token]:
    """Word tokens of ``text`` with offsets (plus ``offset``) into the original string."""
    out = []
    for m in _TOKEN.finditer(text):
        out.append(Token(fold(m.group()), stem(m.group()), m.start() + offset, m.end() + offset, m.group()))
    return out


def split_sentences(text: str, field: str = "abstract") -> list[Sentence]:
    """Split ``text`` into sentences (whitespace-trimmed, never empty), keeping offsets. An abstract's
    closing publisher's notice ("(C) 2019 Elsevier Ltd. All rights reserved.") is no sentence of it."""
    out: list[Sentence] = []
    pos = 0
    end = notice_start(text) if field == "abstract" else len(text)
    pieces = [m.start(1) for m in _BOUNDARY.finditer(text, 0, end)
              if not _ABBREVIATION.search(text[max(0, m.start() - 8) : m.start() + 1])]
    pieces.append(end)
    for cut in pieces:
        chunk = text[pos:cut]
        lead = len(chunk) - len(chunk.lstrip())
        body = chunk.strip()
        if body:
            start = pos + lead
            out.append(Sentence(field, start, start + len(body), body))
        pos = cut
    return out


@dataclass(frozen=True)
class Term:
    """A key term: stemmed words to match consecutively; a ``*`` ending matches a word prefix; a word
    written with a capital after its first letter (an acronym: ``MOST``, ``CARe``, ``mHealth``) matches
    only as written, so that ``MOST`` does not match "most" nor ``CARe`` "care"."""

    phrase: str
    parts: tuple[tuple[str, bool], ...]  # (stem or prefix, is_prefix)
    cased: tuple[str | None, ...] = ()  # per part, the exact word (or prefix) an acronym needs, else None

    @property
    def weight(self) -> float:
        """Longer phrases are more specific: 1.0 for one word, +0.5 per extra word (max 2.0)."""
        return min(2.0, 1.0 + 0.5 * (len(self.parts) - 1))


def compile_term(phrase: str) -> Term | None:
    """Compile a codebook term or example; None when it has no word characters."""
    words = _TOKEN.findall(phrase)
    if not words:
        return None
    parts = [(stem(w), False) for w in words]
    if phrase.rstrip().endswith("*"):
        parts[-1] = (fold(words[-1]), True)
    cased = tuple(w if is_acronym(w) else None for w in words)
    return Term(phrase, tuple(parts), cased if any(cased) else ())


def is_acronym(word: str) -> bool:
    """Whether ``word`` has a capital after its first letter (``MOST``, ``CARe``, ``mHealth``, not ``Rosenberg``)."""
    return any(ch.isupper() for ch in word[1:])


def find_term(term: Term, toks: list[Token]) -> list[int]:
    """Token indices where ``term`` starts in ``toks``."""
    n = len(term.parts)
    hits = []
    first, first_prefix = term.parts[0]
    for i in range(len(toks) - n + 1):
        ok = True
        for j, (part, is_prefix) in enumerate(term.parts):
            tok = toks[i + j]
            if (is_prefix and not tok.norm.startswith(part)) or (not is_prefix and tok.stem != part):
                ok = False
                break
            exact = term.cased[j] if term.cased else None
            if exact is not None and not (tok.word.startswith(exact) if is_prefix else tok.word == exact):
                ok = False
                break
        if ok:
            hits.append(i)
    return hits


def negated(toks: list[Token], index: int, window: int = 3) -> bool:
    """True when a negator (no, not, without, ...) precedes token ``index`` within ``window`` words."""
    return any(t.norm in NEGATORS for t in toks[max(0, index - window) : index])


def quote_window(text: str, start: int, end: int, limit: int = 300, anchor: int | None = None) -> tuple[int, int]:
    """Shrink ``text[start:end]`` to at most ~``limit`` characters, cutting at a space and leaving
    no dangling comma, semicolon, colon, dash or opening bracket at the end; verbatim. The window
    starts at ``start``, unless ``anchor`` (where the words that make the evidence begin, such as a
    code's key term) would fall outside it: then at the clause (or word) before ``anchor``."""
    if end - start <= limit:
        return start, end
    if anchor is not None and start + limit - ANCHOR_ROOM < anchor < end:
        start = _clause_before(text, start, anchor, limit)
        if end - start <= limit:
            return start, end
    cut = text.rfind(" ", start, start + limit)
    cut = cut if cut > start else start + limit
    while cut > start + 1 and (text[cut - 1].isspace() or text[cut - 1] in ",;:-–—(["):
        cut -= 1
    return start, cut


#: How far before the window's end an anchor must begin to be shown with the words after it.
ANCHOR_ROOM = 40
_CLAUSE_BREAK = re.compile(r"[,;:]\s+(?:(?:and|but|while|whereas)\s+)?|\s+(?:and|but|while|whereas)\s+")


def _clause_before(text: str, start: int, anchor: int, limit: int) -> int:
    """Where a window showing ``anchor`` begins: after the last clause break in the half window before
    it, else at the word a quarter window before it; never before ``start``."""
    lo = max(start, anchor - limit // 2)
    breaks = [m.end() for m in _CLAUSE_BREAK.finditer(text, lo, anchor)]
    if breaks:
        return breaks[-1]
    space = text.find(" ", max(start, anchor - limit // 4), anchor)
    return space + 1 if space >= 0 else anchor


class TermIndex:
    """Compiled key terms, each with a payload (its code, say), found by the stem of their first word
    (terms starting with a ``*`` prefix by a scan)."""

    def __init__(self, entries: Iterable[tuple[Any, Term]]) -> None:
        self._exact: dict[str, list[tuple[Any, Term]]] = {}
        self._prefix: list[tuple[Any, Term]] = []
        for payload, term in entries:
            first, is_prefix = term.parts[0]
            (self._prefix if is_prefix else self._exact.setdefault(first, [])).append((payload, term))

    def matches(self, toks: list[Token]) -> Iterator[tuple[Any, Term, int]]:
        """``(payload, term, first token index)`` of every term found in ``toks``, in token order."""
        for i, tok in enumerate(toks):
            candidates = self._exact.get(tok.stem, []) + [(p, t) for p, t in self._prefix
                                                          if tok.norm.startswith(t.parts[0][0])]
            for payload, term in candidates:
                if find_term(term, toks[i : i + len(term.parts)]):
                    yield payload, term, i


@lru_cache(maxsize=8)
def _term_index(phrases: tuple[str, ...]) -> TermIndex:
    """The compiled ``phrases`` (each once; those without a word left out)."""
    compiled = (compile_term(phrase) for phrase in dict.fromkeys(phrases))
    return TermIndex((None, term) for term in compiled if term is not None)


def term_spans(text: str, phrases: tuple[str, ...]) -> list[tuple[int, int]]:
    """Where the key terms ``phrases`` occur in ``text``, matched as the coding matcher matches them
    (stems, ``*`` prefixes, acronyms as written): ``(start, end)`` spans in text order, the longest
    kept where two overlap."""
    toks = tokens(text)
    index = _term_index(tuple(phrases))
    found = {(toks[i].start, toks[i + len(term.parts) - 1].end) for _, term, i in index.matches(toks)}
    kept: list[tuple[int, int]] = []
    for start, end in sorted(found, key=lambda span: (span[0] - span[1], span[0])):
        if all(end <= a or start >= b for a, b in kept):
            kept.append((start, end))
    return sorted(kept)


def mark_terms(text: str, phrases: tuple[str, ...]) -> list[tuple[str, bool]]:
    """``text`` cut into ``(piece, is_key_term)`` pieces at :func:`term_spans` (one piece when none)."""
    pieces, at = [], 0
    for start, end in term_spans(text, phrases):
        pieces += [(text[at:start], False), (text[start:end], True)]
        at = end
    pieces.append((text[at:], False))
    return [p for p in pieces if p[0]] or [(text, False)]
