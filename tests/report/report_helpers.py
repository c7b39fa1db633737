"""Shared inputs of the report tests: the demo-corpus model, PRISMA counts and methods facts."""

from __future__ import annotations

import json
from functools import lru_cache
from importlib import resources
from pathlib import Path

from logicmap.codebook import load_codebook
from logicmap.report.narrative import MethodsFacts, SearchSource
from logicmap.report.prisma import PrismaCounts
from logicmap.synthesis import build_model, studies_from_labelled

DEMO_CORPUS = Path(str(resources.files("logicmap.demo") / "data" / "corpus.jsonl"))


@lru_cache(maxsize=1)
def demo_records() -> tuple[dict, ...]:
    return tuple(json.loads(line) for line in DEMO_CORPUS.read_text(encoding="utf-8").splitlines() if line.strip())


@lru_cache(maxsize=1)
def demo_studies() -> tuple:
    return tuple(studies_from_labelled(demo_records()))


def demo_model():
    return build_model(load_codebook(), demo_studies())


def counts() -> PrismaCounts:
    return PrismaCounts(database_results={"MEDLINE (Ovid)": 40, "Scopus": 30, "APA PsycINFO": 20}, duplicates=29,
                        records_screened=61, records_excluded=0, reports_sought=61, reports_assessed=61,
                        reports_excluded={}, studies_included=61, reports_included=61)


def facts() -> MethodsFacts:
    return MethodsFacts(
        sources=(SearchSource("MEDLINE", "2019-01-31", 40, "Ovid"), SearchSource("Scopus", "2019-01-31", 30)),
        dedupe_settings="the in-process engine (match threshold 0.9)", duplicates_removed=29, records_after_dedupe=61,
        screening_model="TF-IDF with logistic regression", stopping_rule="SAFE (50 consecutive irrelevant records)",
        screening_agreement=0.82, screening_agreement_n=120, coding_agreement=0.71, codebook="recovery")
