"""Ingest of a whole generated district: time, throughput vs raw CREATE, ER quality, quarantine.

In one process: (1) generate the district's raw exports (or take --raw), (2) measure the
engine's raw ``UNWIND … CREATE`` rate on a resident-shaped sample (nodes with ~20
properties and 12 tag relationships each — the graph's own mix), (3) run the full ingest
(read, validate, resolve, tags, checkpointed MERGE writes) into an empty database,
(4) score entity resolution against the generator's ground truth.

    .venv/bin/python bench/ingest_district.py [--residents 83000] [--raw DIR]
"""

from __future__ import annotations

import argparse
import random
import resource
import tempfile
import time
from collections import Counter
from pathlib import Path

from harness import report, scratch_graph

from ingest.pipeline import run_ingest
from ingest.synthetic import generate_district
from ingest.synthetic.params import SNAPSHOT
from ingest.synthetic.scoring import score_resolution


def raw_create_rate(graph, residents: int = 20_000, tags_each: int = 12) -> float:
    """Rows (nodes + relationships) per second written with plain UNWIND … CREATE."""
    rng = random.Random(3)
    size = graph.settings.write_batch_size
    props = {f"p{i}": f"value {i}" for i in range(20)}
    tags = [{"tag_id": f"t{i}"} for i in range(180)]
    nodes = [{"resident_id": f"R{i:07d}", **props} for i in range(residents)]
    started = time.perf_counter()
    graph.write("UNWIND $rows AS row CREATE (t:Tag) SET t = row", {"rows": tags})
    for i in range(0, len(nodes), size):
        graph.write("UNWIND $rows AS row CREATE (r:Resident) SET r = row",
                    {"rows": nodes[i:i + size]})
    pairs = [{"r": n["resident_id"], "t": f"t{j}"} for n in nodes
             for j in rng.sample(range(180), tags_each)]
    for i in range(0, len(pairs), size):
        graph.write("UNWIND $rows AS row MATCH (r:Resident {resident_id: row.r}) "
                    "MATCH (t:Tag {tag_id: row.t}) CREATE (r)-[:HAS_TAG]->(t)",
                    {"rows": pairs[i:i + size]})
    return (len(tags) + len(nodes) + len(pairs)) / (time.perf_counter() - started)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--residents", type=int, default=83_000)
    parser.add_argument("--raw", type=Path, default=None,
                        help="Use these exports instead of generating (must have ground_truth/).")
    args = parser.parse_args()

    workdir = Path(tempfile.mkdtemp(prefix="minqing-bench-"))
    raw = args.raw
    if raw is None:
        raw = workdir / "raw"
        started = time.perf_counter()
        generate_district(raw, residents=args.residents)
        generation = time.perf_counter() - started
    with scratch_graph("raw_create") as graph:
        engine = graph.engine
        baseline = raw_create_rate(graph)
    with scratch_graph("ingest") as graph:
        result = run_ingest(graph, raw, workdir / "ingest", as_of=SNAPSHOT)
    rows_written = sum(result.nodes.values()) + sum(result.relationships.values())
    total = result.seconds["total"]
    scores = score_resolution(raw, result.resolution_file)
    peak_rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024

    n, extra = 1, {"residents": args.residents}
    if args.raw is None:
        report("district_generation_s", generation, "s", n, engine, **extra)
    report("ingest_total_s", total, "s", n, engine, **extra,
           phases={k: v for k, v in result.seconds.items() if k != "total"})
    report("ingest_rows_written", rows_written, "rows", n, engine, **extra)
    report("ingest_throughput", rows_written / total, "rows/s", n, engine, **extra)
    report("raw_create_baseline", baseline, "rows/s", n, engine)
    report("ingest_vs_raw_create", rows_written / total / baseline, "ratio", n, engine)
    report("ingest_write_phase_vs_raw_create",
           rows_written / result.seconds["write"] / baseline, "ratio", n, engine)
    for key in ("precision", "recall", "f1"):
        report(f"er_{key}", scores[key], "ratio", n, engine, **extra)
    report("er_unresolved_rows", scores["unresolved_rows"], "rows", n, engine)
    report("ingest_peak_rss_python", peak_rss_mb, "MiB", n, engine)
    reasons = Counter()
    for reason, count in result.issues_by_reason.items():
        action, field, _ = reason.split(": ", 2)
        reasons[f"{action} / {field}"] += count
    report("quarantine", sum(reasons.values()), "entries", n, engine, by_reason=dict(reasons))
    print(f"# report: {workdir / 'ingest' / 'report.json'}")


if __name__ == "__main__":
    main()
