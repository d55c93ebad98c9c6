"""What the frozen-server guard costs: one small read with and without ``graph_read_timeout_s``.

``Graph.read`` runs on a helper thread when ``graph_read_timeout_s`` > 0 (the default, 30),
so that a caller can stop waiting for a frozen server (docs/FAULTS.md, A4). This measures
that hand-off on the graph named by the settings (the demo district by default, only
read): a point lookup by resident id, the two graphs interleaved read by read in one
process, the unguarded read (``graph_read_timeout_s=0``) as the baseline.

    .venv/bin/python bench/read_deadline.py [--reads 200] [--rounds 5]
"""

from __future__ import annotations

import argparse
import statistics
import time

from harness import percentile, report

from graph.backend import connect
from graph.settings import load_settings

LOOKUP = "MATCH (r:Resident {resident_id: $id}) RETURN r.name AS name"
SAMPLE = "MATCH (r:Resident) RETURN r.resident_id AS id LIMIT $n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--reads", type=int, default=200, help="lookups per round and graph")
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()

    settings = load_settings()
    graphs = {"direct (graph_read_timeout_s=0)": connect(settings.replace(graph_read_timeout_s=0)),
              "guarded (graph_read_timeout_s=30)":
                  connect(settings.replace(graph_read_timeout_s=30))}
    direct = next(iter(graphs.values()))
    ids = [row["id"] for row in direct.read(SAMPLE, {"n": args.reads}).rows]
    times: dict[str, list[float]] = {name: [] for name in graphs}
    for graph in graphs.values():  # warm both pools
        graph.read(LOOKUP, {"id": ids[0]})
    pairs = list(graphs.items())
    for round_number in range(args.rounds):
        for number, resident_id in enumerate(ids):
            # Interleaved, first one then the other first: a busy machine's swings hit both.
            for name, graph in (pairs if (number + round_number) % 2 else pairs[::-1]):
                start = time.perf_counter()
                graph.read(LOOKUP, {"id": resident_id})
                times[name].append((time.perf_counter() - start) * 1000)
    engine = direct.engine
    for graph in graphs.values():
        graph.close()

    baseline = statistics.median(next(iter(times.values())))
    print(f"{'read':<36}{'n':>6}{'p50 ms':>9}{'p95 ms':>9}{'ratio':>8}")
    for name, values in times.items():
        p50 = statistics.median(values)
        print(f"{name:<36}{len(values):>6}{p50:>9.3f}{percentile(values, 95):>9.3f}"
              f"{p50 / baseline:>8.2f}")
    for name, values in times.items():
        report("read_deadline_" + name.split()[0], statistics.median(values), "ms",
               len(values), engine, p95=round(percentile(values, 95), 3),
               ratio=round(statistics.median(values) / baseline, 3))


if __name__ == "__main__":
    main()
