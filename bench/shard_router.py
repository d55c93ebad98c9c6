"""Shard router latency: one district as a single database, and split in 2 and 4 shards.

Reads the district ingested in the configured graph (its own data dir and ports: never the
demo), copies it with ``graph.shard_split.split_graph`` into 1, 2 and 4 fresh databases on the
same embedded server, and times, interleaved run by run so that load on the machine falls
on every configuration alike:

* ``routed``: the named query ``area_neighbourhood`` for a random area — one shard answers;
* ``fan-out``: ``tagged_residents`` for a random common tag (rows concatenated, re-sorted,
  LIMIT re-applied), ``counts_by_label`` (counts re-summed) and one program's live silent
  group (every member row from every shard).

Baseline in the same process: the 1-shard copy read directly through ``Graph``; the
"router, 1 shard" column shows what the router itself adds.

    export MINQING_DATA_DIR=/tmp/shardbench MINQING_ARCADEDB_BOLT_PORT=7795 \\
           MINQING_ARCADEDB_HTTP_PORT=2595
    .venv/bin/minqing demo-data /tmp/shardbench/raw --residents 20000 --quiet
    .venv/bin/minqing ingest run --raw /tmp/shardbench/raw --as-of 2025-06-30 --quiet
    .venv/bin/python bench/shard_router.py --runs 30 [--reuse]

``--reuse`` keeps the shard databases an earlier run wrote (when they hold the whole
district) instead of splitting again, which takes minutes.
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import sys

from harness import percentile, report, timed

from graph import arcadedb_server
from graph.backend import connect
from graph.errors import MinqingError
from graph.router import ShardedGraph
from graph.shard_split import plan_split, read_graph, split_graph
from graph.schema import init_schema
from graph.settings import load_settings
from queries.programs import silent_group
from queries.programs.catalogue import load_programs
from queries.registry import get_query, run_query

AS_OF = dt.date(2025, 6, 30)
RESIDENTS = "MATCH (r:Resident) RETURN count(r) AS n"
COMMON_TAGS = ("MATCH (t:Tag)<-[:HAS_TAG]-(:Resident) WITH t, count(*) AS holders "
               "WHERE holders >= $min_holders RETURN t.tag_id AS tag_id ORDER BY tag_id")


def open_shards(settings, info, prefix: str, count: int, *, fresh: bool = True) -> list:
    """Open databases ``<prefix>_<i>``; ``fresh`` drops and re-creates them empty first."""
    graphs = []
    for index in range(count):
        name = f"{prefix}_{index}"
        if fresh:
            try:
                arcadedb_server.server_command(info, f"drop database {name}")
            except Exception:  # noqa: BLE001 - absent on a first run; creation below decides
                pass
            arcadedb_server.server_command(info, f"create database {name}")
        graph = connect(settings.replace(graph_database=name))
        if fresh:
            init_schema(graph)
        graphs.append(graph)
    return graphs


def reuse_shards(settings, info, whole, prefix: str, count: int, residents: int):
    """Open the shards an earlier run wrote, if they hold the whole district; else None.

    The directory is planned again from ``whole`` (``read_graph``'s output: no write).
    """
    try:
        shards = open_shards(settings, info, prefix, count, fresh=False)
    except MinqingError:
        return None
    held = sum(shard.read(RESIDENTS).single_value() or 0 for shard in shards)
    if held != residents:
        for shard in shards:
            shard.close()
        return None
    return shards, plan_split(*whole, count)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--shards", default="2,4", help="Shard counts besides 1.")
    parser.add_argument("--program", default="", help="Program id for the silent group.")
    parser.add_argument("--reuse", action="store_true",
                        help="Keep shard databases of an earlier run that hold the district.")
    args = parser.parse_args()
    settings = load_settings()
    if not settings.is_embedded:
        sys.exit("shard_router.py simulates shards as databases of the embedded server; "
                 "unset graph_uri")
    if settings.data_path.resolve() == load_settings(environ={}).data_path.resolve():
        sys.exit("Set MINQING_DATA_DIR to a data dir of your own (see the docstring): "
                 "this benchmark creates databases beside the district.")
    source = connect(settings)
    residents = source.read(RESIDENTS).single_value()
    if not residents:
        sys.exit(f"No residents in {settings.data_dir}; generate and ingest a district first "
                 "(see the docstring).")
    info = arcadedb_server.ensure_running(settings)
    engine = source.engine

    counts = [1] + [int(k) for k in args.shards.split(",") if k]
    configs: dict[str, object] = {}
    single_shard = None
    whole = read_graph(source) if args.reuse else None  # read once, planned per k
    for k in counts:
        reused = reuse_shards(settings, info, whole, f"shardbench{k}", k, residents) \
            if args.reuse else None
        if reused:
            shards, split = reused
            print(f"reusing the {k}-shard databases of an earlier run", file=sys.stderr)
        else:
            shards = open_shards(settings, info, f"shardbench{k}", k)
            seconds, split = timed(split_graph, source, shards)
            per_shard = [n.get("Resident", 0) for n in split.nodes]
            report(f"shard_split_{k}_s", seconds, "s", 1, engine, residents=residents,
                   residents_per_shard=per_shard, cut=split.cut)
        if k == 1:
            single_shard = shards[0]
            configs["single (Graph)"] = shards[0]
            directory = split.directory
        configs[f"router, {k} shard{'s' if k > 1 else ''}"] = ShardedGraph(shards,
                                                                         split.directory)
    source.close()

    areas = sorted(directory.areas)
    tags = [row["tag_id"] for row in single_shard.read(COMMON_TAGS, {"min_holders": 100}).rows]
    programs = load_programs()
    program = programs[args.program] if args.program else next(iter(programs.values()))
    rng = random.Random(11)
    area_query, tag_query = get_query("area_neighbourhood"), get_query("tagged_residents")
    counts_query = get_query("counts_by_label")
    workloads = {
        "routed: area_neighbourhood": lambda g, a, t: run_query(g, area_query, {"area_id": a}),
        "fan-out: tagged_residents": lambda g, a, t: run_query(g, tag_query, {"tag_id": t}),
        "fan-out: counts_by_label": lambda g, a, t: run_query(g, counts_query, {}),
        "fan-out: live silent group": lambda g, a, t: silent_group(g, program, AS_OF),
    }
    # Warm-up: JIT, page cache and the router's plan table.
    for graph in configs.values():
        for work in workloads.values():
            work(graph, areas[0], tags[0])
    times = {(w, c): [] for w in workloads for c in configs}
    for _ in range(args.runs):
        area, tag = rng.choice(areas), rng.choice(tags)
        for work_name, work in workloads.items():
            for config_name, graph in configs.items():
                seconds, _ = timed(work, graph, area, tag)
                times[(work_name, config_name)].append(seconds * 1000)

    rows = []
    for work_name in workloads:
        base = percentile(times[(work_name, "single (Graph)")], 50)
        for config_name in configs:
            p50 = percentile(times[(work_name, config_name)], 50)
            slug = (work_name.split(": ")[1].replace(" ", "_") + "_"
                    + config_name.replace("single (Graph)", "single").replace(
                        "router, ", "router").replace(" shards", "").replace(" shard", ""))
            report(f"shard_{slug}_p50", p50, "ms", args.runs, engine, residents=residents)
            rows.append((work_name, config_name, p50,
                         percentile(times[(work_name, config_name)], 95), p50 / base))
    print(f"\n{residents:,} residents, {len(areas)} areas, {args.runs} runs, engine {engine}, "
          f"silent group of {program.program_id}\n")
    print(f"{'query':<30} {'configuration':<18} {'p50 ms':>8} {'p95 ms':>8} {'÷ single':>9}")
    for work_name, config_name, p50, p95, ratio in rows:
        print(f"{work_name:<30} {config_name:<18} {p50:8.1f} {p95:8.1f} {ratio:9.2f}")
    for graph in configs.values():
        if isinstance(graph, ShardedGraph):
            graph.close()
            for shard in graph.shards:
                shard.close()


if __name__ == "__main__":
    main()
