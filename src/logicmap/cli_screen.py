"""``logicmap screen``: an interactive screening session in the terminal.

Title and abstract with the codebook's key terms highlighted; i = include,
e = exclude (then a reason), m = maybe, u = undo, q = quit. Each decision is
stored the moment it is made; the stopping rule's estimate is shown as you go.
"""

from __future__ import annotations

import getpass
import re
from typing import Annotated, Optional

import typer
from rich.console import Console
from rich.markup import escape
from rich.panel import Panel

from logicmap.store import StoreError, open_project

out = Console(soft_wrap=True)
panels = Console()  # wraps long titles and abstracts inside the panel
err = Console(stderr=True, soft_wrap=True)


def highlighter(terms: list[str]):
    """A function that marks the key terms in a text (Rich markup, text escaped)."""
    words = sorted({t.strip() for t in terms if len(t.strip()) > 2}, key=len, reverse=True)
    if not words:
        return escape
    pattern = re.compile(r"\b(" + "|".join(re.escape(w) for w in words) + r")\b", re.IGNORECASE)

    def mark(text: str) -> str:
        parts, last = [], 0
        for match in pattern.finditer(text):
            parts.append(escape(text[last : match.start()]))
            parts.append(f"[bold yellow]{escape(match.group(0))}[/]")
            last = match.end()
        parts.append(escape(text[last:]))
        return "".join(parts)

    return mark


def screen(
    project: Annotated[str, typer.Option("--project", "-p", envvar="LOGICMAP_PROJECT", help="Project file or URL.")],
    reviewer: Annotated[str, typer.Option(default_factory=getpass.getuser, help="Who screens.")],
    stage: Annotated[str, typer.Option(help="title_abstract or full_text.")] = "title_abstract",
    seed: Annotated[int, typer.Option(help="Seed of the ranking model.")] = 0,
    criteria: Annotated[Optional[str], typer.Option(help="Eligibility text for the cold start.")] = None,
) -> None:
    """Screen records one by one, most promising first (active learning).

    Example: logicmap screen -p review.db --reviewer ana
    """
    from logicmap.cli_progress import count_progress
    from logicmap.coding.project import project_codebook
    from logicmap.screening.decisions import ScreeningError, exclusion_reasons
    from logicmap.screening.session import ScreeningSession
    from logicmap.store.models import RecordRow

    try:
        store = open_project(project)
    except StoreError as exc:
        err.print(f"[bold red]Error:[/] {escape(str(exc))}")
        raise typer.Exit(1) from exc
    with store:
        try:
            with count_progress(err, "Embedding titles and abstracts (once per text)") as progress:
                session = ScreeningSession(store, reviewer=reviewer, stage=stage, seed=seed,
                                           criteria=criteria, progress=progress)
        except (ScreeningError, ValueError) as exc:
            err.print(f"[bold red]Error:[/] {escape(str(exc))}")
            raise typer.Exit(1) from exc
        mark = highlighter([t for code in project_codebook(store).codes for t in code.terms])
        reasons = exclusion_reasons(store)
        made = 0
        while (step := session.next_record()) is not None:
            record_id, rank = step
            with store.session() as s:
                row = s.get(RecordRow, record_id)
                title, abstract, year = row.title or "(no title)", row.abstract or "(no abstract)", row.year
            progress = session.progress()
            estimate = "safe to stop" if progress.can_stop else f"keep going (p = {progress.stop_p:.2f})"
            panels.print(Panel(f"[bold]{mark(title)}[/] ({year or 'n.d.'})\n\n{mark(abstract)}",
                            title=f"record {record_id} · rank {rank}",
                            subtitle=f"{progress.screened}/{progress.total} screened · {progress.included} included · stopping rule: {estimate}"))
            answer = typer.prompt("[i]nclude / [e]xclude / [m]aybe / [u]ndo / [q]uit").strip().lower()[:1]
            if answer == "q":
                break
            if answer == "u":
                undone = session.undo()
                out.print(f"Undid the decision on record {undone}." if undone else "Nothing to undo.")
                made -= 1 if undone else 0
                continue
            if answer not in ("i", "e", "m"):
                out.print("Type i, e, m, u or q.")
                continue
            reason = None
            if answer == "e":
                for number, text in enumerate(reasons, 1):
                    out.print(f"  {number}. {escape(text)}")
                choice = typer.prompt("Reason number", default="1")
                reason = reasons[int(choice) - 1] if choice.isdigit() and 0 < int(choice) <= len(reasons) else reasons[-1]
            decision = {"i": "include", "e": "exclude", "m": "maybe"}[answer]
            session.decide(record_id, decision, reason=reason, rank=rank)
            made += 1
        progress = session.progress()
    out.print(f"{made} decision(s) saved; {progress.screened}/{progress.total} screened, {progress.included} included; "
              f"stopping rule: {'safe to stop' if progress.can_stop else 'not yet'}.")
