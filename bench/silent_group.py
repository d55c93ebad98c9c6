"""Silent-group latency on the demo district: the stored read path against the live query.

Needs the demo district in the configured graph (`make demo` or `minqing demo --no-serve`).
It refreshes the stored silent groups first (that writes SilentGroup nodes, as
`minqing programs refresh` does), then times, per program:

* ``live``: the compiled eligibility rule evaluated over the whole district, returning
  every member — the baseline, run in the same process;
* ``anti_join_naive``: the shape our probe started from (label scan, NOT EXISTS);
* ``summary``: the stored group's size per residential area (what a program page reads);
* ``members_page``: the first 100 members of the program's largest area.

    .venv/bin/python bench/silent_group.py [--runs 20] [--programs id,id]
"""

from __future__ import annotations

import argparse
import datetime as dt
import random

from harness import percentile, report, timed

from graph.backend import connect
from graph.settings import load_settings
from queries.programs import (load_programs, refresh_silent_groups, silent_group_members,
                              silent_group_summary)
from queries.programs.silent import SUMMARY_QUERY, silent_group_query

AS_OF = dt.date(2025, 6, 30)
NAIVE = ("MATCH (r:Resident) WHERE r.birth_date <= $born "
         "AND NOT EXISTS { MATCH (r)-[:BOOKED]->(p:Program) WHERE p.name IN $names } "
         "RETURN r.resident_id AS resident_id")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--programs", default="", help="Comma-separated program ids.")
    args = parser.parse_args()
    graph = connect(load_settings())
    programs = list(load_programs().values())
    if args.programs:
        programs = [p for p in programs if p.program_id in args.programs.split(",")]
    engine = graph.engine
    rng = random.Random(3)

    summary_ms, page_ms, live_ms = [], [], []
    for program in programs:
        seconds, sizes = timed(refresh_silent_groups, graph, [program], AS_OF)
        report(f"silent_refresh_{program.program_id}", seconds, "s", 1, engine,
               members=sizes[program.program_id])
        summary = silent_group_summary(graph, program)
        largest = max(summary["groups"], key=lambda g: g["size"])["area_id"]
        query, params = silent_group_query(program, AS_OF)
        live = [timed(graph.read, query, params, max_rows=10_000_000)[0] * 1000
                for _ in range(3)]
        live_ms.append(percentile(live, 50))
        for _ in range(3):  # warm-up
            graph.read(SUMMARY_QUERY, {"program_id": program.program_id})
            silent_group_members(graph, program, largest)
        for _ in range(args.runs):
            summary_ms.append(timed(graph.read, SUMMARY_QUERY,
                                    {"program_id": program.program_id})[0] * 1000)
            page_ms.append(timed(silent_group_members, graph, program, largest,
                                 skip=rng.choice([0, 100, 200]))[0] * 1000)
        report(f"silent_live_{program.program_id}", live_ms[-1], "ms", 3, engine,
               members=summary["size"])
    naive = [timed(graph.read, NAIVE, {"born": "1965-01-01", "names": ["智能手机使用培训"]},
                   max_rows=10_000_000)[0] * 1000 for _ in range(3)]
    report("silent_anti_join_naive_p50", percentile(naive, 50), "ms", 3, engine)
    report("silent_live_full_p50", percentile(live_ms, 50), "ms", len(live_ms), engine)
    for name, values in (("silent_summary", summary_ms), ("silent_members_page", page_ms)):
        report(f"{name}_p50", percentile(values, 50), "ms", len(values), engine)
        report(f"{name}_p95", percentile(values, 95), "ms", len(values), engine)
    report("silent_members_page_to_live_ratio", percentile(page_ms, 50) / percentile(live_ms, 50),
           "ratio", len(page_ms), engine)


if __name__ == "__main__":
    main()
