"""From the graph to a proposal: gather demand, existing points and candidates, then solve.

The CLI and the web app call these; the pure work lives in demand, distances, locate,
coverage and mapping.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from models.siting import SitingError
from models.siting.coverage import Coverage, default_radius, service_coverage
from models.siting.demand import DemandPoint, building_demand, target_group_for
from models.siting.distances import read_distance_matrix
from models.siting.locate import MODELS, Proposal, build_problem, solve
from models.siting.sites import graph_candidates, read_candidates, service_points


@dataclass
class SitingRun:
    """What one run read and what it proposes."""

    service_type: str
    group: str
    demand: list[DemandPoint]
    proposal: Proposal
    candidates: int


def detour_factor(settings) -> float:
    """Return the detour factor from the siting_detour_pct setting."""
    return settings.siting_detour_pct / 100.0


def coverage_for(graph, settings, service_type: str, *, group: str | None = None,
                 as_of: dt.date | None = None) -> Coverage:
    """Analyse a service type's coverage with the siting settings."""
    return service_coverage(graph, service_type, group=group, as_of=as_of,
                            detour_factor=detour_factor(settings),
                            duplicate_share=settings.siting_duplicate_share_pct / 100.0)


def locate_for(graph, settings, service_type: str, model: str, *, p: int | None = None,
               radius_m: float | None = None, group: str | None = None,
               candidates_file: Path | str | None = None, graph_sites: bool = True,
               distances_file: Path | str | None = None, new_capacity: int | None = None,
               keep_existing: bool = True, as_of: dt.date | None = None) -> SitingRun:
    """Propose new sites for ``service_type`` with ``model`` over the graph's district.

    Candidates are the graph's available venues and buildings (unless ``graph_sites`` is
    False) plus those of ``candidates_file``; the type's existing points stay open when
    ``keep_existing``. The radius defaults to the median service radius of the type's points.

    Raises:
        SitingError: bad input (the message names it); InfeasibleModel when the model has no
            solution.
    """
    if model not in MODELS:
        raise SitingError(f"Unknown model {model!r}; choose one of {', '.join(MODELS)}")
    group = group or target_group_for(service_type)
    existing = service_points(graph, service_type)
    candidates = graph_candidates(graph) if graph_sites else []
    if candidates_file:
        from_file = read_candidates(candidates_file)
        known = {c.site_id for c in candidates}
        candidates += [c for c in from_file if c.site_id not in known]
    if radius_m is None:
        radius_m = default_radius(existing, settings.siting_default_radius_m)
    demand = building_demand(graph, group, as_of)
    sites_for_matrix = candidates + (existing if keep_existing else [])
    matrix = None
    if distances_file:
        positive = [d.building_id for d in demand if d.weight > 0]
        matrix = read_distance_matrix(distances_file, positive,
                                      [s.site_id for s in sites_for_matrix])
    problem = build_problem(demand, candidates, existing if keep_existing else [],
                            matrix=matrix, detour_factor=detour_factor(settings))
    proposal = solve(problem, model, p=p, service_radius_m=radius_m,
                     new_site_capacity=new_capacity,
                     time_limit_s=settings.siting_time_limit_s)
    return SitingRun(service_type, group, demand, proposal, len(candidates))
