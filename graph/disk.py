"""Disk faults (full, read-only) turned into one-line errors that name the folder to fix.

Two sources: ``OSError`` in this process (the ingest reports and checkpoint), and the graph
server's own disk. ArcadeDB in production mode hides why a commit failed ("The request failed.
Check the server log for the details"), so for the embedded server the reason is read from
the recent SEVERE entries of its log, where the Java ``IOException`` says "No space left on
device" or "Read-only file system".
"""

from __future__ import annotations

import datetime as dt
import errno
import os
import re
from contextlib import contextmanager
from pathlib import Path

from graph.errors import StorageError

_NO_SPACE = (errno.ENOSPC, errno.EDQUOT)
_READ_ONLY = (errno.EROFS,)

# How a server's disk fault reads in its error text (Java's strerror wording).
_SERVER_TEXTS = (("no space left on device", "no space"), ("disk quota exceeded", "no space"),
                 ("read-only file system", "read-only"))


def is_disk_fault(error: OSError) -> bool:
    """True if ``error`` means the disk is full or mounted read-only."""
    return error.errno in _NO_SPACE + _READ_ONLY


def storage_error(kind: str, folder: Path | str, what: str) -> StorageError:
    """Build the one-line error for a full (``kind="no space"``) or read-only folder.

    >>> str(storage_error("no space", "/d/ingest", "the ingest checkpoint"))[:44]
    'No space left on device in /d/ingest (the in'
    """
    if kind == "no space":
        return StorageError(
            f"No space left on device in {folder} ({what}): free space there or move "
            "data_dir (MINQING_DATA_DIR), then run the command again; finished work is kept.")
    return StorageError(
        f"{folder} is on a read-only file system ({what}): remount it read-write or set "
        "data_dir (MINQING_DATA_DIR), then run the command again; nothing was lost.")


def from_os_error(error: OSError, folder: Path | str, what: str) -> StorageError:
    """Turn a full-disk or read-only ``OSError`` into a StorageError naming its folder."""
    if error.filename:
        # The failing call names a file (write) or the folder itself (mkdir, chmod).
        path = Path(os.fsdecode(error.filename))
        folder = path if path.is_dir() else path.parent
    kind = "no space" if error.errno in _NO_SPACE else "read-only"
    return storage_error(kind, folder, what)


def server_fault_kind(text: str) -> str | None:
    """Return "no space" or "read-only" if a server's error text reports a disk fault.

    >>> server_fault_kind("Caused by: java.io.IOException: No space left on device")
    'no space'
    >>> server_fault_kind("txlog_0.wal (Read-only file system)")
    'read-only'
    >>> server_fault_kind("Neo.ClientError.Statement.SyntaxError: Invalid input") is None
    True
    """
    lowered = text.lower()
    for needle, kind in _SERVER_TEXTS:
        if needle in lowered:
            return kind
    return None


# "2026-11-30 02:20:24.323 SEVER [BoltNetworkExecutor] ..." (java.util.logging, local time)
_LOG_ENTRY = re.compile(r"^(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d)\.\d+ (\w+)")


def recent_log_fault(log_path: Path, within_s: float = 60, tail_bytes: int = 256_000,
                     now: dt.datetime | None = None) -> str | None:
    """Return "no space" or "read-only" if a SEVERE entry of the last ``within_s`` seconds in
    the server log ``log_path`` (with its stack trace) reports a disk fault, else None."""
    try:
        with open(log_path, "rb") as f:
            f.seek(max(0, f.seek(0, os.SEEK_END) - tail_bytes))
            text = f.read().decode(errors="replace")
    except OSError:
        return None
    cutoff = (now or dt.datetime.now()) - dt.timedelta(seconds=within_s)
    severe: list[list[str]] = []
    keep = False
    for line in text.splitlines():
        entry = _LOG_ENTRY.match(line)
        if entry:
            keep = entry[2].startswith("SEVER") and \
                dt.datetime.strptime(entry[1], "%Y-%m-%d %H:%M:%S") >= cutoff
            if keep:
                severe.append([])
        if keep:  # a stack trace's lines belong to the entry above them
            severe[-1].append(line)
    for lines in reversed(severe):  # the latest fault says what is wrong now
        kind = server_fault_kind("\n".join(lines))
        if kind:
            return kind
    return None


@contextmanager
def disk_faults(folder: Path | str, what: str):
    """Raise a StorageError naming ``folder`` for a full or read-only disk inside the block."""
    try:
        yield
    except OSError as e:
        if not is_disk_fault(e):
            raise
        raise from_os_error(e, folder, what) from e
