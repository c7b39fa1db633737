"""The coding stage: coded items with exact evidence spans, coder agreement, reconciliation,
and machine suggestions (zero-training key terms, optionally learned from reviewers).

Pure cores, no database. :class:`~logicmap.coding.suggestion_model.SuggestionModel` (it
needs scikit-learn) is not imported here: import it from :mod:`logicmap.coding.suggestion_model`,
and reviewers' feedback from :mod:`logicmap.coding.feedback`.
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
