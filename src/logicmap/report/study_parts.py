"""The interactive page's study lists as separate script files, loaded when a link or box opens.

A model of thousands of studies carries megabytes of study lists (citation, title,
design, quoted sentences per link and per box) that a reader only needs for what
they click. :func:`split_study_lists` takes them out of the page data: each model
node and edge, and each view (the study ids of its links), gets a *part*, a small
script ``<PART_DIR>/<name>.js`` calling ``lmPart(name, {...})`` with its rows and
just the studies and quotes those rows cite. The page loads a part by adding a
``<script src>`` element, which also works from a ``file://`` URL (no fetch), so
the report folder still opens offline; the page says so when a part is missing.
"""

from __future__ import annotations

import json

#: Folder, beside the page, of the part files.
PART_DIR = "logic-model-studies"
#: Models with at least this many studies get their study lists in part files.
LAZY_FROM = 2000


def _script(name: str, payload: dict) -> str:
    raw = json.dumps(payload, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return f"lmPart({json.dumps(name)},{raw});\n"


def _part(rows: list, studies: dict, quotes: list, quote_at: int) -> dict:
    """``rows`` with the studies and quotes they cite (quotes by their index in the page's table)."""
    return {"rows": rows, "studies": {row[0]: studies[row[0]] for row in rows},
            "quotes": {str(q): quotes[q] for row in rows for q in row[quote_at]}}


def split_study_lists(data: dict) -> tuple[dict, dict[str, str]]:
    """``data`` (from :func:`~logicmap.report.interactive.model_data`) without study lists, and
    the part files (path under :data:`PART_DIR` -> script text). ``data`` is changed in place."""
    studies, quotes = data.pop("studies"), data.pop("quotes")
    files: dict[str, str] = {}
    for prefix, table, quote_at in (("n", data["nodes"], 2), ("e", data["edges"], 3)):
        for i, entry in enumerate(table.values()):
            name = f"{prefix}{i}"
            files[f"{PART_DIR}/{name}.js"] = _script(name, _part(entry.pop("studies"), studies, quotes, quote_at))
            entry["part"] = name
    for i, view in enumerate(data["views"]):
        name = f"v{i}"
        files[f"{PART_DIR}/{name}.js"] = _script(name, {"edges": {k: e.pop("studies") for k, e in view["edges"].items()}})
        view["part"] = name
    data["partDir"] = PART_DIR
    return data, files
