"""Site selection on spopt's San Francisco instance: Minqing's interface against spopt direct.

205 census-tract demand points weighted by population (POP2000), 16 candidate store sites and
their network distances, from ../shared/datasets/spopt-sf (spopt's own test data, BSD-3).
MCLP (service distance 5,000, p = 4) and p-median (p = 4), each solved by Minqing's interface
(files read, validated, model built and solved, proposal assembled) and by spopt run directly
as its tests do (pandas pivot of the distances, ``from_cost_matrix(...).solve(CBC)``), in the
same process, alternating. Objectives must be equal; the figure is the ratio of median times
Minqing / spopt (target ≤ 1.0).

    .venv/bin/python bench/site_selection_sf.py [--runs 7] [--data ../shared/datasets/spopt-sf]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

DEFAULT_DATA = Path(__file__).resolve().parents[2] / "shared" / "datasets" / "spopt-sf"
DEMAND = "SF_demand_205_centroid_uniform_weight.csv"
DISTANCES = "SF_network_distance_candidateStore_16_censusTract_205_new.csv"
STORES = "SF_store_site_16_longlat.csv"
SERVICE_M = 5000.0
P = 4


def minqing_solve(data: Path, model: str):
    """Solve the SF instance through Minqing's file interface; return the proposal."""
    from models.siting.demand import read_demand_file
    from models.siting.distances import read_distance_matrix
    from models.siting.locate import build_problem, solve
    from models.siting.sites import read_candidates

    demand = read_demand_file(data / DEMAND, id_column="NAME", weight_column="POP2000",
                              lat_column="lat", lon_column="long")
    stores = read_candidates(data / STORES, id_column="NAME", lon_column="long")
    matrix = read_distance_matrix(data / DISTANCES, [d.building_id for d in demand],
                                  [s.site_id for s in stores], demand_column="DestinationName",
                                  site_column="name", distance_column="distance")
    problem = build_problem(demand, stores, matrix=matrix)
    return solve(problem, model, p=P, service_radius_m=SERVICE_M, time_limit_s=600)


def spopt_solve(data: Path, model: str) -> float:
    """Solve the SF instance with spopt directly, as spopt's own tests set it up."""
    import pandas
    import pulp
    from spopt.locate import MCLP, PMedian

    distances = pandas.read_csv(data / DISTANCES)
    cost = distances.pivot_table(values="distance", index="DestinationName",
                                 columns="name").to_numpy()
    demand = pandas.read_csv(data / DEMAND).sort_values(by=["NAME"]).reset_index()
    weights = demand["POP2000"].to_numpy()
    if model == "mclp":
        solved = MCLP.from_cost_matrix(cost, weights, SERVICE_M, p_facilities=P)
    else:
        solved = PMedian.from_cost_matrix(cost, weights, p_facilities=P)
    solved.solve(pulp.PULP_CBC_CMD(msg=False))
    return float(pulp.value(solved.problem.objective))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    args = parser.parse_args()
    rows = []
    for model in ("mclp", "pmedian"):
        ours, theirs = [], []
        spopt_solve(args.data, model)  # warm-up: imports, CBC binary in the page cache
        minqing_solve(args.data, model)
        for _ in range(args.runs):
            start = time.perf_counter()
            proposal = minqing_solve(args.data, model)
            ours.append(time.perf_counter() - start)
            start = time.perf_counter()
            objective = spopt_solve(args.data, model)
            theirs.append(time.perf_counter() - start)
        equal = abs(proposal.objective - objective) <= 1e-6 * max(1.0, abs(objective))
        rows.append((model, proposal.objective, objective, equal, proposal.proven_optimal,
                     statistics.median(ours), statistics.median(theirs),
                     [s.site_id for s in proposal.new_sites]))
    print(f"{'model':<8} {'Minqing objective':>20} {'spopt objective':>20} {'equal':>5} "
          f"{'proven':>6} {'Minqing s':>9} {'spopt s':>8} {'ratio':>6}  sites")
    for model, ours_obj, theirs_obj, equal, proven, t_ours, t_theirs, sites in rows:
        print(f"{model:<8} {ours_obj:>20.3f} {theirs_obj:>20.3f} {str(equal):>5} "
              f"{str(proven):>6} {t_ours:>9.3f} {t_theirs:>8.3f} {t_ours / t_theirs:>6.2f}  "
              f"{', '.join(sites)}")
    print(f"(medians of {args.runs} alternating runs; ratio = Minqing / spopt, target <= 1.0)")
    if not all(row[3] for row in rows):
        raise SystemExit("objective values differ")


if __name__ == "__main__":
    main()
