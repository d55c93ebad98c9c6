"""Coverage of a service type: who lives within reach of its points, what is left, what overlaps.

For one service type the analysis takes its points (each with its own service radius), the
demand of the type's target group per building, and the distances between them, and reports
the share of demand within reach, the uncovered buildings, each point's demand in scope and
utilisation, pairs of points that serve the same buildings, and points whose scope is mostly
served by another point too.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any, Sequence

import numpy as np

from models.siting import SitingError
from models.siting.demand import (DemandPoint, building_demand, describe_group,
                                  target_group_for)
from models.siting.distances import haversine_matrix
from models.siting.sites import Site, service_points, service_types


@dataclass
class PointCoverage:
    """One service point, the demand within its radius and how much of it another point shares."""

    site: Site
    radius_m: float
    demand_in_scope: float
    buildings_in_scope: int
    shared_demand: float
    in_scope_by_group: dict[str, int] = field(default_factory=dict)

    @property
    def utilisation(self) -> float | None:
        """Demand in scope per place of capacity (above 1: more people than places)."""
        return self.demand_in_scope / self.site.capacity if self.site.capacity else None

    @property
    def duplicated_share(self) -> float:
        """Share of the demand in scope that another point of the type also reaches."""
        return self.shared_demand / self.demand_in_scope if self.demand_in_scope else 0.0


@dataclass
class Overlap:
    """Two points of one type that reach the same buildings."""

    first: str
    second: str
    buildings: int
    demand: float


@dataclass
class Coverage:
    """The coverage analysis of one service type."""

    service_type: str
    group: str
    as_of: dt.date
    total_demand: float
    covered_demand: float
    points: list[PointCoverage]
    uncovered: list[DemandPoint]
    overlaps: list[Overlap]
    duplicate_share: float
    covered_by: dict[str, list[str]]  # building_id -> point ids that reach it

    @property
    def share_covered(self) -> float:
        return self.covered_demand / self.total_demand if self.total_demand else 0.0

    @property
    def total_capacity(self) -> int:
        return sum(p.site.capacity or 0 for p in self.points)

    @property
    def demand_per_place(self) -> float | None:
        """Target-group residents per place of capacity across the type."""
        return self.total_demand / self.total_capacity if self.total_capacity else None

    @property
    def mostly_duplicated(self) -> list[PointCoverage]:
        """Points whose scope another point mostly serves too (over duplicate_share)."""
        return [p for p in self.points if p.duplicated_share > self.duplicate_share]

    def to_json(self) -> dict[str, Any]:
        """Return the analysis as plain JSON-able data."""
        return {
            "service_type": self.service_type, "group": self.group,
            "group_description": describe_group(self.group), "as_of": self.as_of.isoformat(),
            "total_demand": self.total_demand, "covered_demand": self.covered_demand,
            "share_covered": round(self.share_covered, 4),
            "total_capacity": self.total_capacity,
            "demand_per_place": None if self.demand_per_place is None
            else round(self.demand_per_place, 3),
            "duplicate_share": self.duplicate_share,
            "points": [{
                "point_id": p.site.site_id, "name": p.site.name, "address": p.site.address,
                "lat": p.site.lat, "lon": p.site.lon, "capacity": p.site.capacity,
                "service_radius_m": p.radius_m, "demand_in_scope": p.demand_in_scope,
                "buildings_in_scope": p.buildings_in_scope,
                "utilisation": None if p.utilisation is None else round(p.utilisation, 3),
                "duplicated_share": round(p.duplicated_share, 3),
                "mostly_duplicated": p.duplicated_share > self.duplicate_share,
                "in_scope_by_group": p.in_scope_by_group,
            } for p in self.points],
            "uncovered": [{"building_id": d.building_id, "address": d.address,
                           "area": d.area, "lat": d.lat, "lon": d.lon, "demand": d.weight}
                          for d in self.uncovered],
            "overlaps": [vars(o) for o in self.overlaps],
        }


def analyse(demand: Sequence[DemandPoint], points: Sequence[Site], *, service_type: str,
            group: str, as_of: dt.date, default_radius_m: float = 500,
            detour_factor: float = 1.0, duplicate_share: float = 0.5,
            other_groups: dict[str, Sequence[DemandPoint]] | None = None) -> Coverage:
    """Compute the coverage of ``points`` over ``demand`` (pure: no graph access).

    A building is within a point's scope when its distance (haversine times
    ``detour_factor``) is at most the point's service radius (``default_radius_m`` if the
    point has none). ``other_groups`` adds, per point, the residents of further target groups
    in scope (for the map's popups).
    """
    w = np.array([d.weight for d in demand], dtype=float)
    radius = np.array([p.service_radius_m or default_radius_m for p in points], dtype=float)
    if points:
        dist = haversine_matrix([(d.building_id, d.lat, d.lon) for d in demand],
                                [(p.site_id, p.lat, p.lon) for p in points],
                                detour_factor).values
        reach = dist <= radius[None, :]
    else:
        reach = np.zeros((len(demand), 0), dtype=bool)
    reached_by = reach.sum(axis=1)
    extra = {name: np.array([d.weight for d in rows], dtype=float)
             for name, rows in (other_groups or {}).items()}
    results = []
    for j, point in enumerate(points):
        scope = reach[:, j]
        shared = scope & (reached_by > 1)
        results.append(PointCoverage(
            point, float(radius[j]), float(w[scope].sum()), int((scope & (w > 0)).sum()),
            float(w[shared].sum()),
            {name: int(values[scope].sum()) for name, values in extra.items()}))
    overlaps = []
    for a in range(len(points)):
        for b in range(a + 1, len(points)):
            both = reach[:, a] & reach[:, b]
            if both.any():
                overlaps.append(Overlap(points[a].site_id, points[b].site_id,
                                        int(both.sum()), float(w[both].sum())))
    overlaps.sort(key=lambda o: -o.demand)
    uncovered = [demand[i] for i in np.flatnonzero((reached_by == 0) & (w > 0))]
    uncovered.sort(key=lambda d: -d.weight)
    return Coverage(service_type, group, as_of, float(w.sum()),
                    float(w[reached_by > 0].sum()), results, uncovered, overlaps,
                    duplicate_share,
                    {demand[i].building_id: [points[j].site_id for j in np.flatnonzero(reach[i])]
                     for i in range(len(demand)) if reached_by[i]})


POPUP_GROUPS = ("seniors_80_plus", "children_0_6", "all_residents")


def service_coverage(graph, service_type: str, *, group: str | None = None,
                     as_of: dt.date | None = None, detour_factor: float = 1.0,
                     duplicate_share: float = 0.5) -> Coverage:
    """Read a service type's points and its target group's demand, and analyse coverage.

    Raises:
        SitingError: the graph has no point of that type (the message lists the types).
    """
    points = service_points(graph, service_type)
    if not points:
        known = service_types(graph)
        raise SitingError(f"No service point of type {service_type!r} in the graph; types: "
                          f"{', '.join(known) or 'none (load service_points.csv)'}")
    as_of = as_of or dt.date.today()
    group = group or target_group_for(service_type)
    demand = building_demand(graph, group, as_of)
    others = {name: (demand if name == group else building_demand(graph, name, as_of))
              for name in POPUP_GROUPS}
    radii = [p.service_radius_m for p in points if p.service_radius_m]
    return analyse(demand, points, service_type=service_type, group=group, as_of=as_of,
                   default_radius_m=float(np.median(radii)) if radii else 500.0,
                   detour_factor=detour_factor, duplicate_share=duplicate_share,
                   other_groups=others)


def default_radius(points: Sequence[Site], fallback: float = 500.0) -> float:
    """Return the median service radius of ``points`` (``fallback`` if none has one)."""
    radii = [p.service_radius_m for p in points if p.service_radius_m]
    return float(np.median(radii)) if radii else fallback
