"""Location-allocation: choose new sites for a service with MCLP, p-median, LSCP and capacitated
variants, solved by CBC (through PuLP) to proven optimality, existing facilities kept fixed.

MCLP, LSCP and the capacitated LSCP are PySAL spopt's own models (``from_cost_matrix``);
existing facilities are spopt's ``predefined_facilities_arr``, so only new sites are chosen
(``p`` counts new sites; spopt is given ``p + existing``). p-median and the capacitated
p-median are solved here with the near-far reduction instead of spopt's dense ``PMedian``,
which did not finish a 1,000 × 250 instance in 10 minutes (250,000 assignment variables): each
building may be assigned to its ``k`` nearest sites or to a placeholder costing the distance to
its (k+1)-th nearest — a lower bound on any assignment it lacks — so the restricted model is a
relaxation of the full one; once its proven optimum uses no placeholder (or the full cost of
its sites equals its bound), that optimum is optimal for the full model. ``k`` doubles for the
buildings that used a placeholder until that holds. Without capacities an exact Lagrangian
reduction runs first (``lagrangian_reduction``): sites whose bound with them open exceeds a
local-search solution's cost are dropped, sites whose bound with them shut does are fixed open;
on the demo from scratch (p = 3) it leaves three sites. docs/SITING.md gives the arguments and
the spopt comparison on the San Francisco instance.

A result says ``proven_optimal`` only when CBC reports an optimal solution (PuLP's
``sol_status``; ``status`` alone also reads "Optimal" after a time limit with a feasible
solution). Bad input raises SitingError naming what to change; a model that cannot be satisfied
raises InfeasibleModel.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any, Sequence

import numpy as np

from models.siting import InfeasibleModel, SitingError
from models.siting.demand import DemandPoint
from models.siting.distances import DistanceMatrix, check_matrix, haversine_matrix
from models.siting.sites import Site

MODELS = {
    "mclp": "maximal covering (MCLP): cover the most demand within the radius with p new sites",
    "pmedian": "p-median: least total demand-weighted distance with p new sites",
    "lscp": "set covering (LSCP): fewest new sites covering all demand within the radius",
    "cpmedian": "capacitated p-median: p-median where no site serves more than its capacity",
    "clscp": "capacitated set covering: fewest new sites covering all demand within the radius "
             "and their capacities",
}
NEEDS_P = {"mclp", "pmedian", "cpmedian"}
NEEDS_RADIUS = {"mclp", "lscp", "clscp"}
CAPACITATED = {"cpmedian", "clscp"}
INITIAL_K = 5
_SUBGRADIENT_STEPS = 400
_LISTED = 5


@dataclass
class SiteProblem:
    """Demand rows by site columns: the candidates first, then the existing facilities."""

    demand: list[DemandPoint]
    weights: np.ndarray
    sites: list[Site]
    distances: np.ndarray
    distance_source: str = "haversine"

    @property
    def number_of_candidates(self) -> int:
        return sum(not s.existing for s in self.sites)

    @property
    def existing_mask(self) -> np.ndarray:
        return np.array([s.existing for s in self.sites], dtype=bool)


@dataclass
class ChosenSite:
    """A site open in the proposal, new or existing, with the demand assigned to it."""

    site_id: str
    name: str | None
    lat: float
    lon: float
    existing: bool
    kind: str
    capacity: int | None
    assigned_demand: float
    assigned_buildings: int

    @property
    def utilisation(self) -> float | None:
        """Assigned demand per place of capacity, when the capacity is known."""
        return self.assigned_demand / self.capacity if self.capacity else None


@dataclass
class Proposal:
    """The outcome of one location-allocation run, ready to print, map or serve as JSON."""

    model: str
    p: int | None
    service_radius_m: float | None
    proven_optimal: bool
    status: str
    objective: float
    objective_name: str
    solve_seconds: float
    total_demand: float
    covered_before: float
    covered_after: float
    mean_distance_before: float | None
    mean_distance_after: float
    sites: list[ChosenSite]
    assignment: dict[str, str]  # building_id -> site_id it is assigned to
    uncovered_after: list[str]
    iterations: int = 1
    distance_source: str = "haversine"
    notes: list[str] = field(default_factory=list)

    @property
    def new_sites(self) -> list[ChosenSite]:
        return [s for s in self.sites if not s.existing]

    def share(self, covered: float) -> float:
        """Return covered demand as a share of all demand (0 when there is none)."""
        return covered / self.total_demand if self.total_demand else 0.0

    def to_json(self) -> dict[str, Any]:
        """Return the proposal as plain JSON-able data."""
        return {
            "model": self.model, "model_description": MODELS[self.model], "p": self.p,
            "service_radius_m": self.service_radius_m, "proven_optimal": self.proven_optimal,
            "status": self.status, "objective": self.objective,
            "objective_name": self.objective_name, "solve_seconds": round(self.solve_seconds, 3),
            "iterations": self.iterations, "distance_source": self.distance_source,
            "total_demand": self.total_demand,
            "coverage_before": {"demand": self.covered_before,
                                "share": round(self.share(self.covered_before), 4)},
            "coverage_after": {"demand": self.covered_after,
                               "share": round(self.share(self.covered_after), 4)},
            "mean_distance_before_m": (None if self.mean_distance_before is None
                                       else round(self.mean_distance_before, 1)),
            "mean_distance_after_m": round(self.mean_distance_after, 1),
            "new_sites": [_site_json(s) for s in self.new_sites],
            "existing_sites": [_site_json(s) for s in self.sites if s.existing],
            "uncovered_after": self.uncovered_after,
            "assignment": self.assignment,
            "notes": self.notes,
        }


def _site_json(site: ChosenSite) -> dict[str, Any]:
    utilisation = site.utilisation
    return {"site_id": site.site_id, "name": site.name, "lat": site.lat, "lon": site.lon,
            "kind": site.kind, "capacity": site.capacity,
            "assigned_demand": round(site.assigned_demand, 3),
            "assigned_buildings": site.assigned_buildings,
            "utilisation": None if utilisation is None else round(utilisation, 3)}


def build_problem(demand: Sequence[DemandPoint], candidates: Sequence[Site],
                  existing: Sequence[Site] = (), *, matrix: DistanceMatrix | None = None,
                  detour_factor: float = 1.0) -> SiteProblem:
    """Put demand, candidate and existing sites and their distances into one problem.

    Buildings without demand are left out (they change no objective). ``matrix`` (from
    ``distances.read_distance_matrix``) replaces haversine distances; it must hold every
    demand building and site by id.

    Raises:
        SitingError: no candidate site, no demand, a site id used twice, or a matrix that
            lacks some of the ids.
    """
    if not candidates:
        raise SitingError("No candidate sites: flag venues or buildings with "
                          "available_for_new_facility in the graph, or give a candidate file "
                          "(site_id,lat,lon[,name,capacity])")
    existing_ids = {s.site_id for s in existing}
    clash = [s.site_id for s in candidates if s.site_id in existing_ids]
    ids = [s.site_id for s in candidates]
    if clash or len(set(ids)) != len(ids):
        twice = clash or sorted({i for i in ids if ids.count(i) > 1})
        raise SitingError(f"Site ids must be unique; used twice: {', '.join(twice[:_LISTED])}")
    kept = [d for d in demand if d.weight > 0]
    if not kept:
        raise SitingError(f"Zero demand: none of the {len(demand)} buildings has any resident "
                          f"of the target group; choose another group or check the data")
    sites = list(candidates) + [s for s in existing]
    if matrix is None:
        dm = haversine_matrix([(d.building_id, d.lat, d.lon) for d in kept],
                              [(s.site_id, s.lat, s.lon) for s in sites], detour_factor)
        values, source = dm.values, dm.source
    else:
        values, source = _select(matrix, [d.building_id for d in kept],
                                 [s.site_id for s in sites]), matrix.source
    check_matrix(values)
    return SiteProblem(kept, np.array([d.weight for d in kept], dtype=float), sites, values,
                       source)


def _select(matrix: DistanceMatrix, demand_ids: list[str], site_ids: list[str]) -> np.ndarray:
    rows = {d: i for i, d in enumerate(matrix.demand_ids)}
    cols = {s: j for j, s in enumerate(matrix.site_ids)}
    lost = [d for d in demand_ids if d not in rows] + [s for s in site_ids if s not in cols]
    if lost:
        raise SitingError(f"The distance matrix {matrix.source} has no row or column for "
                          f"{len(lost)} ids: {', '.join(lost[:_LISTED])}")
    return matrix.values[np.ix_([rows[d] for d in demand_ids], [cols[s] for s in site_ids])]


def solve(problem: SiteProblem, model: str, *, p: int | None = None,
          service_radius_m: float | None = None, new_site_capacity: int | None = None,
          time_limit_s: float = 60) -> Proposal:
    """Choose new sites with ``model`` and report the proposal.

    Args:
        problem: from ``build_problem``.
        model: a key of MODELS.
        p: number of new sites (MCLP, p-median, capacitated p-median).
        service_radius_m: service distance, in the matrix's unit; needed by MCLP and the set
            covering models, and used by the others for coverage before → after.
        new_site_capacity: capacity of candidate sites that have none (capacitated models).
        time_limit_s: CBC's time limit; a result found within it but not proven optimal
            says so.

    Raises:
        SitingError: an unknown model, a bad p, radius or capacity.
        InfeasibleModel: the constraints cannot all hold (demand out of reach, too little
            capacity).
    """
    if model not in MODELS:
        raise SitingError(f"Unknown model {model!r}; choose one of {', '.join(MODELS)}")
    n_candidates = problem.number_of_candidates
    if model in NEEDS_P:
        if p is None or p < 1:
            raise SitingError(f"{model} needs p, the number of new sites, of at least 1")
        if p > n_candidates:
            raise SitingError(f"p={p} is larger than the {n_candidates} candidate sites; "
                              f"lower p or add candidates")
    if model in NEEDS_RADIUS and (service_radius_m is None or service_radius_m <= 0):
        raise SitingError(f"{model} needs a service radius in metres greater than 0")
    if service_radius_m is not None and model in NEEDS_RADIUS:
        _check_radius_reaches(problem, service_radius_m)
    capacities = _capacities(problem, new_site_capacity) if model in CAPACITATED else None

    fixed = problem.existing_mask
    started = time.perf_counter()
    if model in ("mclp", "lscp", "clscp"):
        open_mask, objective, optimal, iterations, flows = _solve_spopt(
            problem, model, p, service_radius_m, capacities, time_limit_s)
    else:
        open_mask, objective, optimal, iterations, flows = _solve_pmedian(
            problem.distances, problem.weights, p + int(fixed.sum()), fixed, capacities,
            time_limit_s)
    seconds = time.perf_counter() - started
    return _proposal(problem, model, p, service_radius_m, open_mask, objective, optimal,
                     iterations, flows, seconds, capacities)


def _check_radius_reaches(problem: SiteProblem, radius: float) -> None:
    candidates = problem.distances[:, ~problem.existing_mask]
    if not (candidates <= radius).any():
        raise SitingError(f"A service radius of {radius:g} m covers no demand building from any "
                          f"candidate site (the nearest pair is {candidates.min():.0f} m apart); "
                          f"raise the radius or add candidates")


def _capacities(problem: SiteProblem, new_site_capacity: int | None) -> np.ndarray:
    caps, unknown = [], []
    for site in problem.sites:
        capacity = site.capacity if site.capacity else (
            None if site.existing else new_site_capacity)
        if not capacity or capacity <= 0:
            unknown.append(site.site_id)
        caps.append(capacity or 0)
    if unknown:
        raise SitingError(f"The capacitated models need every site's capacity; "
                          f"{len(unknown)} have none ({', '.join(unknown[:_LISTED])}): give a "
                          f"capacity for new sites (--new-capacity) or a capacity column")
    return np.array(caps, dtype=float)


def _cbc(time_limit_s: float):
    import pulp

    return pulp.PULP_CBC_CMD(msg=False, timeLimit=time_limit_s)


def _read_status(problem, what: str) -> bool:
    """Return True if CBC proved the optimum, False if it only found a solution."""
    import pulp

    if problem.status == pulp.LpStatusInfeasible or \
            problem.sol_status == pulp.LpSolutionInfeasible:
        raise InfeasibleModel(f"Infeasible: no choice of sites satisfies the {what} "
                              f"constraints; add candidates, capacity or radius")
    if problem.sol_status == pulp.LpSolutionOptimal:
        return True
    if problem.sol_status == pulp.LpSolutionIntegerFeasible:
        return False
    raise SitingError(f"The solver found no solution for the {what} within the time limit "
                      f"({pulp.LpStatus[problem.status]}); raise siting_time_limit_s")


def _solve_spopt(problem: SiteProblem, model: str, p: int | None, radius: float,
                 capacities: np.ndarray | None, time_limit_s: float):
    from spopt.locate import LSCP, MCLP

    fixed = problem.existing_mask.astype(int)
    predefined = fixed if fixed.any() else None
    cost = problem.distances
    if model in ("lscp", "clscp"):
        reach = (cost <= radius).any(axis=1)
        if not reach.all():
            lost = [problem.demand[i].building_id for i in np.flatnonzero(~reach)]
            raise InfeasibleModel(f"Infeasible: {len(lost)} demand buildings lie farther than "
                                  f"{radius:g} m from every site ({', '.join(lost[:_LISTED])})"
                                  f"; raise the radius or add candidates near them")
    constant = 0.0
    if model == "mclp":
        # Exact reduction: a building an existing point reaches is covered whatever is chosen
        # (its weight is a constant of the objective), one no site reaches never is; spopt
        # gets the rest, which is all that the choice of new sites can change.
        reached = cost <= radius
        always = reached[:, fixed.astype(bool)].any(axis=1)
        keep = ~always & reached.any(axis=1)
        constant = float(problem.weights[always].sum())
        if not keep.any():
            keep[:] = True  # nothing left to gain: solve the whole (any p sites are optimal)
            constant = 0.0
        # Second exact reduction: MCLP sees a building only through the set of sites that
        # reach it, so buildings with the same set are one demand point of their summed
        # weight (on spopt's San Francisco instance 205 tracts become far fewer rows).
        patterns, first, group = np.unique(reached[keep], axis=0, return_index=True,
                                           return_inverse=True)
        merged = np.bincount(group.reshape(-1), weights=problem.weights[keep],
                             minlength=len(patterns))
        spopt_model = MCLP.from_cost_matrix(cost[keep][first], merged, radius,
                                            p_facilities=p + int(fixed.sum()),
                                            predefined_facilities_arr=predefined)
    elif model == "lscp":
        spopt_model = LSCP.from_cost_matrix(cost, radius, predefined_facilities_arr=predefined)
    else:
        if problem.weights.sum() > capacities.sum():
            raise InfeasibleModel(
                f"Infeasible: demand {problem.weights.sum():g} exceeds the capacity of all "
                f"sites together ({capacities.sum():g}); add candidates or capacity")
        spopt_model = LSCP.from_cost_matrix(cost, radius, predefined_facilities_arr=predefined,
                                            demand_quantity_arr=problem.weights,
                                            facility_capacity_arr=capacities)
    spopt_model.problem.solve(_cbc(time_limit_s))
    optimal = _read_status(spopt_model.problem, MODELS[model].split(":")[0])
    open_mask = np.array([(v.value() or 0) > 0.5 for v in spopt_model.fac_vars])
    flows = None
    if model == "clscp":
        # spopt's capacitated LSCP lets a building's demand split across sites (z is a share).
        flows = np.zeros(cost.shape)
        for (i, j), var in _assign_vars(spopt_model).items():
            flows[i, j] = (var.value() or 0) * problem.weights[i]
    import pulp

    objective = float(pulp.value(spopt_model.problem.objective) or 0.0) + constant
    return open_mask, objective, optimal, 1, flows


def _assign_vars(spopt_model) -> dict[tuple[int, int], Any]:
    variables = spopt_model.cli_assgn_vars
    if isinstance(variables, dict):
        return variables
    return {(i, j): var for i, row in enumerate(variables) for j, var in enumerate(row)}


def _solve_pmedian(cost: np.ndarray, weights: np.ndarray, p_total: int, fixed: np.ndarray,
                   capacities: np.ndarray | None, time_limit_s: float, reduce: bool = True,
                   solver=None):
    """Solve the (capacitated) p-median exactly by the near-far reduction; see the module doc.

    Without capacities (and with ``reduce``) the Lagrangian reduction runs first. ``solver``
    maps a time limit to a PuLP solver (CBC by default; the benchmark compares HiGHS).
    """
    solver = solver or _cbc
    import pulp

    n, m = cost.shape
    if capacities is not None:
        best = np.sort(capacities[~fixed])[::-1][:p_total - int(fixed.sum())].sum()
        if best + capacities[fixed].sum() < weights.sum():
            raise InfeasibleModel(
                f"Infeasible: demand {weights.sum():g} exceeds the capacity of the existing "
                f"sites and the {p_total - int(fixed.sum())} largest candidates "
                f"({best + capacities[fixed].sum():g}); raise p or the capacities")
    if reduce and capacities is None and not fixed.all():
        # Exact Lagrangian reduction: sites no optimum can use are dropped, sites every
        # optimum uses are fixed open; the MIP below then sees only the sites left.
        keep, must_open = lagrangian_reduction(cost, weights, p_total, fixed)
        if not keep.all() or must_open.any():
            open_kept, objective, optimal, iterations, _ = _solve_pmedian(
                cost[:, keep], weights, p_total, (fixed | must_open)[keep], None,
                time_limit_s, reduce=False, solver=solver)
            open_mask = np.zeros(m, dtype=bool)
            open_mask[np.flatnonzero(keep)[open_kept]] = True
            return open_mask, objective, optimal, iterations, None
    order = np.argsort(cost, axis=1, kind="stable")
    # Without capacities a building never needs a site farther than its nearest existing
    # facility, which stays open: those pairs are dropped outright, an exact reduction.
    reach = np.full(n, m)
    if fixed.any() and capacities is None:
        nearest_fixed = cost[:, fixed].min(axis=1)
        reach = (cost <= nearest_fixed[:, None]).sum(axis=1)
    rank = np.empty_like(order)
    rank[np.arange(n)[:, None], order] = np.arange(m)[None, :]
    # Start each building with enough near sites to reach a greedy solution's sites, so the
    # first restricted model already contains a good full solution and rarely needs another.
    greedy = _greedy_open(cost, weights, p_total, fixed)
    greedy_rank = np.where(greedy[None, :], rank, m).min(axis=1)
    # With p sites open among m, a building's nearest open site ranks about m / p: twice that
    # keeps most buildings from needing a second round, which costs more than longer lists.
    start = max(INITIAL_K, int(np.ceil(2 * m / p_total)))
    k = np.minimum(reach, np.maximum(start, greedy_rank + 1))
    deadline = time.perf_counter() + time_limit_s
    optimal_every_time = True
    iterations = 0
    while True:
        iterations += 1
        prob = pulp.LpProblem("p_median_near_far", pulp.LpMinimize)
        y = [pulp.LpVariable(f"y_{j}", cat=pulp.LpBinary) for j in range(m)]
        for j in np.flatnonzero(fixed):
            y[j].lowBound = 1
        category = pulp.LpBinary if capacities is not None else pulp.LpContinuous
        objective, load = [], [[] for _ in range(m)]
        z, g = {}, {}
        for i in range(n):
            near = order[i, :k[i]]
            terms = []
            for j in near:
                var = pulp.LpVariable(f"z_{i}_{j}", 0, 1, cat=category)
                z[i, j] = var
                terms.append(var)
                objective.append((var, weights[i] * cost[i, j]))
                prob += var <= y[j]
                if capacities is not None:
                    load[j].append((var, weights[i]))
            if k[i] < reach[i]:
                g[i] = pulp.LpVariable(f"g_{i}", 0, 1)
                terms.append(g[i])
                objective.append((g[i], weights[i] * cost[i, order[i, k[i]]]))
            prob += pulp.lpSum(terms) == 1
        prob += pulp.LpAffineExpression(objective)
        prob += pulp.lpSum(y) == p_total
        if capacities is not None:
            for j in range(m):
                if load[j]:
                    prob += pulp.LpAffineExpression(load[j]) <= capacities[j] * y[j]
        remaining = max(1.0, deadline - time.perf_counter())
        prob.solve(solver(remaining))
        optimal_every_time &= _read_status(prob, "p-median")
        lower_bound = float(pulp.value(prob.objective))
        open_mask = np.array([(v.value() or 0) > 0.5 for v in y])
        used = [i for i, var in g.items() if (var.value() or 0) > 1e-6]
        if capacities is None:
            full = float((weights * cost[:, open_mask].min(axis=1)).sum())
            if not used or full <= lower_bound + 1e-6 * max(1.0, abs(lower_bound)):
                return open_mask, full, optimal_every_time, iterations, None
        elif not used:
            flows = np.zeros((n, m))
            for (i, j), var in z.items():
                flows[i, j] = (var.value() or 0) * weights[i]
            return open_mask, lower_bound, optimal_every_time, iterations, flows
        if time.perf_counter() >= deadline:
            raise SitingError("The p-median did not settle within siting_time_limit_s; raise it")
        # Let each building that used a placeholder reach at least the sites open now.
        open_rank = np.where(open_mask[None, :], rank, m).min(axis=1)
        for i in used:
            k[i] = min(reach[i], max(2 * k[i], open_rank[i] + 1))


def lagrangian_reduction(cost: np.ndarray, weights: np.ndarray, p_total: int,
                         fixed: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Return (sites to keep, sites to fix open) for the uncapacitated p-median, exactly.

    Relaxing each building's "assigned once" row with a multiplier u_i gives the classical
    bound L(u) = sum(u) + the p smallest site values rho_j = sum_i min(0, w_i d_ij - u_i) (the
    fixed sites always counted). Forcing site j open (or shut) changes which values are
    summed, which bounds every solution with j open (or shut). A local-search solution costs
    UB; a site whose forced bound exceeds UB is in no optimum and is dropped, one whose shut
    bound exceeds UB is in every optimum and is fixed open. The margin (a relative 1e-9) only
    keeps more sites than the float sums would allow, never fewer. u comes from subgradient
    steps, stopped once the bound meets UB or stops improving.
    """
    n, m = cost.shape
    wc = weights[:, None] * cost
    free = np.flatnonzero(~fixed)
    p_free = p_total - int(fixed.sum())
    keep, must_open = np.ones(m, dtype=bool), np.zeros(m, dtype=bool)
    if p_free <= 0 or p_free >= len(free):
        return keep, must_open
    upper = _local_search(wc, _greedy_open(cost, weights, p_total, fixed), fixed)
    margin = 1e-9 * max(1.0, upper)

    def bound(u: np.ndarray):
        reduced = np.minimum(0.0, wc - u[:, None])
        rho = reduced.sum(axis=0)
        ranked = free[np.argsort(rho[free], kind="stable")]
        return u.sum() + rho[fixed].sum() + rho[ranked[:p_free]].sum(), rho, ranked, reduced

    u = np.sort(wc, axis=1)[:, min(1, m - 1)].copy()  # second-nearest: a usual start
    best, best_u, step, stall = -np.inf, u, 2.0, 0
    for _ in range(_SUBGRADIENT_STEPS):
        value, rho, ranked, reduced = bound(u)
        if value > best + margin:
            best, best_u, stall = value, u, 0
        else:
            stall += 1
            if stall >= 20:  # halve the step when the bound stops rising (Held-Karp rule)
                step, stall = step / 2, 0
        if best >= upper - margin or step < 1e-4:
            break
        chosen = np.concatenate([np.flatnonzero(fixed), ranked[:p_free]])
        slack = 1 - (reduced[:, chosen] < 0).sum(axis=1)
        norm = float((slack * slack).sum())
        if norm == 0:
            break
        u = u + step * (upper - value) / norm * slack
    value, rho, ranked, _ = bound(best_u)
    last_in, first_out = rho[ranked[p_free - 1]], rho[ranked[p_free]]
    forced_open = value + rho - last_in      # bound on solutions with j open (j not chosen)
    forced_shut = value - rho + first_out    # bound on solutions with j shut (j chosen)
    chosen = np.zeros(m, dtype=bool)
    chosen[ranked[:p_free]] = True
    unchosen = ~chosen & ~fixed
    keep[unchosen & (forced_open > upper + margin)] = False
    must_open[chosen & (forced_shut > upper + margin)] = True
    return keep, must_open


def _local_search(wc: np.ndarray, open_mask: np.ndarray, fixed: np.ndarray) -> float:
    """Improve a solution by swapping one new site at a time (Teitz-Bart); return its cost."""
    chosen = list(np.flatnonzero(open_mask & ~fixed))
    base_fixed = wc[:, fixed].min(axis=1) if fixed.any() else np.full(wc.shape[0], np.inf)
    best = float(np.minimum(base_fixed, wc[:, chosen].min(axis=1)).sum())
    improved = True
    while improved:
        improved = False
        for a in range(len(chosen)):
            others = chosen[:a] + chosen[a + 1:]
            base = np.minimum(base_fixed, wc[:, others].min(axis=1)) if others else base_fixed
            totals = np.minimum(base[:, None], wc).sum(axis=0)
            totals[fixed] = np.inf
            j = int(np.argmin(totals))
            if totals[j] < best * (1 - 1e-12):
                chosen[a], best, improved = j, float(totals[j]), True
    return best


def _greedy_open(cost: np.ndarray, weights: np.ndarray, p_total: int,
                 fixed: np.ndarray) -> np.ndarray:
    """Open the fixed sites, then add the site that most lowers the weighted distance, p times."""
    open_mask = fixed.copy()
    nearest = cost[:, fixed].min(axis=1) if fixed.any() else np.full(cost.shape[0], np.inf)
    for _ in range(p_total - int(fixed.sum())):
        totals = (weights[:, None] * np.minimum(nearest[:, None], cost)).sum(axis=0)
        totals[open_mask] = np.inf
        best = int(np.argmin(totals))
        open_mask[best] = True
        nearest = np.minimum(nearest, cost[:, best])
    return open_mask


def _proposal(problem: SiteProblem, model: str, p: int | None, radius: float | None,
              open_mask: np.ndarray, objective: float, optimal: bool, iterations: int,
              flows: np.ndarray | None, seconds: float, capacities) -> Proposal:
    cost, w = problem.distances, problem.weights
    fixed = problem.existing_mask
    if flows is None:
        # Each building goes to its nearest open site (the p-median's own assignment; for the
        # covering models the site a resident would walk to).
        open_idx = np.flatnonzero(open_mask)
        nearest = open_idx[np.argmin(cost[:, open_idx], axis=1)]
        flows = np.zeros(cost.shape)
        served = np.arange(len(w))
        if model in NEEDS_RADIUS:  # a covering model serves only the buildings it covers
            served = served[cost[served, nearest] <= radius]
        flows[served, nearest[served]] = w[served]
    is_served = flows.sum(axis=1) > 0
    main_site = np.argmax(flows, axis=1)
    assigned = flows.sum(axis=0)
    buildings = np.bincount(main_site[is_served], minlength=len(problem.sites))
    sites = [ChosenSite(s.site_id, s.name, s.lat, s.lon, s.existing, s.kind,
                        int(capacities[j]) if capacities is not None else s.capacity,
                        float(assigned[j]), int(buildings[j]))
             for j, s in enumerate(problem.sites) if open_mask[j]]
    d_after = cost[:, open_mask].min(axis=1)
    d_before = cost[:, fixed].min(axis=1) if fixed.any() else None
    total = float(w.sum())
    if radius is not None:
        covered_after = float(w[d_after <= radius].sum())
        covered_before = float(w[d_before <= radius].sum()) if d_before is not None else 0.0
        uncovered = [problem.demand[i].building_id for i in np.flatnonzero(d_after > radius)]
    else:
        covered_before = covered_after = total
        uncovered = []
    objective_name = {"mclp": "demand covered", "pmedian": "demand-weighted distance (m)",
                      "cpmedian": "demand-weighted distance (m)", "lscp": "sites open",
                      "clscp": "sites open"}[model]
    status = "optimal (proven by CBC)" if optimal else \
        "feasible, NOT proven optimal (solver time limit reached)"
    notes = []
    if model == "clscp":
        notes.append("capacitated set covering may split a building's demand between sites")
    return Proposal(model, p, radius, optimal, status, objective, objective_name, seconds, total,
                    covered_before, covered_after,
                    None if d_before is None else float((w * d_before).sum() / total),
                    float((w * d_after).sum() / total), sites,
                    {problem.demand[i].building_id: problem.sites[main_site[i]].site_id
                     for i in np.flatnonzero(is_served)},
                    uncovered, iterations, problem.distance_source, notes)
