"""Joint matching: competing demands, no double-booking, stated reasons, proven optimum."""

import datetime as dt
import itertools

import pytest
from hypothesis import given, settings, strategies as st

from models.matching import (SKILL_WEIGHT, VENUE_WEIGHT, VOLUNTEER_WEIGHT, Candidate,
                             DemandSlot, MatchingError, assign)

SAT = dt.datetime(2025, 7, 5, 13)


def slot(demand_id, hour=13, hours=4, **kw):
    start = SAT.replace(hour=hour)
    return DemandSlot(demand_id, start, start + dt.timedelta(hours=hours), **kw)


def test_two_demands_at_once_share_nothing_and_the_loser_is_told_why():
    room = Candidate("V1", 0.9)
    first_aider = Candidate("L1", 0.8, frozenset({"first_aid"}))
    a = slot("talk", venues=[room], volunteers=[first_aider], volunteers_wanted=1,
             skills_required=frozenset({"first_aid"}))
    b = slot("class", hour=14, venues=[room, Candidate("V2", 0.2)], volunteers=[first_aider],
             volunteers_wanted=1)
    result = assign([a, b])
    assert result.status == "Optimal"
    talk, klass = result.placements["talk"], result.placements["class"]
    # The class can move to V2, so both get a room; only one can have L1.
    assert (talk.venue, klass.venue) == ("V1", "V2")
    assert talk.volunteers == ["L1"] and klass.volunteers == []
    assert talk.skills_covered == ["first_aid"]
    assert klass.unmet == ["1 of 1 volunteers missing: booked at the same time by talk"]


def test_greedy_would_fail_where_the_joint_solution_serves_both():
    # Greedy in order: "a" takes its best room V1, leaving "b" (whose only room is V1) with
    # none. Jointly, "a" takes V2 and both are served.
    a = slot("a", venues=[Candidate("V1", 0.9), Candidate("V2", 0.1)])
    b = slot("b", venues=[Candidate("V1", 0.5)])
    result = assign([a, b])
    assert result.placements["a"].venue == "V2" and result.placements["b"].venue == "V1"


def test_demands_at_different_times_may_share():
    room, helper = Candidate("V1", 1.0), Candidate("L1", 1.0)
    morning = slot("m", hour=8, venues=[room], volunteers=[helper], volunteers_wanted=1)
    afternoon = slot("a", hour=13, venues=[room], volunteers=[helper], volunteers_wanted=1)
    result = assign([morning, afternoon])
    assert all(p.venue == "V1" and p.volunteers == ["L1"] for p in result.placements.values())


def test_unmet_reasons_name_the_cause():
    lonely = slot("x", volunteers=[Candidate("L1", 0.5, frozenset({"it_help"}))],
                  volunteers_wanted=2, skills_required=frozenset({"first_aid"}))
    (placement,) = assign([lonely]).placements.values()
    assert placement.unmet == ["no venue fits (capacity, opening hours, distance)",
                               "1 of 2 volunteers missing: no more available volunteers fit",
                               "no available volunteer knows first_aid"]


def test_bad_input_is_refused():
    with pytest.raises(MatchingError, match="share the id"):
        assign([slot("a"), slot("a")])
    with pytest.raises(MatchingError, match="ends"):
        assign([DemandSlot("a", SAT, SAT)])


def _brute_force(demands):
    """The best objective by trying every choice (tiny instances only)."""
    options = []
    for d in demands:
        venue_choices = [None] + [c for c in d.venues]
        volunteer_sets = [s for r in range(d.volunteers_wanted + 1)
                          for s in itertools.combinations(d.volunteers, r)]
        options.append([(v, s) for v in venue_choices for s in volunteer_sets])
    best = 0.0
    for combo in itertools.product(*options):
        ok = True
        for (i, (v1, s1)), (j, (v2, s2)) in itertools.combinations(enumerate(combo), 2):
            if demands[i].overlaps(demands[j]):
                if v1 and v2 and v1.resource_id == v2.resource_id:
                    ok = False
                if {c.resource_id for c in s1} & {c.resource_id for c in s2}:
                    ok = False
        if not ok:
            continue
        total = 0.0
        for d, (v, s) in zip(demands, combo):
            total += (VENUE_WEIGHT + v.score) if v else 0
            total += sum(VOLUNTEER_WEIGHT + c.score for c in s)
            total += SKILL_WEIGHT * sum(any(k in c.skills for c in s) for k in d.skills_required)
        best = max(best, total)
    return best


SKILLS = ["first_aid", "it_help"]
candidates = st.lists(st.tuples(st.sampled_from(["V1", "V2", "V3"]),
                                st.integers(0, 10)), max_size=3, unique_by=lambda t: t[0])
helpers = st.lists(st.tuples(st.sampled_from(["L1", "L2", "L3"]), st.integers(0, 10),
                             st.sets(st.sampled_from(SKILLS))), max_size=3,
                   unique_by=lambda t: t[0])


@settings(max_examples=40, deadline=None)
@given(st.lists(st.tuples(st.integers(8, 16), candidates, helpers, st.integers(0, 2),
                          st.sets(st.sampled_from(SKILLS))), min_size=1, max_size=3))
def test_the_solver_finds_the_brute_force_optimum(raw):
    demands = [slot(f"d{i}", hour=hour,
                    venues=[Candidate(v, s / 10) for v, s in venues],
                    volunteers=[Candidate(p, s / 10, frozenset(k)) for p, s, k in people],
                    volunteers_wanted=wanted, skills_required=frozenset(skills))
               for i, (hour, venues, people, wanted, skills) in enumerate(raw)]
    result = assign(demands)
    assert result.objective == pytest.approx(_brute_force(demands), abs=1e-6)
