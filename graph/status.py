"""What ``minqing db status`` and the home page report about the graph."""

from __future__ import annotations

from graph.errors import GraphUnavailable
from graph.settings import Settings


def graph_status(settings: Settings) -> dict:
    """Describe the configured graph without starting anything.

    Returns a dict with ``engine``, ``running``, ``uri``, ``database`` and, when running,
    ``counts`` (nodes per label) — or ``error`` saying why it is not reachable.
    """
    from graph import arcadedb_server
    from graph.backend import connect

    status: dict = {"engine": "arcadedb" if settings.is_embedded else "neo4j",
                    "database": settings.database}
    if settings.is_embedded:
        try:
            info = arcadedb_server.find_running(settings)
        except GraphUnavailable as e:
            return {**status, "running": False, "error": str(e)}
        if info is None:
            return {**status, "running": False,
                    "data": str(arcadedb_server.server_home(settings))}
        status.update(running=True, uri=info.bolt_uri, pid=info.pid,
                      data=str(arcadedb_server.server_home(settings)))
    else:
        status["uri"] = settings.graph_uri
    try:
        with connect(settings) as graph:
            status["running"] = True
            status["counts"] = count_by_label(graph)
    except GraphUnavailable as e:
        status.update(running=False, error=str(e))
    return status


def count_by_label(graph) -> list[dict]:
    """Return ``[{"label", "nodes"}]`` for every label, via the named query."""
    from queries.registry import get_query, run_query

    return run_query(graph, get_query("counts_by_label"), {}).rows
