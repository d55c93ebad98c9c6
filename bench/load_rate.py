"""Bulk load rate: nodes and relationships through the ingest writer (UNWIND … MERGE).

Baseline, in the same process and database engine: the raw ``UNWIND … CREATE`` rate. The
ratio ``load_rate_merge / load_rate_create`` says what MERGE on stable keys costs.

    .venv/bin/python bench/load_rate.py [--nodes 20000] [--runs 3]
"""

from __future__ import annotations

import argparse

from harness import median, report, scratch_graph, timed

from graph import cypher
from ingest.load import load_nodes, load_relationships


def building_rows(count: int) -> list[dict]:
    return [{"building_id": f"B{i:07d}", "floors": 5 + i % 3, "build_year": 1985 + i % 15,
             "address": f"临汾路{i // 40 + 1}弄{i % 40 + 1}号"} for i in range(count)]


def resident_rows(count: int) -> list[dict]:
    return [{"resident_id": f"R{i:08d}", "sex": "MF"[i % 2],
             "birth_date": f"{1930 + i % 90}-0{1 + i % 9}-1{i % 9}", "floor": 1 + i % 6}
            for i in range(count)]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--nodes", type=int, default=20_000, help="Residents per run.")
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()

    residents = resident_rows(args.nodes)
    buildings = building_rows(max(args.nodes // 80, 1))
    lives_in = [(r["resident_id"], buildings[i % len(buildings)]["building_id"])
                for i, r in enumerate(residents)]
    create_payload = [{"key": r["resident_id"], "props": {k: v for k, v in r.items()
                                                          if k != "resident_id"}}
                      for r in residents]

    merge_rates, rel_rates, create_rates = [], [], []
    engine = "?"
    # Run 0 warms the JVM's JIT and is not counted.
    for run in range(args.runs + 1):
        if run == 1:
            merge_rates, rel_rates, create_rates = [], [], []
        with scratch_graph("load_rate") as graph:
            engine = graph.engine
            seconds, _ = timed(graph.write_batch, cypher.create_nodes("Resident"),
                               create_payload)
            create_rates.append(len(create_payload) / seconds)
        with scratch_graph("load_rate") as graph:
            load_nodes(graph, "Building", buildings)
            seconds, _ = timed(load_nodes, graph, "Resident", residents)
            merge_rates.append(len(residents) / seconds)
            seconds, _ = timed(load_relationships, graph, "LIVES_IN", lives_in)
            rel_rates.append(len(lives_in) / seconds)

    n = args.runs
    report("load_rate_create_baseline", median(create_rates), "nodes/s", n, engine,
           rows=args.nodes)
    report("load_rate_merge_nodes", median(merge_rates), "nodes/s", n, engine, rows=args.nodes)
    report("load_rate_merge_relationships", median(rel_rates), "rels/s", n, engine,
           rows=args.nodes)
    report("load_rate_merge_vs_create", median(merge_rates) / median(create_rates), "ratio", n,
           engine)


if __name__ == "__main__":
    main()
