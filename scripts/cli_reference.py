"""Render the `logicmap` command line as Markdown, for README.md's "CLI reference" section.

Walks the Typer app: one `###` heading per command path (groups included), the first
paragraph of its help, its usage line, and a table of its arguments and options with
their help and default. Hidden commands and options are left out.

README.md runs `render()` through cog; after changing a command, regenerate with
`python -m cogapp -r README.md` (tests/test_docs.py fails until then).

Usage: python scripts/cli_reference.py   (prints the Markdown)
"""

from __future__ import annotations

import enum
from collections.abc import Iterator
from pathlib import PurePath
from typing import Any

import typer

from logicmap.cli import app


def command_contexts(command: Any, ctx: Any) -> Iterator[tuple[Any, Any]]:
    """The command and every visible subcommand below it, each with its context."""
    yield command, ctx
    if not hasattr(command, "list_commands"):  # a leaf command, not a group
        return
    for name in command.list_commands(ctx):
        sub = command.get_command(ctx, name)
        if sub is not None and not sub.hidden:
            yield from command_contexts(sub, sub.context_class(sub, info_name=name, parent=ctx))


def first_paragraph(text: str | None) -> str:
    """The first paragraph of a help text, on one line."""
    paragraph = (text or "").strip().split("\n\n")[0]
    return " ".join(paragraph.replace("\b", "").split())


def default_text(param: Any) -> str:
    """A parameter's default as shown to a reader ('' when there is none worth showing)."""
    default = param.default
    if param.required:
        return "required"
    if callable(default):
        return "(dynamic)"  # computed at run time, e.g. the current user
    if default is None or default is False or default == "" or default == ():
        return ""
    if isinstance(default, enum.Enum):
        default = default.value
    if isinstance(default, (list, tuple)):
        return ", ".join(str(item) for item in default)
    if isinstance(default, PurePath):
        return default.as_posix()
    return str(default).lower() if isinstance(default, bool) else str(default)


def cell(text: str) -> str:
    """Text made safe for one Markdown table cell."""
    return " ".join(text.split()).replace("|", "\\|")


def parameter_rows(command: Any, ctx: Any) -> list[str]:
    """Markdown table rows, one per visible argument or option (--help left out)."""
    help_option = command.get_help_option(ctx)
    rows = []
    for param in command.get_params(ctx):
        if param is help_option or getattr(param, "hidden", False):
            continue
        record = param.get_help_record(ctx)
        names = record[0] if record else param.human_readable_name
        help_text = getattr(param, "help", None) or ""
        if getattr(param, "envvar", None):
            help_text += f" (env: `{param.envvar}`)"
        rows.append(f"| `{cell(names)}` | {cell(help_text)} | {cell(default_text(param))} |")
    return rows


def render_command(command: Any, ctx: Any) -> str:
    """The Markdown section of one command path."""
    path = ctx.command_path
    usage = " ".join(command.get_usage(ctx).removeprefix("Usage:").split())
    lines = [f"### {path}", ""]
    summary = first_paragraph(command.help or command.short_help)
    if summary:
        lines += [summary, ""]
    lines += ["```", usage, "```", ""]
    rows = parameter_rows(command, ctx)
    if rows:
        lines += ["| argument / option | help | default |", "|---|---|---|", *rows, ""]
    if hasattr(command, "list_commands"):
        subcommands = [
            f"`{path} {name}`"
            for name in command.list_commands(ctx)
            if not command.get_command(ctx, name).hidden
        ]
        lines += ["Commands: " + ", ".join(subcommands) + ".", ""]
    return "\n".join(lines)


def render(typer_app: typer.Typer = app, name: str = "logicmap") -> str:
    """The whole CLI reference as Markdown, one section per command path."""
    root = typer.main.get_command(typer_app)
    sections = [
        render_command(command, ctx)
        for command, ctx in command_contexts(root, root.context_class(root, info_name=name))
    ]
    return "\n".join(sections)


if __name__ == "__main__":
    print(render(), end="")
