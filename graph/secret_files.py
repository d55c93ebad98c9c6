"""Secrets Minqing generates for itself: created once, private (0600), read back after."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Callable

from graph.errors import ConfigError


def generated_secret(path: Path, make: Callable[[], str], what: str, hint: str) -> str:
    """Return the secret in ``path``, first writing ``make()`` there with mode 0600.

    Two processes starting at once both end up with the one secret: ``O_EXCL`` lets only
    the first create the file, the other reads it.

    Raises:
        ConfigError: the file can be neither read nor created; names ``what`` and ``hint``
            (what to change).
    """
    try:
        if not path.exists():
            path.parent.mkdir(parents=True, exist_ok=True)
            fd = os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600)
            with os.fdopen(fd, "w") as f:
                f.write(make())
        return path.read_text().strip()
    except FileExistsError:  # another process created it between our check and open
        return path.read_text().strip()
    except OSError as e:
        raise ConfigError(f"Cannot read or create {what} {path}: {e}; {hint}.") from e
