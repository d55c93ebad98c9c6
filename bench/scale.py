"""One district's scale figures, for the table of districts of different sizes (issue 9).

Reads whatever the settings point at (a district built with
``minqing demo --residents N --no-serve`` in its own ``MINQING_DATA_DIR`` and ports) and
reports, in one process:

* size: residents, nodes, relationships, searchable resources;
* silent groups: the live eligibility query of every program (what a refresh evaluates),
  p50/p95 over programs and the total, against a baseline in the same run
  (``MATCH (r:Resident) RETURN count(r)``: one label scan);
* search: the search of ``search_latency.py`` (parse, encode, retrieve, filter, match) over
  its 12 demands × ``--runs``, p50/p95;
* dashboard: the KPI computation without cache (what a refresh of the big screen costs),
  p50 over ``--runs``;
* memory: this process's peak RSS (the app side: encoder, vector copies, dashboard) and the
  database server's peak RSS since it started (``VmHWM`` of the ArcadeDB JVM);
* ingest: seconds from ``<data_dir>/ingest/report.json`` when the build wrote one.

    MINQING_DATA_DIR=/work/scale350 MINQING_ARCADEDB_BOLT_PORT=7790 \\
    MINQING_ARCADEDB_HTTP_PORT=2590 .venv/bin/python bench/scale.py [--runs 3]
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import resource
import time
from pathlib import Path

from harness import percentile, report
from search_latency import DEMANDS, TODAY, _search_only

from graph import arcadedb_server
from graph.backend import batch_timeout_ms, connect
from graph.schema import searchable_labels
from graph.settings import load_settings

AS_OF = dt.date(2025, 6, 30)


def _ms(fn, *args, **kwargs) -> float:
    started = time.perf_counter()
    fn(*args, **kwargs)
    return (time.perf_counter() - started) * 1000


def _jvm_peak_mb(settings) -> float | None:
    """Peak resident set of the embedded server since it started, from /proc (Linux)."""
    running = arcadedb_server.find_running(settings) if settings.is_embedded else None
    if running is None:
        return None
    try:
        status = Path(f"/proc/{running.pid}/status").read_text()
    except OSError:
        return None
    line = next(line for line in status.splitlines() if line.startswith("VmHWM:"))
    return int(line.split()[1]) / 1024


def silent_group_times(graph) -> list[float]:
    """Milliseconds of each program's live silent-group query (ids only, as the refresh)."""
    from queries.programs import load_programs
    from queries.programs.silent import silent_group_query

    times = []
    for program in load_programs().values():
        query, params = silent_group_query(program, AS_OF, ids_only=True)
        times.append(_ms(graph.read, query, params, max_rows=10_000_000,
                         timeout_ms=batch_timeout_ms(graph.settings)))
    return times


def search_times(graph, settings, runs: int) -> list[float]:
    """Milliseconds of the search over the demands, after one warm-up pass."""
    from models.demand import parse_demand, warm_up
    from models.embeddings import get_embedder
    from models.gazetteer import Gazetteer
    from models.proposal import propose

    gazetteer = Gazetteer.from_graph(graph)
    warm_up(gazetteer)
    embedder = get_embedder(settings)
    for text in DEMANDS:
        propose(graph, embedder, parse_demand(text, today=TODAY, gazetteer=gazetteer))
    return [_ms(lambda t: propose(graph, embedder, _search_only(
        parse_demand(t, today=TODAY, gazetteer=gazetteer))), text)
        for _ in range(runs) for text in DEMANDS]


def dashboard_times(graph, settings, runs: int) -> list[float]:
    """Milliseconds of the uncached KPI computation."""
    from queries.dashboard import dashboard_kpis
    from queries.store import connect as connect_store

    conn = connect_store(settings)
    try:
        return [_ms(dashboard_kpis, graph, conn) for _ in range(runs)]
    finally:
        conn.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    settings = load_settings()
    graph = connect(settings)
    engine = graph.engine
    def count() -> int:
        return graph.read("MATCH (r:Resident) RETURN count(r) AS n").single_value()

    residents = count()
    batch_ms = batch_timeout_ms(settings)  # whole-graph counts are batch reads
    nodes = graph.read("MATCH (n) RETURN count(n) AS n", timeout_ms=batch_ms).single_value()
    rels = graph.read("MATCH ()-[r]->() RETURN count(r) AS n",
                      timeout_ms=batch_ms).single_value()
    resources = sum(graph.read(f"MATCH (n:{label}) RETURN count(n) AS n").single_value()
                    for label in searchable_labels())
    tag = f"{residents // 1000} k"
    report(f"scale {tag}: size", residents, "residents", 1, engine, nodes=nodes,
           relationships=rels, resources=resources)
    ingest_report = Path(settings.data_dir) / "ingest" / "report.json"
    if ingest_report.exists():
        seconds = json.loads(ingest_report.read_text(encoding="utf-8"))["seconds"]
        report(f"scale {tag}: ingest", seconds["total"], "s", 1, engine, phases=seconds)

    baseline = [_ms(count) for _ in range(5)]
    silent = silent_group_times(graph)
    report(f"scale {tag}: silent group (live, per program)", percentile(silent, 50), "ms p50",
           len(silent), engine, p95_ms=round(percentile(silent, 95), 1),
           total_s=round(sum(silent) / 1000, 1),
           ratio_to_label_count=round(percentile(silent, 50) / percentile(baseline, 50), 1),
           baseline_label_count_ms=round(percentile(baseline, 50), 1))
    search = search_times(graph, settings, args.runs)
    report(f"scale {tag}: search", percentile(search, 50), "ms p50", len(search), engine,
           p95_ms=round(percentile(search, 95), 1))
    board = dashboard_times(graph, settings, args.runs)
    report(f"scale {tag}: dashboard KPIs, uncached", percentile(board, 50), "ms p50",
           len(board), engine)
    jvm = _jvm_peak_mb(settings)
    report(f"scale {tag}: peak RSS", resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
           "MB (app process)", 1, engine,
           database_peak_mb=round(jvm) if jvm is not None else "not embedded")
    graph.close()


if __name__ == "__main__":
    main()
