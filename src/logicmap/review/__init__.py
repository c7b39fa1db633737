"""The stages of a review project behind :class:`logicmap.api.Review`.

One class per stage namespace (``review.records``, ``review.dedupe``, ...). Each
takes plain values and returns plain dataclasses, reads and writes the project
through the store's repositories, and calls the pure stage cores. The command
line, the web app, the demo and the benchmarks use these through
:class:`~logicmap.api.Review` only.
"""
