"""Joint assignment of venues and volunteers to competing demands, solved to proven optimality.

Several demands in one week may want the same rooms and the same volunteers. Choosing for
each demand in turn (greedy) lets the first demand take the one volunteer who signs, and the
second go without. ``assign`` instead writes the week as one mixed-integer programme and
solves it with CBC (through PuLP):

* each demand gets at most one venue and at most ``volunteers_wanted`` volunteers, chosen
  from its own candidates (retrieval has already applied capacity, opening hours, distance
  and availability, so every candidate is feasible for its demand alone);
* no venue and no volunteer serves two demands whose time windows overlap;
* the objective, lexicographic through its weights, first gives as many demands as possible
  a venue, then fills as many volunteer places as possible, then covers as many required
  skills as possible, and only then prefers better-scoring candidates.

The solver must report optimality; anything else is an error. What could not be satisfied
is said in words, with the reason (no candidate at all, or every candidate taken by an
overlapping demand).
"""

from __future__ import annotations

import datetime as dt
import itertools
import warnings
from dataclasses import dataclass, field
from typing import Any

from graph.errors import MinqingError

# Weights make the objective lexicographic: one more venue placed beats any number of
# volunteer places (a demand has < 100 candidates, scores are in [0, 1]).
VENUE_WEIGHT = 1_000_000
VOLUNTEER_WEIGHT = 10_000
SKILL_WEIGHT = 100
TIME_LIMIT_S = 30


class MatchingError(MinqingError):
    """The solver did not prove an optimal assignment."""


@dataclass(frozen=True)
class Candidate:
    """A venue or volunteer that suits one demand on its own, with its retrieval score."""

    resource_id: str
    score: float = 0.0  # relevance in [0, 1]
    skills: frozenset[str] = frozenset()  # volunteers: skill codes
    label: str = ""


@dataclass
class DemandSlot:
    """One demand's needs in a time window, with its feasible candidates."""

    demand_id: str
    start: dt.datetime
    end: dt.datetime
    venues: list[Candidate] = field(default_factory=list)
    volunteers: list[Candidate] = field(default_factory=list)
    volunteers_wanted: int = 0
    skills_required: frozenset[str] = frozenset()

    def overlaps(self, other: "DemandSlot") -> bool:
        """True when the two windows share any time."""
        return self.start < other.end and other.start < self.end


@dataclass
class Placement:
    """What one demand received, and what it did not, with reasons."""

    demand_id: str
    venue: str | None = None
    volunteers: list[str] = field(default_factory=list)
    skills_covered: list[str] = field(default_factory=list)
    unmet: list[str] = field(default_factory=list)
    alternatives: list[str] = field(default_factory=list)  # unused feasible venues, best first

    def to_json(self) -> dict[str, Any]:
        """Return the placement as plain data."""
        return {"demand_id": self.demand_id, "venue": self.venue,
                "volunteers": self.volunteers, "skills_covered": self.skills_covered,
                "unmet": self.unmet, "alternatives": self.alternatives}


@dataclass
class Assignment:
    """The solved week: one placement per demand, the objective and the solver's status."""

    placements: dict[str, Placement]
    objective: float
    status: str

    def to_json(self) -> dict[str, Any]:
        """Return the assignment as plain data."""
        return {"status": self.status, "objective": self.objective,
                "placements": [p.to_json() for p in self.placements.values()]}


def assign(demands: list[DemandSlot], *, time_limit_s: int = TIME_LIMIT_S) -> Assignment:
    """Assign venues and volunteers to ``demands`` jointly; return the proven optimum.

    Raises:
        MatchingError: duplicate demand ids, a window that ends before it starts, or a
            solver that does not prove optimality within ``time_limit_s``.
    """
    import pulp

    _check(demands)
    problem = pulp.LpProblem("minqing_matching", pulp.LpMaximize)
    number = itertools.count()  # constraint names must be unique
    x = {(d.demand_id, c.resource_id): problem.add_variable(f"venue_{i}_{j}", cat="Binary")
         for i, d in enumerate(demands) for j, c in enumerate(d.venues)}
    y = {(d.demand_id, c.resource_id): problem.add_variable(f"volunteer_{i}_{j}", cat="Binary")
         for i, d in enumerate(demands) for j, c in enumerate(d.volunteers)}
    z = {(d.demand_id, s): problem.add_variable(f"skill_{i}_{k}", cat="Binary")
         for i, d in enumerate(demands) for k, s in enumerate(sorted(d.skills_required))}

    objective = []
    for d in demands:
        venues = [x[d.demand_id, c.resource_id] for c in d.venues]
        if venues:
            problem += pulp.lpSum(venues) <= 1, f"one_venue_{next(number)}"
        helpers = [y[d.demand_id, c.resource_id] for c in d.volunteers]
        if helpers:
            problem += (pulp.lpSum(helpers) <= d.volunteers_wanted,
                        f"volunteers_wanted_{next(number)}")
        for skill in d.skills_required:
            holders = [y[d.demand_id, c.resource_id] for c in d.volunteers if skill in c.skills]
            problem += (z[d.demand_id, skill] <= pulp.lpSum(holders),
                        f"skill_{next(number)}")
            objective.append(SKILL_WEIGHT * z[d.demand_id, skill])
        objective += [(VENUE_WEIGHT + c.score) * x[d.demand_id, c.resource_id]
                      for c in d.venues]
        objective += [(VOLUNTEER_WEIGHT + c.score) * y[d.demand_id, c.resource_id]
                      for c in d.volunteers]
    for i, first in enumerate(demands):
        for second in demands[i + 1:]:
            if not first.overlaps(second):
                continue
            for table, attr in ((x, "venues"), (y, "volunteers")):
                shared = ({c.resource_id for c in getattr(first, attr)}
                          & {c.resource_id for c in getattr(second, attr)})
                for resource in sorted(shared):
                    problem += (table[first.demand_id, resource]
                                + table[second.demand_id, resource] <= 1,
                                f"no_double_booking_{next(number)}")
    problem += pulp.lpSum(objective)
    with warnings.catch_warnings():
        # PuLP 3 warns that its bundled CBC goes away in PuLP 4; 3.3.2 is pinned with it.
        warnings.simplefilter("ignore", DeprecationWarning)
        solver = pulp.PULP_CBC_CMD(msg=False, timeLimit=time_limit_s)
        status = problem.solve(solver)
    status_name = pulp.LpStatus[status]
    if status_name != "Optimal" or problem.sol_status != pulp.LpSolutionOptimal:
        raise MatchingError(f"The solver did not prove an optimal assignment (status "
                            f"{status_name}); fewer demands at once, or raise the time limit.")
    chosen = {key for table in (x, y, z) for key, var in table.items()
              if var.value() is not None and var.value() > 0.5}
    placements = {d.demand_id: _placement(d, chosen, demands) for d in demands}
    return Assignment(placements, float(pulp.value(problem.objective) or 0.0), status_name)


def _check(demands: list[DemandSlot]) -> None:
    seen = set()
    for d in demands:
        if d.demand_id in seen:
            raise MatchingError(f"Two demands share the id {d.demand_id!r}")
        seen.add(d.demand_id)
        if d.end <= d.start:
            raise MatchingError(f"Demand {d.demand_id!r}: its window ends ({d.end}) before it "
                                f"starts ({d.start})")
        if d.volunteers_wanted < 0:
            raise MatchingError(f"Demand {d.demand_id!r}: volunteers_wanted is negative")


def _placement(d: DemandSlot, chosen: set, demands: list[DemandSlot]) -> Placement:
    placement = Placement(d.demand_id)
    ranked_venues = sorted(d.venues, key=lambda c: -c.score)
    placement.venue = next((c.resource_id for c in ranked_venues
                            if (d.demand_id, c.resource_id) in chosen), None)
    placement.volunteers = [c.resource_id for c in sorted(d.volunteers, key=lambda c: -c.score)
                            if (d.demand_id, c.resource_id) in chosen]
    placement.skills_covered = sorted(s for s in d.skills_required if (d.demand_id, s) in chosen)
    placement.alternatives = [c.resource_id for c in ranked_venues
                              if c.resource_id != placement.venue][:3]
    rivals = [o for o in demands if o is not d and o.overlaps(d)]

    def taken_by(resource_id: str) -> list[str]:
        return [o.demand_id for o in rivals if (o.demand_id, resource_id) in chosen]

    if placement.venue is None:
        if not d.venues:
            placement.unmet.append("no venue fits (capacity, opening hours, distance)")
        else:
            holders = sorted({h for c in d.venues for h in taken_by(c.resource_id)})
            placement.unmet.append(f"every fitting venue ({len(d.venues)}) is taken at the same "
                                   f"time by {', '.join(holders)}")
    missing = d.volunteers_wanted - len(placement.volunteers)
    if missing > 0:
        free = [c for c in d.volunteers if (d.demand_id, c.resource_id) not in chosen]
        busy = sorted({h for c in free for h in taken_by(c.resource_id)})
        reason = (f"booked at the same time by {', '.join(busy)}" if busy else
                  "no more available volunteers fit")
        placement.unmet.append(f"{missing} of {d.volunteers_wanted} volunteers missing: {reason}")
    for skill in sorted(d.skills_required - set(placement.skills_covered)):
        if not any(skill in c.skills for c in d.volunteers):
            placement.unmet.append(f"no available volunteer knows {skill}")
        else:
            placement.unmet.append(f"the volunteers who know {skill} are booked elsewhere "
                                   f"at the same time")
    return placement
