"""``python -m logicmap.cli``: the same as the ``logicmap`` command."""

from logicmap.cli import main

main()
