"""The app's handle on the workflow store (campaigns, notices, alerts, audit)."""

from __future__ import annotations

import contextlib
from typing import Iterator

from flask import current_app

from queries.store import connect


def store_target():
    """Where the app's store is: ``WORKFLOW_STORE`` in the app config (tests), else data_dir."""
    return current_app.config.get("WORKFLOW_STORE") or current_app.config["MINQING_SETTINGS"]


@contextlib.contextmanager
def workflow_store() -> Iterator:
    """Open the workflow store for one request and close it afterwards."""
    conn = connect(store_target())
    try:
        yield conn
    finally:
        conn.close()
