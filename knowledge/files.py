"""Reading a file a person named (a knowledge file, a lexicon): only a regular file, and only so much of it.

A path can name a directory, a FIFO nobody writes to (opening it would wait forever),
/dev/zero (endless) or a socket; none of them is a file to read, and each is refused at
once with what it is."""

from __future__ import annotations

import errno
import os
import stat


class UnreadableFile(Exception):
    """Why a named file cannot be read, as a phrase: "is a directory", "cannot read: …"."""


def read_regular_file(name: str, max_bytes: int, *, what: str = "file") -> bytes:
    """The file's bytes; UnreadableFile unless it is a regular file of at most `max_bytes`
    (`what` it should be names it in the message: "is a directory, not a lexicon file")."""
    try:
        # O_NONBLOCK: opening a FIFO nobody writes to would otherwise wait forever. The
        # size in a stat() of the path says nothing for /dev/zero or a pipe, so the type
        # is checked on the open descriptor and the read itself is capped.
        fd = os.open(name, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
    except OSError as exc:
        if exc.errno == errno.ENXIO:  # a socket, or a device with nothing behind it
            raise UnreadableFile("is not a regular file (a device, pipe or socket)") from None
        raise UnreadableFile(f"cannot read: {exc.strerror or exc}") from None
    try:
        mode = os.fstat(fd).st_mode
        if stat.S_ISDIR(mode):
            raise UnreadableFile(f"is a directory, not a {what}")
        if not stat.S_ISREG(mode):
            raise UnreadableFile("is not a regular file (a device, pipe or socket)")
        chunks: list[bytes] = []
        size = 0
        while size <= max_bytes:
            try:
                chunk = os.read(fd, min(1 << 20, max_bytes + 1 - size))
            except OSError as exc:
                raise UnreadableFile(f"cannot read: {exc.strerror or exc}") from None
            if not chunk:
                break
            chunks.append(chunk)
            size += len(chunk)
    finally:
        os.close(fd)
    if size > max_bytes:
        raise UnreadableFile(f"file is larger than {max_bytes // (1024 * 1024)} MB")
    return b"".join(chunks)


def not_utf8(exc: UnicodeDecodeError) -> str:
    """What is wrong with a file that is not UTF-8, and the fix, as a phrase."""
    data = exc.object
    return f"not UTF-8 text (byte 0x{data[exc.start]:02x} at position {exc.start}): save it as UTF-8"
