"""An imported file's original bytes, zlib-compressed for the project to keep.

The file is compressed on a worker thread (zlib releases the GIL) into a
temporary file while its records are parsed, and read back in parts, so that
neither the file nor its compressed form is ever held in memory whole.
"""

from __future__ import annotations

import tempfile
import threading
import zlib
from typing import Iterator

from logicmap.records.record import Document

#: Bytes read from the original (or cut from its compressed form) at a time.
PART_SIZE = 8 * 2**20
#: zlib level: the fastest; originals are kept for provenance, not read often.
LEVEL = 1


class CompressedOriginal:
    """One document's bytes as a zlib stream in a temporary file; :meth:`parts` cuts it up.

    The parts joined are one zlib stream: ``zlib.decompress(b"".join(parts))``
    gives the file's bytes back.
    """

    def __init__(self, doc: Document) -> None:
        self._doc = doc
        self._spool = tempfile.TemporaryFile()
        self._stop = threading.Event()

    def compress(self) -> int:
        """Compress the whole document into the temporary file; returns the compressed size.

        After :meth:`stop` (the import failed) it returns early, leaving the stream unfinished.
        """
        packer = zlib.compressobj(LEVEL)
        for block in self._blocks():
            if self._stop.is_set():
                return -1
            self._spool.write(packer.compress(block))
        self._spool.write(packer.flush())
        return self._spool.tell()

    def _blocks(self) -> Iterator[bytes]:
        if not self._doc.streamed:
            data = self._doc.data
            for start in range(0, len(data), PART_SIZE):
                yield data[start : start + PART_SIZE]
            return
        with self._doc.path.open("rb") as fh:  # type: ignore[union-attr]
            while block := fh.read(PART_SIZE):
                yield block

    def parts(self) -> Iterator[bytes]:
        """The compressed stream in parts of at most :data:`PART_SIZE` bytes (call after :meth:`compress`)."""
        self._spool.seek(0)
        while part := self._spool.read(PART_SIZE):
            yield part

    def stop(self) -> None:
        """Ask a running :meth:`compress` to give up at its next block."""
        self._stop.set()

    def close(self) -> None:
        """Remove the temporary file."""
        self._spool.close()
