"""The app's session-signing key, generated once into a private file in the data directory."""

from __future__ import annotations

import os
import secrets

from graph.errors import ConfigError

SECRET_FILE = "web_secret_key"


def secret_key(settings) -> str:
    """Return the key from ``<data_dir>/web_secret_key``, creating it (0600) on first use."""
    path = settings.data_path / SECRET_FILE
    try:
        if not path.exists():
            path.parent.mkdir(parents=True, exist_ok=True)
            fd = os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600)
            with os.fdopen(fd, "w") as f:
                f.write(secrets.token_hex(32))
        return path.read_text().strip()
    except FileExistsError:  # another process created it between our check and open
        return path.read_text().strip()
    except OSError as e:
        raise ConfigError(f"Cannot read or create the web secret key {path}: {e}; check that "
                          f"data_dir is writable.") from e
