"""The coding stage: coded items with exact evidence spans, coder agreement, reconciliation,
and machine suggestions (zero-training key terms, optionally learned from reviewers).

``SuggestionModel``/``Feedback`` (scikit-learn) are imported lazily from
:mod:`logicmap.coding.learn`.
"""

from logicmap.coding.agreement import (
    Agreement,
    AgreementReport,
    Reconciled,
    agreement,
    cohen_kappa,
    krippendorff_alpha,
    percent_agreement,
    reconcile,
)
from logicmap.coding.spans import CodedItem, CodingError, EvidenceSpan, SpanError, span_for_quote, validate_items, validate_span
from logicmap.coding.suggest import KindSettings, SuggestSettings, Suggestion, suggest

__all__ = [
    "Agreement", "AgreementReport", "CodedItem", "CodingError", "EvidenceSpan", "KindSettings", "Reconciled",
    "SpanError", "SuggestSettings", "Suggestion", "agreement", "cohen_kappa", "krippendorff_alpha",
    "percent_agreement", "reconcile", "span_for_quote", "suggest", "validate_items", "validate_span",
]


def __getattr__(name: str):
    if name in ("SuggestionModel", "Feedback", "feedback_from_labels"):
        from logicmap.coding import learn

        return getattr(learn, name)
    raise AttributeError(name)
