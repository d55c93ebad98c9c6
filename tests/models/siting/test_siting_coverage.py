"""Coverage of a service type on the siting graph, its map layers, and a proposal drawn on it."""

import json

import pytest

from models.siting import SitingError
from models.siting.coverage import service_coverage
from models.siting.demand import building_demand
from models.siting.locate import build_problem, solve
from models.siting.mapping import coverage_map, map_html
from models.siting.sites import graph_candidates, service_points
from tests.models.siting.siting_graph import AS_OF, siting_graph  # noqa: F401


@pytest.fixture(scope="module")
def dining(siting_graph):  # noqa: F811
    return service_coverage(siting_graph, "dining_hall", as_of=AS_OF)


def test_share_uncovered_buildings_and_demand_per_place(dining):
    assert dining.group == "seniors_80_plus"
    assert (dining.total_demand, dining.covered_demand) == (4, 1)
    assert dining.share_covered == 0.25
    assert [(b.building_id, b.weight) for b in dining.uncovered] == [("B04", 2), ("B03", 1)]
    assert dining.total_capacity == 30 and dining.demand_per_place == pytest.approx(4 / 30)


def test_points_in_scope_utilisation_and_duplication(dining):
    by_id = {p.site.site_id: p for p in dining.points}
    assert by_id["SP01"].demand_in_scope == 1 and by_id["SP01"].utilisation == 1 / 20
    assert by_id["SP01"].in_scope_by_group == {"seniors_80_plus": 1, "children_0_6": 1,
                                               "all_residents": 10}
    assert by_id["SP01"].duplicated_share == 1.0  # SP02 reaches B01 too
    assert {p.site.site_id for p in dining.mostly_duplicated} == {"SP01", "SP02"}
    [overlap] = dining.overlaps
    assert (overlap.first, overlap.second, overlap.buildings, overlap.demand) == \
        ("SP01", "SP02", 2, 1)
    assert dining.covered_by["B01"] == ["SP01", "SP02"]


def test_unknown_service_type_lists_the_known_ones(siting_graph):  # noqa: F811
    with pytest.raises(SitingError, match="types: dining_hall, kindergarten"):
        service_coverage(siting_graph, "library", as_of=AS_OF)


def test_a_detour_factor_shrinks_the_reach(siting_graph):  # noqa: F811
    # SP01 is about 220 m from B02 in a straight line: 308 m of walking at a factor of 1.4.
    assert service_coverage(siting_graph, "dining_hall", as_of=AS_OF,
                            detour_factor=1.3).covered_by["B02"] == ["SP01", "SP02"]
    far = service_coverage(siting_graph, "dining_hall", as_of=AS_OF, detour_factor=1.4)
    assert far.covered_by["B02"] == ["SP02"]


def test_proposal_on_the_graph_closes_the_gaps(siting_graph):  # noqa: F811
    demand = building_demand(siting_graph, "seniors_80_plus", AS_OF)
    problem = build_problem(demand, graph_candidates(siting_graph),
                            service_points(siting_graph, "dining_hall"))
    one = solve(problem, "mclp", p=1, service_radius_m=300)
    assert [s.site_id for s in one.new_sites] == ["V91"]
    assert (one.share(one.covered_before), one.share(one.covered_after)) == (0.25, 0.75)
    two = solve(problem, "mclp", p=2, service_radius_m=300)
    assert sorted(s.site_id for s in two.new_sites) == ["V90", "V91"]
    assert two.covered_after == 4 and two.assignment["B04"] == "V91"


def test_map_has_every_layer_and_the_proposal(siting_graph, dining):  # noqa: F811
    demand = building_demand(siting_graph, "seniors_80_plus", AS_OF)
    problem = build_problem(demand, graph_candidates(siting_graph),
                            service_points(siting_graph, "dining_hall"))
    proposal = solve(problem, "mclp", p=1, service_radius_m=300)
    html = map_html(coverage_map(dining, demand, proposal=proposal))
    for layer in ("服务点 service points", "服务范围 service areas", "需求 demand by building",
                  "未覆盖 uncovered demand (2 buildings)", "重叠 overlaps",
                  "方案 proposal: mclp, 1 new sites"):
        assert json.dumps(layer)[1:-1] in html  # folium writes layer names JSON-escaped
    assert "Linfen Dining Hall" in html and "利用率 utilisation: 0.05" in html
    assert "新址 new site: East vacant premises" in html
    assert html.count("L.circle(") == 3  # two service areas and the new site's
