"""README.md stays true: its generated CLI reference is current and its Python examples run."""

from __future__ import annotations

import io
import os
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest
from cogapp import Cog

import logicmap

REPO = Path(__file__).resolve().parents[1]
README = REPO / "README.md"
REGENERATE = "python -m cogapp -r README.md"
# `<!-- example-files: NAME=REPO_PATH ... -->` on the line before a block: files the example reads.
EXAMPLE_FILES = re.compile(r"<!--\s*example-files:(?P<pairs>.*?)-->")


@dataclass(frozen=True)
class Example:
    line: int  # of the opening fence, 1-based
    code: str
    files: dict[str, str]  # name in the example's folder -> path in the repository


def example_files(comment_line: str) -> dict[str, str]:
    """The files named by an example-files comment ({} for any other line)."""
    match = EXAMPLE_FILES.search(comment_line)
    if not match:
        return {}
    return dict(pair.split("=", 1) for pair in match["pairs"].split())


def python_examples(markdown: str) -> list[Example]:
    """Every ```python fenced block, with the files its preceding comment asks for."""
    lines = markdown.splitlines()
    examples = []
    index = 0
    while index < len(lines):
        if lines[index].strip() == "```python":
            start = index
            index += 1
            while index < len(lines) and lines[index].strip() != "```":
                index += 1
            files = example_files(lines[start - 1]) if start else {}
            examples.append(Example(start + 1, "\n".join(lines[start + 1 : index]) + "\n", files))
        index += 1
    return examples


def test_cli_reference_is_current():
    cog = Cog()
    messages = io.StringIO()
    cog.set_output(stdout=messages, stderr=messages)
    status = cog.main(["cog", "--check", "--diff", str(README)])
    assert status == 0, (
        f"README.md's CLI reference is out of date with the command line; "
        f"regenerate it with `{REGENERATE}` in the repository.\n{messages.getvalue()}"
    )


def test_example_files_comment_is_read():
    markdown = "<!-- example-files: a.ris=tests/x.ris b.csv=tests/y.csv -->\n```python\nprint(1)\n```\n"
    assert python_examples(markdown) == [
        Example(2, "print(1)\n", {"a.ris": "tests/x.ris", "b.csv": "tests/y.csv"})
    ]


@pytest.mark.parametrize(
    "example", python_examples(README.read_text(encoding="utf-8")), ids=lambda e: f"README.md:{e.line}"
)
def test_readme_python_examples_run(example, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    for name, source in example.files.items():
        shutil.copyfile(REPO / source, tmp_path / name)
    # The example imports the logicmap these tests import, wherever it is installed.
    package_root = str(Path(logicmap.__file__).resolve().parents[1])
    python_path = os.pathsep.join(filter(None, [package_root, os.environ.get("PYTHONPATH")]))
    env = dict(os.environ, PYTHONPATH=python_path)
    result = subprocess.run(
        [sys.executable, "-c", example.code], env=env, capture_output=True, text=True, timeout=300
    )
    assert result.returncode == 0, (
        f"the Python example at README.md line {example.line} failed:\n{result.stdout}\n{result.stderr}"
    )
