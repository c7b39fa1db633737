"""``review.model``: the evidence-linked logic model of the project, its snapshots, the
machine's link suggestions and the reader's context profile.

The included studies are assembled here from the earlier stages (included records,
their final codings and descriptors); :func:`~logicmap.synthesis.build_model` builds
the model from them, telling finding sentences from others with a sentence-role model
learnt from the project's own structured abstracts (:class:`~logicmap.coding.role_model.RoleModel`;
when fewer than ten are structured, the one learnt from the packaged demo corpus); snapshots are kept by
:mod:`logicmap.store.synthesis`; the context profile's moderator codes are the project
setting ``model.context``.

Link suggestions are reviewed by id (``"12:T01:OE1"``: record, source code, target code, stable
across runs): :meth:`ModelStage.accept` stores each as an explicit link coding with its
sentence's span, :meth:`ModelStage.reject` keeps its id in the project setting
``model.rejected_links`` so it is not suggested again. Both check every id before changing
anything and save at once.
"""

from __future__ import annotations

import hashlib
import itertools
import json
from collections import defaultdict
from collections.abc import Iterable

from logicmap.coding.link_suggest import LinkSuggestion, suggest_links
from logicmap.coding.role_model import RoleModel, project_model
from logicmap.coding.spans import CodedItem, EvidenceSpan
from logicmap.errors import CodingError
from logicmap.records.record import Record
from logicmap.review.codebook import CodebookStage
from logicmap.review.coding import CodingStage
from logicmap.review.records import RecordsStage
from logicmap.review.screening import ScreeningStage
from logicmap.store.changes import MODEL_INPUTS, change_mark, change_marks
from logicmap.store.database import Store
from logicmap.store.synthesis import load_snapshot, save_snapshot
from logicmap.synthesis import CodedLink, ContextProfile, LogicModel, ModelDiff, ModelFilter, Study, build_model
from logicmap.synthesis import context_profile, diff
from logicmap.synthesis.conditions import check_context
from logicmap.synthesis import snapshot as make_snapshot

#: Records whose abstracts the sentence-role model looks through for structured ones (the first
#: imported): reading a million abstracts for headings took 15 s of a million-record report.
ROLE_SCAN = 100_000
#: The name that stands for the live model in :meth:`ModelStage.diff`.
CURRENT = "current"
#: The project setting holding the context profile's moderator codes (comma-separated).
CONTEXT_SETTING = "model.context"
#: The project setting holding the ids of rejected link suggestions (a JSON list).
REJECTED_SETTING = "model.rejected_links"


def suggestion_id(suggestion: LinkSuggestion) -> str:
    """The stable id of a link suggestion: ``record:source:target`` (``"12:T01:OE1"``)."""
    return f"{suggestion.record_id}:{suggestion.source}:{suggestion.target}"


class ModelStage:
    """The logic model built from the included, coded studies."""

    def __init__(self, store: Store, *, records: RecordsStage, screening: ScreeningStage, coding: CodingStage,
                 codebook: CodebookStage) -> None:
        self._store = store
        self._records = records
        self._screening = screening
        self._coding = coding
        self._codebook = codebook
        self._role_cache: tuple[int, RoleModel] | None = None
        self._included_mark: tuple[str, str] | None = None  # (project mark, digest of the included ids)

    def studies(self) -> list[Study]:
        """The included studies with their descriptors, final codes and coded links."""
        ids = self._screening.included()
        codings = defaultdict(list)
        for coding in self._coding.final():
            codings[coding.record_id].append(coding)
        descriptors = self._coding.descriptors(ids)
        records = self._records.fields_of(ids)
        return [study_of(record_id, records[record_id], codings[record_id], descriptors.get(record_id, {}))
                for record_id in ids]

    def build(self, filters: ModelFilter | None = None) -> LogicModel:
        """The logic model of the included, coded studies (optionally filtered)."""
        return build_model(self._codebook.current(), self.studies(), filters=filters, role_model=self.role_model())

    def role_model(self) -> RoleModel:
        """The sentence-role model learnt from the project's structured abstracts, the first
        :data:`~logicmap.coding.role_model.MAX_ABSTRACTS` among the first :data:`ROLE_SCAN` records
        in import order (too few: the packaged one, :func:`~logicmap.coding.role_model.packaged`).

        Kept while the number of records stays the same: records are never edited after import,
        so only an import (which adds records) changes what it learns from.
        """
        count = self._records.count()
        if self._role_cache is None or self._role_cache[0] != count:
            self._role_cache = (count, project_model(itertools.islice(self._records.abstracts(), ROLE_SCAN)))
        return self._role_cache[1]

    def suggest_links(self, record_ids: list[int] | None = None) -> list[LinkSuggestion]:
        """Links stated by finding sentences of the records (default: the included ones), between
        the codes each record was coded with (all of them, reviewed or not; :meth:`suggestions`
        leaves out the reviewed ones)."""
        ids = self._screening.included() if record_ids is None else record_ids
        codes: dict[str, list[str]] = defaultdict(list)
        for coding in self._coding.final():
            if not coding.target_code:
                codes[str(coding.record_id)].append(coding.code)
        records = [{"id": str(i), "abstract": self._records.get(i).abstract or ""} for i in ids]
        return suggest_links(records, self._codebook.current(), codes=codes, role_model=self.role_model())

    def suggestions(self) -> dict[str, LinkSuggestion]:
        """The link suggestions still to review, by id: the included studies' suggested links left
        out those a reviewer rejected or already coded as a link."""
        rejected = set(self.rejected())
        coded = {f"{c.record_id}:{c.code}:{c.target_code}" for c in self._coding.final() if c.target_code}
        found = {suggestion_id(s): s for s in self.suggest_links()}
        return {k: s for k, s in found.items() if k not in rejected and k not in coded}

    def rejected(self) -> list[str]:
        """Ids of the link suggestions reviewers rejected."""
        return list(json.loads(self._store.setting(REJECTED_SETTING) or "[]"))

    def _pick(self, ids: Iterable[str]) -> list[LinkSuggestion]:
        """The suggestions of ``ids``; :class:`CodingError` naming every id that is not one to review."""
        ids = list(dict.fromkeys(i.strip() for i in ids if i.strip()))
        if not ids:
            raise CodingError("give at least one suggestion id (see: logicmap model suggestions)")
        open_ = self.suggestions()
        wrong = [i for i in ids if i not in open_]
        if wrong:
            raise CodingError(f"not a link suggestion to review: {', '.join(wrong)} (list them with "
                              "logicmap model suggestions; nothing was changed)")
        return [open_[i] for i in ids]

    def accept(self, ids: Iterable[str], *, reviewer: str) -> list[int]:
        """Store each suggestion of ``ids`` as an explicit link coding (its sentence as the span, its
        guessed direction); returns the new coding ids. Unknown ids: nothing is stored."""
        picked = self._pick(ids)
        return [self._coding.add(int(s.record_id), s.source, target_code=s.target, span=s.span, direction=s.direction,
                                 reviewer=reviewer, source="suggestion", note="accepted link suggestion")
                for s in picked]

    def reject(self, ids: Iterable[str]) -> list[str]:
        """Never suggest the links of ``ids`` again; returns them. Unknown ids: nothing is stored."""
        picked = [suggestion_id(s) for s in self._pick(ids)]
        self._store.set_setting(REJECTED_SETTING, json.dumps(sorted(set(self.rejected()) | set(picked))))
        return picked

    def save_context(self, codes: Iterable[str]) -> tuple[str, ...]:
        """Keep the moderator ``codes`` present in the reader's service (checked against the codebook)."""
        codes = check_context(self._codebook.current(), codes)
        self._store.set_setting(CONTEXT_SETTING, ",".join(codes))
        return codes

    def saved_context(self) -> tuple[str, ...]:
        """The saved context profile's codes that are still moderators of the codebook (none saved: empty)."""
        codebook = self._codebook.current()
        value = self._store.setting(CONTEXT_SETTING) or ""
        return tuple(c for c in value.split(",") if c in codebook and codebook[c].kind == codebook.condition_kind)

    def context(self, codes: Iterable[str] | None = None, model: LogicModel | None = None) -> ContextProfile:
        """Links weakened or strengthened by the conditions ``codes`` (default: the saved ones)."""
        codes = self.saved_context() if codes is None else codes
        return context_profile(model if model is not None else self.build(), codes)

    def save_snapshot(self, name: str, model: LogicModel | None = None) -> None:
        """Keep the model (the live one unless given) under ``name``, replacing one of that name."""
        save_snapshot(self._store, name, make_snapshot(model if model is not None else self.build()))

    def version(self) -> str:
        """A mark that changes whenever anything the model, the report or PRISMA is built from changes
        (records, merges, decisions, codes, codebook, settings, sources), by any process: a view
        built at one version can be served again while the version stays the same."""
        return change_mark(self._store)

    def build_version(self) -> str:
        """A mark that changes whenever anything :meth:`build` reads changes, by any process: the
        included studies, records, merges, codes, codebook, settings and sources, but not the screening
        decisions that leave the included studies as they are (the model of a project being screened
        need not be built again after every decision)."""
        return self.versions()[1]

    def versions(self) -> tuple[str, str]:
        """:meth:`version` and :meth:`build_version` from one query."""
        whole, inputs = change_marks(self._store, MODEL_INPUTS)
        kept = self._included_mark
        if kept is None or kept[0] != whole:  # the included studies are read again only when anything changed
            kept = self._included_mark = (whole, hashlib.blake2b(repr(self._screening.included()).encode(),
                                                                 digest_size=12).hexdigest())
        return whole, f"{inputs}:{kept[1]}"

    def snapshot(self, name: str, *, model: LogicModel | None = None) -> dict:
        """A saved snapshot (``"current"``: the live model's, of ``model`` when the caller has just built
        it); :class:`NotFoundError` naming the saved ones."""
        if name == CURRENT:
            return make_snapshot(model if model is not None else self.build())
        return load_snapshot(self._store, name)

    def diff(self, old: str, new: str = CURRENT) -> ModelDiff:
        """Links and strengths that changed between two snapshots (``"current"`` is the live model)."""
        return diff(self.snapshot(old), self.snapshot(new))


def study_of(record_id: int, record: Record, codings: Iterable, info: dict[str, object]) -> Study:
    """One included study: the record's bibliography, its descriptors, and its codings as items and links."""
    codings = list(codings)
    return Study(
        id=str(record_id), title=record.title or "", authors=tuple(record.authors), year=record.year,
        journal=record.journal, doi=record.doi, design=info.get("design"), country=info.get("country"),
        setting=info.get("setting"), population=info.get("population"), n=_n(info.get("n")),
        abstract=record.abstract or "", items=tuple(_item(record_id, c) for c in codings if not c.target_code),
        links=tuple(_link(record_id, c) for c in codings if c.target_code),
    )


def _span(coding) -> EvidenceSpan | None:
    return EvidenceSpan(coding.field, coding.start, coding.end, coding.quote) if coding.field else None


def _item(record_id: int, coding) -> CodedItem:
    """A coding of a code (no target) as a coded item."""
    return CodedItem(str(record_id), coding.code, coding.reviewer, _span(coding), coding.direction, coding.note or "")


def _link(record_id: int, coding) -> CodedLink:
    """A coding of a link (code -> target code) as a coded link."""
    return CodedLink(str(record_id), coding.code, coding.target_code, _span(coding), coding.direction,
                     coding.reviewer, coding.note or "")


def _n(value: object) -> int | None:
    """A descriptor's sample size as an integer (None when missing or not a number)."""
    try:
        return int(value) if value not in (None, "") else None
    except (TypeError, ValueError):
        return None
