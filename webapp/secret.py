"""The app's session-signing key, generated once into a private file in the data directory."""

from __future__ import annotations

import secrets

from graph.secret_files import generated_secret

SECRET_FILE = "web_secret_key"


def secret_key(settings) -> str:
    """Return the key from ``<data_dir>/web_secret_key``, creating it (0600) on first use."""
    return generated_secret(settings.data_path / SECRET_FILE, lambda: secrets.token_hex(32),
                            "the web secret key", "check that data_dir is writable")
