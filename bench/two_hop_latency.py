"""Latency of a 2-hop read (area → buildings → residents), p50 and p95 over many runs.

Builds a district-shaped graph (areas, buildings, residents) through the ingest writer,
then times the named query ``area_neighbourhood`` for random areas. Baseline in the same
process: a 1-hop count on the same graph, so the ratio shows the cost of the second hop.

    .venv/bin/python bench/two_hop_latency.py [--residents 20000] [--runs 100]
"""

from __future__ import annotations

import argparse
import random

from harness import percentile, report, scratch_graph, timed

from ingest.load import load_nodes, load_relationships
from queries.registry import get_query, run_query


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--residents", type=int, default=20_000)
    parser.add_argument("--runs", type=int, default=100)
    args = parser.parse_args()
    rng = random.Random(7)

    areas = [{"area_id": f"A{i:02d}", "name": f"Area {i}"} for i in range(20)]
    buildings = [{"building_id": f"B{i:05d}", "area_id": areas[i % 20]["area_id"]}
                 for i in range(max(args.residents // 80, 20))]
    residents = [{"resident_id": f"R{i:07d}"} for i in range(args.residents)]

    with scratch_graph("two_hop") as graph:
        load_nodes(graph, "ResidentialArea", areas)
        load_nodes(graph, "Building", buildings)
        load_nodes(graph, "Resident", residents)
        load_relationships(graph, "IN_AREA", [(b["building_id"], b["area_id"])
                                              for b in buildings])
        load_relationships(graph, "LIVES_IN",
                           [(r["resident_id"], rng.choice(buildings)["building_id"])
                            for r in residents])
        two_hop = get_query("area_neighbourhood")
        one_hop = "MATCH (b:Building {building_id: $id})<-[:LIVES_IN]-(r) RETURN count(r) AS n"
        for _ in range(5):  # warm-up: JIT and caches
            run_query(graph, two_hop, {"area_id": "A00"})
        two, one = [], []
        for _ in range(args.runs):
            seconds, _ = timed(run_query, graph, two_hop,
                               {"area_id": rng.choice(areas)["area_id"]})
            two.append(seconds * 1000)
            seconds, _ = timed(graph.read, one_hop, {"id": rng.choice(buildings)["building_id"]})
            one.append(seconds * 1000)
        engine = graph.engine

    n = args.runs
    report("two_hop_p50", percentile(two, 50), "ms", n, engine, residents=args.residents)
    report("two_hop_p95", percentile(two, 95), "ms", n, engine, residents=args.residents)
    report("one_hop_p50_baseline", percentile(one, 50), "ms", n, engine)
    report("two_hop_vs_one_hop_p50", percentile(two, 50) / percentile(one, 50), "ratio", n,
           engine)


if __name__ == "__main__":
    main()
