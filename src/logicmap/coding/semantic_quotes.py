"""The sentence a suggestion of the embedding suggester quotes (:func:`best_sentence`).

Pure numpy over a :class:`~logicmap.coding.semantic_features.RecordView`.
"""

from __future__ import annotations

import numpy as np

from logicmap.coding.matcher import reports_result
from logicmap.coding.semantic_features import RecordView

#: Quote choice (constants chosen on the tuning part's cross-validation): bonuses for a sentence naming
#: one of the code's key terms, by its role, and for one reading like a finding (mechanisms: no role
#: or finding preference; their expert quotes are as often background or methods sentences).
TERM_BONUS = 0.5
ROLE_BONUS = {"results": 0.5, "conclusions": 0.2, "background": -0.2, "methods": -0.2}
ROLE_NEUTRAL = ("mechanism", "typology")
#: Bonus for a sentence that reads like a finding (significant, improved, p < ...).
RESULT_CUE = 0.4
#: Layer roles whose codes the fitted model suggests only with evidence outside the background: an
#: outcome or a process is a finding of the study, and when the best sentence for it (already favouring
#: results) is background, the record only cites it from other work ("peer support has been shown to").
FINDING_ROLES = ("outcome", "process")


def best_sentence(view: RecordView, j: int, code: str, role: str) -> int:
    """Where in ``view.sentences`` the sentence quoted for code column ``j`` is: most similar, favouring
    key terms and, except for mechanisms, results (then conclusions) sentences that read like findings
    over background and methods; the title only when the abstract has no sentence."""
    hits: dict[tuple[str, int], float] = {}
    for h in view.evidence.by_code.get(code, ()):
        hits[(h.sentence.field, h.sentence.start)] = 1.0
    best, best_score = 0, -np.inf
    for k, (s, r) in enumerate(zip(view.sentences, view.roles)):
        if r == "title":
            continue
        score = float(view.sims[k, j]) + TERM_BONUS * hits.get((s.field, s.start), 0.0)
        if role not in ROLE_NEUTRAL:
            score += ROLE_BONUS.get(r, 0.0) + (RESULT_CUE if reports_result(s.text) else 0.0)
        if score > best_score:
            best, best_score = k, score
    return best

