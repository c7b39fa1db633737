"""logicmap: turn a literature search into an evidence-linked logic model."""

__version__ = "0.1.0"
