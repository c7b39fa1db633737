"""PRISMA 2020 flow diagram (databases and registers arm) as a hand-written SVG.

Boxes and wording follow the PRISMA 2020 template (Page et al. 2021, BMJ 372:n71) for new
systematic reviews that searched databases and registers only. Input is
:class:`logicmap.report.prisma.PrismaCounts`; output is deterministic.

An unfinished review says so: records not yet screened, reports awaiting assessment and
studies included on title and abstract only are drawn as flagged lines (and a banner),
sources without a database name are listed as "Other sources: FILE", and the automation
line appears only when an automated rule excluded records, naming the rule.

Example::

    svg = prisma_svg(counts)
"""

from __future__ import annotations

from logicmap.report.style import FONT, num, text, wrap

W = 1000
LEFT_X, RIGHT_X, BOX_W = 150, 590, 380
PHASE_COLOUR = "#CFE3F3"
#: A line that says the review is unfinished (drawn bold, in the warning colour).
TODO = "todo"
#: The drawing's class, which its text styles are scoped to.
ROOT_CLASS = "lm-prisma"
Line = str | tuple[str, str]


def _box(x: float, y: float, w: float, h: float, lines: list[Line]) -> list[str]:
    out = [f'<rect x="{num(x)}" y="{num(y)}" width="{num(w)}" height="{num(h)}" fill="#FFFFFF" stroke="#333333" stroke-width="1.4"/>']
    ty = y + 22
    for line in lines:
        words, cls = (line, None) if isinstance(line, str) else line
        style = f' class="{cls}"' if cls else ""
        out.append(f'<text x="{num(x + 12)}" y="{num(ty)}"{style}>{text(words)}</text>')
        ty += 18
    return out


def _todo(label: str, n: int, width: int = 44) -> list[Line]:
    """Flagged lines for an unfinished step (none when ``n`` is 0)."""
    return [(line, TODO) for line in wrap(f"{label} (n = {n})", width, 2)] if n else []


def _count(n: int, one: str, many: str) -> str:
    return f"{n} {one if n == 1 else many}"


def _banner(counts) -> list[str]:
    """What is unfinished, in one line above the diagram (empty when screening is complete)."""
    parts = []
    if counts.records_not_screened:
        parts.append(_count(counts.records_not_screened, "record", "records") + " not yet screened")
    if counts.records_in_conflict:
        parts.append(_count(counts.records_in_conflict, "conflict", "conflicts") + " to reconcile")
    if counts.reports_awaiting:
        parts.append(_count(counts.reports_awaiting, "report", "reports") + " awaiting full-text assessment")
    return ["Unfinished: " + "; ".join(parts)] if parts else []


def _arrow(x1: float, y1: float, x2: float, y2: float) -> str:
    return (f'<line x1="{num(x1)}" y1="{num(y1)}" x2="{num(x2)}" y2="{num(y2)}" stroke="#333333" '
            'stroke-width="1.6" marker-end="url(#prisma-arrow)"/>')


def _phase(y: float, h: float, label: str) -> list[str]:
    cx, cy = 60, y + h / 2
    return [f'<rect x="40" y="{num(y)}" width="40" height="{num(h)}" rx="6" fill="{PHASE_COLOUR}" stroke="#6A9BC3"/>',
            f'<text x="{num(cx + 6)}" y="{num(cy)}" transform="rotate(-90 {num(cx + 6)} {num(cy)})" '
            f'text-anchor="middle" font-weight="bold">{text(label)}</text>']


def _lines(head: str, items: list[tuple[str, int]], width: int = 44, item_lines: int = 2) -> list[str]:
    out = wrap(head, width, 3)
    for name, n in items:
        out += wrap(f"{name} (n = {n})", width, item_lines)
    return out


def _rows(counts) -> list[tuple[list[Line], list[Line]]]:
    """The left (flow) and right (removed or excluded) box lines of each row above the included box."""
    heading = "databases" if not counts.other_sources else "databases and other sources"
    ident = _lines(f"Records identified from {heading} (n = {counts.records_identified}):",
                   counts.identified_lines() or [("Databases", 0)])
    removed = _lines("Records removed before screening:", [
        ("Duplicate records", counts.duplicates),
        *((f"Marked as ineligible by automation ({rule})", n) for rule, n in counts.automation.items()),
        ("Records removed for other reasons", 0)], item_lines=4)  # a stopping rule is named with its estimate
    reasons = sorted(counts.reports_excluded.items())
    excluded = _lines(f"Reports excluded (n = {sum(counts.reports_excluded.values())}){':' if reasons else ''}", reasons)
    return [
        (ident, removed),
        ([f"Records screened (n = {counts.records_screened})", *_todo("Records not yet screened", counts.records_not_screened),
          *_todo("Screened, reviewers disagree (not yet reconciled)", counts.records_in_conflict)],
         [f"Records excluded (n = {counts.records_excluded})"]),
        (_lines(f"Reports sought for retrieval (n = {counts.reports_sought})", []),
         _lines(f"Reports not retrieved (n = {counts.reports_not_retrieved})", [])),
        ([f"Reports assessed for eligibility (n = {counts.reports_assessed})",
          *_todo("Reports awaiting assessment", counts.reports_awaiting)], excluded),
    ]


def prisma_svg(counts, *, title: str = "PRISMA 2020 flow diagram") -> str:
    """The PRISMA 2020 flow diagram of ``counts`` (a :class:`PrismaCounts`)."""
    rows = _rows(counts)
    banner = _banner(counts)
    out_rows, y = [], 96.0 + 34 * len(banner)
    for left, right in rows:
        h = max(2, len(left), len(right)) * 18 + 20
        out_rows.append((y, h, left, right))
        y += h + 40
    included = [f"Studies included in review (n = {counts.studies_included})",
                f"Reports of included studies (n = {counts.reports_included})",
                *_todo("Included on title and abstract, full text not yet assessed", counts.included_without_full_text)]
    inc_y, inc_h = y, max(74, len(included) * 18 + 24)
    height = int(inc_y + inc_h + 30)
    body: list[str] = []
    body += _phase(out_rows[0][0], out_rows[0][1], "Identification")
    body += _phase(out_rows[1][0], out_rows[3][0] + out_rows[3][1] - out_rows[1][0], "Screening")
    body += _phase(inc_y, inc_h, "Included")
    for i, (ry, h, left, right) in enumerate(out_rows):
        body += _box(LEFT_X, ry, BOX_W, h, left)
        body += _box(RIGHT_X, ry, BOX_W, h, right)
        body.append(_arrow(LEFT_X + BOX_W, ry + h / 2, RIGHT_X - 4, ry + h / 2))
        nxt = out_rows[i + 1][0] if i + 1 < len(out_rows) else inc_y
        body.append(_arrow(LEFT_X + BOX_W / 2, ry + h, LEFT_X + BOX_W / 2, nxt - 4))
    body += _box(LEFT_X, inc_y, BOX_W, inc_h, included)
    body += [f'<rect x="{LEFT_X}" y="84" width="{RIGHT_X + BOX_W - LEFT_X}" height="28" fill="#FFF4E5" stroke="#E0A050"/>'
             f'<text x="{LEFT_X + 12}" y="103" class="{TODO}">{text(line)}</text>' for line in banner]
    head = [
        '<?xml version="1.0" encoding="UTF-8"?>',
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {W} {height}" width="{W}" height="{height}" role="img" '
        f'class="{ROOT_CLASS}" aria-labelledby="prisma-title prisma-desc">',
        f'<title id="prisma-title">{text(title)}</title>',
        f'<desc id="prisma-desc">{counts.records_identified} records identified, {counts.records_screened} screened, '
        f'{counts.reports_assessed} reports assessed, {counts.studies_included} studies included.</desc>',
        # scoped to this drawing: inline in a page (the report, the web model page), a bare ``text`` rule
        # would restyle every other drawing's text there too
        f'<style>.{ROOT_CLASS} text{{font-family:{FONT};font-size:14px;fill:#1A1A1A}}'
        f'.{ROOT_CLASS} text.{TODO}{{font-weight:bold;fill:#A03000}}</style>',
        '<defs><marker id="prisma-arrow" viewBox="0 0 10 10" refX="8" refY="5" markerWidth="8" markerHeight="8" '
        'orient="auto"><path d="M0,0 L10,5 L0,10 z" fill="#333333"/></marker></defs>',
        f'<rect x="0" y="0" width="{W}" height="{height}" fill="#FFFFFF"/>',
        f'<rect x="{LEFT_X}" y="30" width="{RIGHT_X + BOX_W - LEFT_X}" height="40" fill="#F2C94C" stroke="#B8932B"/>',
        f'<text x="{num((LEFT_X + RIGHT_X + BOX_W) / 2)}" y="56" text-anchor="middle" font-weight="bold">'
        'Identification of studies via databases and registers</text>',
    ]
    return "\n".join(head + body + ["</svg>"]) + "\n"
