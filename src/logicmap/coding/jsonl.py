"""Reading records to code from a JSONL file (``id``, ``title``, ``abstract`` per line)."""

from __future__ import annotations

import json
from pathlib import Path

from logicmap.errors import CodingError


class RecordsFileError(CodingError):
    """A records JSONL file was refused; ``problems`` names every bad line."""

    def __init__(self, problems: list[str]):
        self.problems = problems
        super().__init__(f"{len(problems)} problem(s) in the records file" if len(problems) > 1 else problems[0])


def read_records(path: Path) -> list[dict]:
    """Records (``id``, ``title``, ``abstract``) from JSONL; every bad line is reported at once."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise RecordsFileError([f"{path}: cannot read ({exc})"]) from exc
    records, problems, seen = [], [], {}
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            obj = json.loads(line)
        except json.JSONDecodeError as exc:
            problems.append(f"{path}, line {number}: invalid JSON ({exc.msg} at column {exc.colno})")
            continue
        if not isinstance(obj, dict):
            problems.append(f"{path}, line {number}: expected a JSON object with id, title, abstract")
            continue
        rid = obj.get("id")
        if rid is None or str(rid).strip() == "":
            problems.append(f"{path}, line {number}: missing 'id'")
            continue
        rid = str(rid)
        if rid in seen:
            problems.append(f"{path}, line {number}: id {rid!r} repeats line {seen[rid]}")
            continue
        seen[rid] = number
        title, abstract = obj.get("title") or "", obj.get("abstract") or ""
        if not isinstance(title, str) or not isinstance(abstract, str):
            problems.append(f"{path}, line {number} (id {rid}): title and abstract must be strings")
            continue
        if not (title.strip() or abstract.strip()):
            problems.append(f"{path}, line {number} (id {rid}): empty title and abstract")
            continue
        records.append({"id": rid, "title": title, "abstract": abstract})
    if problems:
        raise RecordsFileError(problems)
    if not records:
        raise RecordsFileError([f"{path}: no records"])
    return records
