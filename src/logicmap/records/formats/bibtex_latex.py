"""LaTeX in BibTeX values, both ways: decoding to Unicode on reading, encoding on writing.

Also the splitting of values on separators outside braces (``and`` between authors).
:func:`decode_latex` undoes :func:`encode_latex`; identifiers and addresses (DOIs,
URLs) only have their escapes removed or added (:func:`unescape_verbatim`,
:func:`encode_verbatim`).
"""

from __future__ import annotations

import re

from pylatexenc.latex2text import LatexNodes2Text, MacroTextSpec, get_default_latex_context_db

#: ``and`` between the names of a BibTeX author list.
AND_SEPARATOR = re.compile(r"\s+and\s+", re.IGNORECASE)
_SIMPLE = {"%": "%", "&": "&", "#": "#", "_": "_", "$": "$", "textless": "<", "textgreater": ">"}
_SIMPLE_ESCAPE = re.compile(r"\\([%&#_$])|\\(textless|textgreater)(?:\{\}|(?![A-Za-z])\s*)")
_NEEDS_LATEX = re.compile(r"[\\$~]|--|''|``|[?!]`")
_MATH_HINT = re.compile(r"[\\^_<>=]|^\s*\S{1,3}\s*$")


def _latex_converter() -> LatexNodes2Text:
    db = get_default_latex_context_db()
    replacements = {
        "textless": "<", "textgreater": ">", "textbraceleft": "{", "textbraceright": "}",
        "textasciicircum": "^", "textunderscore": "_", "textquotedbl": '"', "-": "",
        "url": "%s",
    }  # fmt: skip
    db.add_context_category(
        "logicmap-bibtex",
        macros=[MacroTextSpec(name, repl) for name, repl in replacements.items()],
        prepend=True,
    )
    return LatexNodes2Text(latex_context=db)


_L2T = _latex_converter()


# --------------------------------------------------------------------- decoding


def _protect_specials(value: str) -> str:
    """Escape ``%``/``&`` and lone ``$`` that exports leave raw (not LaTeX there)."""
    parts = re.split(r"(?<!\\)(\$)", value)
    out, index = [], 0
    while index < len(parts):
        part = parts[index]
        closing = index + 2 < len(parts) and parts[index + 2] == "$"
        if part == "$" and closing and _MATH_HINT.search(parts[index + 1]):
            out.append("$" + parts[index + 1] + "$")
            index += 3
            continue
        out.append(r"\$" if part == "$" else part)
        index += 1
    return re.sub(r"(?<!\\)([%&])", r"\\\1", "".join(out))


def full_decode_latex(value: str) -> str:
    """LaTeX text to Unicode with pylatexenc (slow; see :func:`decode_latex`)."""
    try:
        return _L2T.latex_to_text(_protect_specials(value))
    except Exception:  # pylatexenc fails on some malformed macros; keep the text
        return value.replace("{", "").replace("}", "")


def decode_latex(value: str) -> str:
    """LaTeX text (accents, escapes, protecting braces) to plain Unicode.

    Values whose only LaTeX is simple escapes (``\\%``, ``{\\textless}``) and
    protecting braces are decoded directly; pylatexenc is ~100x slower.
    """
    if _NEEDS_LATEX.search(_SIMPLE_ESCAPE.sub("", value)):
        return full_decode_latex(value)
    text = _SIMPLE_ESCAPE.sub(lambda m: _SIMPLE[m.group(1) or m.group(2)], value)
    return re.sub(r"[{}]", "", text)


def unescape_verbatim(value: str) -> str:
    """DOI/URL values: drop protecting braces and backslash escapes only."""
    value = re.sub(r"(?<!\\)[{}]", "", value)
    return re.sub(r"\\([_&%#${}~\\])", r"\1", value).strip()


def split_top_level(value: str, separator: re.Pattern[str]) -> list[str]:
    """Split ``value`` on ``separator`` matches outside braces."""
    parts, depth, start, index = [], 0, 0, 0
    while index < len(value):
        char = value[index]
        depth += (char == "{") - (char == "}")
        match = separator.match(value, index) if depth == 0 else None
        if match and match.end() > index:
            parts.append(value[start:index])
            start = index = match.end()
            continue
        index += 1
    parts.append(value[start:])
    return [part.strip() for part in parts if part.strip()]


# --------------------------------------------------------------------- encoding

_TEXT_ESCAPES = {
    "\\": r"\textbackslash{}", "{": r"\textbraceleft{}", "}": r"\textbraceright{}",
    "~": r"\textasciitilde{}", "^": r"\textasciicircum{}",
    "%": r"\%", "&": r"\&", "$": r"\$", "#": r"\#", "_": r"\_",
}  # fmt: skip
_TEXT_SPECIAL = re.compile("[" + re.escape("".join(_TEXT_ESCAPES)) + "]")


def encode_latex(text: str) -> str:
    """Plain text to LaTeX that :func:`decode_latex` turns back into ``text``."""
    text = _TEXT_SPECIAL.sub(lambda m: _TEXT_ESCAPES[m.group(0)], text)
    return re.sub(r"([-'`?!])(?=[-'`])", r"\1{}", text)  # no ligatures (--, '', ?`)


def encode_verbatim(text: str) -> str:
    """DOI/URL text: only characters that would break the BibTeX value are escaped."""
    return re.sub(r"([{}\\])", r"\\\1", text)
