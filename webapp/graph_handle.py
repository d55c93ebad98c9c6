"""One graph backend per app, opened on first use and re-opened after the server went away."""

from __future__ import annotations

import threading

from flask import current_app

from graph.errors import GraphUnavailable
from graph.settings import Settings


class GraphHandle:
    """Holds the app's ``Graph``; connects lazily so the app starts even if the graph is down."""

    def __init__(self, settings: Settings):
        self.settings = settings
        self._graph = None
        self._lock = threading.Lock()

    def get(self):
        """Return the open graph, connecting (and starting the embedded server) if needed."""
        with self._lock:
            if self._graph is None:
                from graph.backend import connect

                self._graph = connect(self.settings)
            return self._graph

    def reset(self) -> None:
        """Forget a broken connection so the next request connects afresh."""
        with self._lock:
            if self._graph is not None:
                try:
                    self._graph.close()
                except Exception:  # closing a dead driver can fail in many ways; ignore all
                    pass
                self._graph = None


def get_graph():
    """Return the current app's graph (flaskr's ``get_db``)."""
    handle: GraphHandle = current_app.extensions["minqing_graph"]
    try:
        return handle.get()
    except GraphUnavailable:
        handle.reset()
        raise
