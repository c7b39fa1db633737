"""The report's "Your context" section: the saved context profile as HTML.

A reader saves the conditions present in their service (``logicmap model --context DE1,DS1``);
this section lists the links studies report those conditions weaken or strengthen, each with
the studies and their quoted sentences.
"""

from __future__ import annotations

from logicmap.report.style import text
from logicmap.synthesis.conditions import ContextLink, ContextProfile

_EFFECT_WORDS = {"weakened": "reported weakened", "strengthened": "reported strengthened",
                 "both": "reported both weakened and strengthened", "unclear": "reported acted on (effect unclear)"}


def _link_item(link: ContextLink, labels: dict[str, str]) -> str:
    def name(code: str) -> str:
        return f"{text(labels.get(code, code))} ({text(code)})"

    conditions = "".join(
        f"<li>{text(c.code)} {text(c.label)}: "
        f"{'effect unclear' if c.effect == 'unclear' else text(c.effect) + ' it'} "
        f"({text(c.citation)}{', ' + chr(0x201C) + text(c.quote) + chr(0x201D) if c.quote else ''})</li>"
        for c in link.conditions)
    return (f"<li><strong>{name(link.source)} \u2192 {name(link.target)}</strong>: {_EFFECT_WORDS[link.effect]}"
            f"<ul>{conditions}</ul></li>")


def context_section(profile: ContextProfile, labels: dict[str, str]) -> str:
    """``<section id="context">``: the profile's conditions and the links they act on (``labels``: code -> label)."""
    present = ", ".join(f"{text(profile.labels[c])} ({text(c)})" for c in profile.codes) or "none"
    if profile.links:
        body = (f"<p>{len(profile.weakened())} link(s) reported weakened and {len(profile.strengthened())} "
                "strengthened where these conditions hold.</p><ul class=\"context-links\">"
                + "".join(_link_item(link, labels) for link in profile.links) + "</ul>")
    else:
        body = "<p>No included study reports these conditions acting on a link of the model.</p>"
    return ('<section id="context" aria-labelledby="context-h"><h2 id="context-h">Your context</h2>'
            f"<p>Conditions present in your service: {present}.</p>{body}</section>")
