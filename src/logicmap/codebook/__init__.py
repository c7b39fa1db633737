"""The codebook: layers, codes, hypothesised links and study descriptors (YAML + JSON Schema).

Example::

    from logicmap.codebook import load_codebook, rename_code
    cb = load_codebook()                       # the embedded recovery codebook
    cb, mapping = rename_code(cb, "T99", "T14")
"""

from logicmap.codebook.edits import add_code, add_link, merge_codes, rename_code, split_code
from logicmap.codebook.loader import (
    default_codebook_text,
    dumps_codebook,
    embedded_codebook_text,
    embedded_codebooks,
    load_codebook,
    loads_codebook,
    save_codebook,
    validate_text,
)
from logicmap.codebook.codes import (
    DIRECTIONS,
    DOMAINS,
    MODERATOR_DIRECTIONS,
    KINDS,
    LEVELS,
    Code,
    Codebook,
    CodebookError,
    Descriptor,
    Group,
    Layer,
    Link,
    Problem,
)

__all__ = [
    "DIRECTIONS", "DOMAINS", "KINDS", "LEVELS", "MODERATOR_DIRECTIONS", "Code", "Codebook", "CodebookError",
    "Descriptor", "Group", "Layer", "Link", "Problem", "add_code", "add_link", "default_codebook_text",
    "dumps_codebook", "embedded_codebook_text", "embedded_codebooks",
    "load_codebook", "loads_codebook", "merge_codes", "rename_code", "save_codebook", "split_code",
    "validate_text",
]
