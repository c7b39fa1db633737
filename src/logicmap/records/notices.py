"""Publishers' notices at the end of an abstract.

Database exports append the publisher's copyright line to the abstract: Scopus and Web of Science
"(C) 2019 Elsevier Ltd. All rights reserved.", PsycINFO "(PsycINFO Database Record (c) 2019 APA, all
rights reserved)", EBSCO "Copyright of ... is the property of ...", BMJ "© Author(s) ... Published by
BMJ.". The record keeps its abstract as written; :func:`notice_start` says where the study's own text
ends, so that coding neither quotes a notice nor reads it as the study's last sentence.
"""

from __future__ import annotations

import re

_YEAR = r"(?:19|20)\d\d"
_START = re.compile(
    rf"(?:Crown\s+)?[Cc]opyright\s*:?\s*(?:©|\([cC]\)|{_YEAR}|by\b|of\b|the\s+author|Published\b)"
    r"|\(©\)|©|[\[(][Cc]opyright\b|\(Psyc(?:INFO|Info)\s+Database\s+Record|\[ABSTRACT\s+FROM\s+(?:AUTHOR|PUBLISHER)\]"
    r"|This\s+article\s+is\s+protected\s+by\s+copyright"
    r"|Published\s+by\s+(?:Elsevier|BMJ|John\s+Wiley|Wiley|Springer|Taylor|Oxford|Cambridge|SAGE|Informa)"
    r"|All\s+rights\s+reserved"
    # These may be the study's own words ("(c) 2010 carers", "Copyright law ...") or a notice that lost
    # its "©" ("2020 Elsevier B.V."): a notice only after a sentence's end, a publisher's word close behind.
    rf"|(?P<weak>\([cC]\)\s*{_YEAR}|Copyright\b|{_YEAR}\s+(?:Elsevier|The\s+Authors?\b|John\s+Wiley|Springer))"
)
_PUBLISHER = re.compile(
    r"rights|authors?\b|licen[cs]e|publish|\b(?:Ltd|Inc|B\.V|GmbH|LLC|Limited|APA|BMJ)\b|Elsevier|Wiley|Springer"
    r"|Taylor|Karger|Press\b|Society|Association|College|Sons\b|Radiology", re.I)
# A notice is the text's last few lines: from its start to the end of the text.
_LONGEST = 600


def notice_start(text: str) -> int:
    """Where the publisher's notice at the end of ``text`` begins (whitespace before it excluded), or
    ``len(text)`` when it ends with none. A notice starts after a space or a sentence's closing
    punctuation, within the text's last 600 characters, and runs to the end of the text."""
    if not text:
        return 0
    low = max(0, len(text) - _LONGEST)
    for m in _START.finditer(text, low):
        at = m.start()
        if not at:
            break  # a text that opens with a notice is not cut to nothing
        if not (text[at - 1].isspace() or text[at - 1] in ".!?;:)]\"'"):
            continue
        if m.group("weak") and not (text[:at].rstrip()[-1:] in (".", "!", "?")
                                    and _PUBLISHER.search(text, m.end(), m.end() + 80)):
            continue
        return len(text[:at].rstrip())
    return len(text)
