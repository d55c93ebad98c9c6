"""Latency of the emergency rescue list on the demo district: a building, an area, 300 m.

Reads the district already loaded in the configured graph (``make demo``; read-only). Each
scope runs ``emergency_list`` end to end (scope lookup, vulnerable residents, volunteers,
shelters). Baseline in the same process: the named query ``building_residents`` (one hop,
every resident of the building), so the ratios show what the whole list costs over it.

    .venv/bin/python bench/emergency_list.py [--runs 20]
"""

from __future__ import annotations

import argparse
import datetime as dt
import statistics

from harness import report, timed

from graph.backend import connect
from graph.settings import load_settings
from queries.emergency import emergency_list
from queries.registry import get_query, run_query

BUILDING = "LF001010"  # a 6-floor walk-up of 秀苑居委会
AREA = "秀苑居委会"  # 40 buildings
POINT = (31.2745, 121.4465)  # the district's centre


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=20)
    args = parser.parse_args()
    as_of = dt.date(2025, 6, 30)
    scopes = {
        "building": {"buildings": [BUILDING]},
        "area": {"area": AREA},
        "radius_300m": {"near": POINT, "radius_m": 300},
    }
    with connect(load_settings()) as graph:
        baseline_query = get_query("building_residents")
        for _ in range(3):  # warm-up: JIT and caches
            run_query(graph, baseline_query, {"building_id": BUILDING})
            for kwargs in scopes.values():
                emergency_list(graph, as_of=as_of, **kwargs)
        baseline = statistics.median(
            timed(run_query, graph, baseline_query, {"building_id": BUILDING})[0] * 1000
            for _ in range(args.runs))
        report("emergency_baseline_building_residents_p50", baseline, "ms", args.runs,
               graph.engine, building=BUILDING)
        for name, kwargs in scopes.items():
            times, elist = [], None
            for _ in range(args.runs):
                seconds, elist = timed(emergency_list, graph, as_of=as_of, **kwargs)
                times.append(seconds * 1000)
            median = statistics.median(times)
            report(f"emergency_list_{name}_p50", median, "ms", args.runs, graph.engine,
                   buildings=len(elist.buildings), residents=elist.number_of_residents)
            report(f"emergency_list_{name}_vs_baseline", median / baseline, "ratio",
                   args.runs, graph.engine)


if __name__ == "__main__":
    main()
