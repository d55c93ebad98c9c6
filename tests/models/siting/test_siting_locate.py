"""Each location model on a tiny instance with a known optimum, checked by brute force and spopt;
the San Francisco instance against spopt; and the bad-input messages."""

import itertools
from pathlib import Path

import numpy as np
import pulp
import pytest
from spopt.locate import MCLP, PMedian

from models.siting import InfeasibleModel, SitingError
from models.siting.demand import DemandPoint
from models.siting.distances import DistanceMatrix, read_distance_matrix
from models.siting.locate import build_problem, lagrangian_reduction, solve
from models.siting.sites import Site

SF = Path(__file__).resolve().parents[4] / "shared" / "datasets" / "spopt-sf"

# Four demand points, three candidates C1-C3 and one existing facility E1 (distances in m).
COST = np.array([[100, 900, 900, 900],
                 [900, 100, 900, 900],
                 [900, 900, 100, 200],
                 [900, 120, 900, 900]], dtype=float)
WEIGHTS = [10, 5, 8, 3]


def tiny(existing=True, capacities=(None, None, None)):
    demand = [DemandPoint(f"d{i + 1}", None, None, None, 31.27, 121.45, w)
              for i, w in enumerate(WEIGHTS)]
    candidates = [Site(f"C{j + 1}", f"C{j + 1}", 31.27, 121.45, capacities[j])
                  for j in range(3)]
    ids = ["C1", "C2", "C3", "E1"]
    fixed = [Site("E1", "E1", 31.27, 121.45, 30, existing=True)] if existing else []
    matrix = DistanceMatrix(COST, [d.building_id for d in demand], ids, "tiny")
    return build_problem(demand, candidates, fixed, matrix=matrix)


def new_ids(proposal):
    return sorted(s.site_id for s in proposal.new_sites)


def brute_pmedian(cost, weights, p, fixed=()):
    best = None
    free = [j for j in range(cost.shape[1]) if j not in fixed]
    for chosen in itertools.combinations(free, p):
        cols = list(chosen) + list(fixed)
        value = float((np.array(weights) * cost[:, cols].min(axis=1)).sum())
        best = min(best or (value, chosen), (value, chosen))
    return best


def test_mclp_known_optimum_with_and_without_the_existing_point():
    free = solve(tiny(existing=False), "mclp", p=1, service_radius_m=300)
    assert (free.objective, new_ids(free), free.proven_optimal) == (10, ["C1"], True)
    kept = solve(tiny(), "mclp", p=1, service_radius_m=300)
    assert kept.objective == 18 and new_ids(kept) == ["C1"]  # E1 already covers d3
    assert (kept.covered_before, kept.covered_after) == (8, 18)
    assert [s.site_id for s in kept.sites if s.existing] == ["E1"]
    assert kept.new_sites[0].assigned_demand == 10 and kept.uncovered_after == ["d2", "d4"]


def test_pmedian_known_optimum_matches_brute_force_and_spopt():
    proposal = solve(tiny(existing=False), "pmedian", p=2)
    assert proposal.objective == pytest.approx(9000) and new_ids(proposal) == ["C1", "C3"]
    assert brute_pmedian(COST[:, :3], WEIGHTS, 2)[0] == pytest.approx(9000)
    direct = PMedian.from_cost_matrix(COST[:, :3], np.array(WEIGHTS), p_facilities=2)
    direct.solve(pulp.PULP_CBC_CMD(msg=False))
    assert pulp.value(direct.problem.objective) == pytest.approx(proposal.objective)
    kept = solve(tiny(), "pmedian", p=1)
    assert kept.objective == pytest.approx(9800) and new_ids(kept) == ["C1"]
    assert kept.mean_distance_after < kept.mean_distance_before


def test_lscp_opens_the_fewest_new_sites():
    assert new_ids(solve(tiny(existing=False), "lscp", service_radius_m=300)) == \
        ["C1", "C2", "C3"]
    kept = solve(tiny(), "lscp", service_radius_m=300)
    assert new_ids(kept) == ["C1", "C2"] and kept.objective == 3  # E1 counts as open
    assert kept.covered_after == kept.total_demand


def test_capacitated_pmedian_moves_demand_off_a_full_site():
    proposal = solve(tiny(existing=False, capacities=(9, 20, 20)), "cpmedian", p=2)
    assert proposal.objective == pytest.approx(10660) and new_ids(proposal) == ["C2", "C3"]
    assert all(s.assigned_demand <= s.capacity for s in proposal.sites)
    direct = PMedian.from_cost_matrix(COST[:, :3], np.array(WEIGHTS), p_facilities=2,
                                      facility_capacities=np.array([9, 20, 20]))
    direct.problem.solve(pulp.PULP_CBC_CMD(msg=False))
    assert pulp.value(direct.problem.objective) == pytest.approx(10660)


def test_capacitated_set_covering_and_its_infeasible_case():
    proposal = solve(tiny(existing=False, capacities=(12, 20, 20)), "clscp",
                     service_radius_m=300)
    assert new_ids(proposal) == ["C1", "C2", "C3"] and proposal.proven_optimal
    # Only C1 reaches d1 (10 people) and it has 9 places.
    with pytest.raises(InfeasibleModel, match="Infeasible"):
        solve(tiny(existing=False, capacities=(9, 20, 20)), "clscp", service_radius_m=300)


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_random_instances_agree_with_spopt(seed):
    rng = np.random.default_rng(seed)
    cost = rng.uniform(0, 2000, (40, 9))
    weights = rng.integers(1, 20, 40)
    demand = [DemandPoint(f"d{i}", None, None, None, 0, 0, int(w)) for i, w in enumerate(weights)]
    sites = [Site(f"s{j}", None, 0, 0) for j in range(9)]
    problem = build_problem(demand, sites, matrix=DistanceMatrix(
        cost, [d.building_id for d in demand], [s.site_id for s in sites]))
    direct = MCLP.from_cost_matrix(cost, weights, 600, p_facilities=3)
    direct.solve(pulp.PULP_CBC_CMD(msg=False))
    assert solve(problem, "mclp", p=3, service_radius_m=600).objective == \
        pytest.approx(pulp.value(direct.problem.objective))
    assert solve(problem, "pmedian", p=3).objective == \
        pytest.approx(brute_pmedian(cost, weights, 3)[0])


def clustered(seed, n=90, m=18, clusters=3):
    """Demand in a few tight clusters, candidates spread out: the from-scratch case."""
    rng = np.random.default_rng(seed)
    centres = rng.uniform(0, 2000, (clusters, 2))
    people = centres[rng.integers(0, clusters, n)] + rng.normal(0, 80, (n, 2))
    places = rng.uniform(0, 2000, (m, 2))
    cost = np.linalg.norm(people[:, None, :] - places[None, :, :], axis=2)
    return cost, rng.integers(1, 30, n).astype(float)


@pytest.mark.parametrize("steps", [0, 3, 400])  # a loose bound must stay exact too
@pytest.mark.parametrize("seed", [4, 5, 6, 7])
@pytest.mark.parametrize("p", [1, 2, 3])
def test_lagrangian_reduction_keeps_every_optimal_site(seed, p, steps, monkeypatch):
    monkeypatch.setattr("models.siting.locate._SUBGRADIENT_STEPS", steps)
    cost, weights = clustered(seed)
    fixed = np.zeros(cost.shape[1], dtype=bool)
    if seed % 2:
        fixed[0] = True  # an existing facility kept open
    keep, must_open = lagrangian_reduction(cost, weights, p + int(fixed.sum()), fixed)
    value, chosen = brute_pmedian(cost, weights, p, fixed=list(np.flatnonzero(fixed)))
    assert keep[list(chosen)].all() and keep[fixed].all()
    assert set(np.flatnonzero(must_open)) <= set(chosen)
    if steps:
        assert keep.sum() < cost.shape[1]  # clustered demand: some sites are ruled out


def test_lagrangian_reduction_drops_sites_on_the_from_scratch_case_and_stays_exact():
    cost, weights = clustered(8, n=150, m=30)
    keep, _ = lagrangian_reduction(cost, weights, 3, np.zeros(30, dtype=bool))
    assert keep.sum() <= 10
    demand = [DemandPoint(f"d{i}", None, None, None, 0, 0, w) for i, w in enumerate(weights)]
    sites = [Site(f"s{j}", None, 0, 0) for j in range(30)]
    problem = build_problem(demand, sites, matrix=DistanceMatrix(
        cost, [d.building_id for d in demand], [s.site_id for s in sites]))
    proposal = solve(problem, "pmedian", p=3)
    value, chosen = brute_pmedian(cost, weights, 3)
    assert proposal.proven_optimal and proposal.objective == pytest.approx(value, rel=1e-12)
    assert new_ids(proposal) == sorted(f"s{j}" for j in chosen)


@pytest.mark.skipif(not SF.is_dir(), reason="../shared/datasets/spopt-sf is not there")
@pytest.mark.parametrize("model", ["mclp", "pmedian"])
def test_san_francisco_instance_matches_spopt(model):
    import sys

    sys.path.insert(0, str(Path(__file__).resolve().parents[3] / "bench"))
    from site_selection_sf import minqing_solve, spopt_solve

    proposal = minqing_solve(SF, model)
    assert proposal.proven_optimal and len(proposal.new_sites) == 4
    assert proposal.objective == pytest.approx(spopt_solve(SF, model), rel=1e-9)


# -- bad input ------------------------------------------------------------------------------

def test_p_larger_than_the_candidates():
    with pytest.raises(SitingError, match="p=4 is larger than the 3 candidate sites"):
        solve(tiny(), "mclp", p=4, service_radius_m=300)
    with pytest.raises(SitingError, match="needs p"):
        solve(tiny(), "pmedian")


def test_no_candidates_and_zero_demand():
    demand = [DemandPoint("d1", None, None, None, 31.27, 121.45, 3)]
    with pytest.raises(SitingError, match="No candidate sites"):
        build_problem(demand, [])
    with pytest.raises(SitingError, match="Zero demand"):
        build_problem([DemandPoint("d1", None, None, None, 31.27, 121.45, 0)],
                      [Site("C1", None, 31.27, 121.45)])


def test_a_radius_that_covers_nothing():
    with pytest.raises(SitingError, match="radius of 50 m covers no demand building"):
        solve(tiny(), "mclp", p=1, service_radius_m=50)
    with pytest.raises(InfeasibleModel, match="1 demand buildings lie farther than 110 m from every site .d4."):
        solve(tiny(), "lscp", service_radius_m=110)


def test_capacity_missing_for_a_capacitated_model():
    with pytest.raises(SitingError, match="need every site's capacity"):
        solve(tiny(), "cpmedian", p=1)
    assert solve(tiny(), "cpmedian", p=1, new_site_capacity=30).proven_optimal


def test_distance_file_with_missing_pairs_or_negative_values(tmp_path):
    path = tmp_path / "d.csv"
    path.write_text("demand_id,site_id,distance_m\nd1,C1,10\nd1,C2,20\nd2,C1,5\n")
    with pytest.raises(SitingError, match=r"misses 1 of 4 demand-site pairs: d2 → C2"):
        read_distance_matrix(path, ["d1", "d2"], ["C1", "C2"])
    path.write_text("demand_id,site_id,distance_m\nd1,C1,10\nd1,C2,-3\n")
    with pytest.raises(SitingError, match=r"d.csv row 3: distance_m is negative"):
        read_distance_matrix(path, ["d1"], ["C1", "C2"])
    path.write_text("demand_id,site_id,distance_m\nd1,C1,ten\n")
    with pytest.raises(SitingError, match=r"row 2: distance_m must be a number, got 'ten'"):
        read_distance_matrix(path, ["d1"], ["C1"])
    path.write_text("demand_id,site_id,distance_m\nd1,C1,1\nd1,C1,2\n")
    with pytest.raises(SitingError, match=r"row 3: the pair d1 → C1 appears again"):
        read_distance_matrix(path, ["d1"], ["C1"])
    path.write_text("from,to,metres\n")
    with pytest.raises(SitingError, match="no column demand_id, site_id, distance_m"):
        read_distance_matrix(path, ["d1"], ["C1"])


def test_a_time_limit_without_proof_is_reported_not_hidden():
    # 1 s is far more than the tiny model needs: it must be proven optimal, and say so.
    proposal = solve(tiny(), "mclp", p=1, service_radius_m=300, time_limit_s=1)
    assert proposal.proven_optimal and proposal.status.startswith("optimal")
    assert proposal.to_json()["proven_optimal"] is True
