"""Shared benchmark plumbing: a scratch database, timing helpers, one JSON line per figure.

Every benchmark prints lines like::

    {"name": "load_rate_merge", "value": 5123.4, "unit": "rows/s", "n": 5, "engine": "arcadedb"}

``value`` is a median over ``n`` runs unless the name says otherwise.
"""

from __future__ import annotations

import json
import statistics
import sys
import time
from contextlib import contextmanager
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from graph import arcadedb_server  # noqa: E402
from graph.backend import connect  # noqa: E402
from graph.schema import init_schema  # noqa: E402
from graph.settings import load_settings  # noqa: E402


@contextmanager
def scratch_graph(name: str, **overrides):
    """Yield a Graph on an empty database ``bench_<name>``, schema applied.

    On the embedded engine the database is dropped and created afresh; on Neo4j (graph_uri
    set) the configured database is emptied first — point it at a throw-away instance.
    """
    settings = load_settings(overrides)
    database = f"bench_{name}"
    if settings.is_embedded:
        info = arcadedb_server.ensure_running(settings)
        try:
            arcadedb_server.server_command(info, f"drop database {database}")
        except Exception:  # noqa: BLE001 - absent on the first run; creation below decides
            pass
        arcadedb_server.server_command(info, f"create database {database}")
        settings = settings.replace(graph_database=database)
    graph = connect(settings)
    if not settings.is_embedded:
        graph.write("MATCH (n) DETACH DELETE n")
    init_schema(graph)
    try:
        yield graph
    finally:
        if settings.is_embedded:
            graph.close()
            arcadedb_server.server_command(info, f"drop database {database}")
        else:
            graph.close()


def timed(fn, *args, **kwargs) -> tuple[float, object]:
    """Run ``fn`` once; return (seconds, its result)."""
    start = time.perf_counter()
    result = fn(*args, **kwargs)
    return time.perf_counter() - start, result


def percentile(values: list[float], q: float) -> float:
    """The q-th percentile (0–100) of values, by linear interpolation."""
    ordered = sorted(values)
    position = (len(ordered) - 1) * q / 100
    low = int(position)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


def report(name: str, value: float, unit: str, n: int, engine: str, **extra) -> dict:
    """Print one machine-readable figure and return it."""
    line = {"name": name, "value": round(value, 4), "unit": unit, "n": n, "engine": engine,
            **extra}
    print(json.dumps(line, ensure_ascii=False), flush=True)
    return line


median = statistics.median
