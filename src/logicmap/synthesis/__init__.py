"""Synthesis stage: the evidence-linked logic model built from coded studies.

Example::

    from logicmap.codebook import load_codebook
    from logicmap.synthesis import build_model, snapshot, diff
    model = build_model(load_codebook(), studies)
"""

from logicmap.synthesis.evidence import GRADE_RULES, GRADES, VOTE_KEYS, sign_test, summary_direction, vote_count
from logicmap.synthesis.model import (
    CO_OCCURRENCE,
    EdgeStudy,
    LogicModel,
    ModelFilter,
    NodeStudy,
    Quote,
    build_model,
    filter_studies,
)
from logicmap.synthesis.snapshot import LinkChange, ModelDiff, diff, snapshot
from logicmap.synthesis.study import (
    DESIGN_FAMILIES,
    CodedLink,
    Study,
    design_family,
    is_randomised,
    studies_from_labelled,
    study_from_labelled,
)

__all__ = [
    "CO_OCCURRENCE", "DESIGN_FAMILIES", "GRADES", "GRADE_RULES", "VOTE_KEYS", "CodedLink", "EdgeStudy",
    "LinkChange", "LogicModel", "ModelDiff", "ModelFilter", "NodeStudy", "Quote", "Study", "build_model",
    "design_family", "diff", "filter_studies", "is_randomised", "sign_test", "snapshot", "studies_from_labelled",
    "study_from_labelled", "summary_direction", "vote_count",
]
