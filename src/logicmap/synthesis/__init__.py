"""Synthesis stage: the evidence-linked logic model built from coded studies.

Example::

    from logicmap.codebook import load_codebook
    from logicmap.synthesis import build_model, snapshot, diff
    model = build_model(load_codebook(), studies)
"""

from logicmap.synthesis.conditions import EFFECTS, Condition, ContextLink, ContextProfile, context_profile, moderator_effect
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
from logicmap.synthesis.pathways import ADJACENT, BASES, NON_ADJACENT
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
from logicmap.synthesis.view import DEFAULT_MAX_EDGES, ModelView, default_view

__all__ = [
    "ADJACENT", "BASES", "CO_OCCURRENCE", "CodedLink", "Condition", "ContextLink", "ContextProfile",
    "DEFAULT_MAX_EDGES", "DESIGN_FAMILIES", "EFFECTS", "EdgeStudy", "GRADES", "GRADE_RULES", "LinkChange",
    "LogicModel", "ModelDiff", "ModelFilter", "ModelView", "NON_ADJACENT", "NodeStudy", "Quote", "Study", "VOTE_KEYS",
    "build_model", "context_profile", "default_view", "design_family", "diff", "filter_studies", "is_randomised",
    "moderator_effect", "sign_test", "snapshot", "studies_from_labelled", "study_from_labelled", "summary_direction",
    "vote_count",
]
