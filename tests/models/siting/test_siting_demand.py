"""Demand per building from the graph, and every siting query linted by Neo4j's front-end."""

import pytest

from graph.cypher_lint import lint_queries
from models.siting import SitingError
from models.siting.demand import building_demand, demand_queries, read_demand_file
from models.siting.sites import graph_candidates, service_points, site_queries
from tests.models.siting.siting_graph import AS_OF, siting_graph  # noqa: F401


def weights(points):
    return {p.building_id: p.weight for p in points if p.weight}


def test_seniors_children_and_tags_per_building(small_graph):
    assert weights(building_demand(small_graph, "seniors_80_plus", AS_OF)) == {"B01": 1, "B03": 1}
    assert weights(building_demand(small_graph, "children_0_6", AS_OF)) == {"B02": 1}
    assert weights(building_demand(small_graph, "tag:lone_elderly", AS_OF)) == {"B01": 1}
    everyone = building_demand(small_graph, "all_residents", AS_OF)
    assert weights(everyone) == {"B01": 4, "B02": 6, "B03": 2}  # R12 lives in B02
    assert [p.building_id for p in everyone] == ["B01", "B02", "B03"]  # zero demand kept


def test_age_bounds_are_inclusive(small_graph):
    # R01 turns 81 on 2025-03-02: 80+ on her 80th birthday, not the day before.
    import datetime as dt

    assert weights(building_demand(small_graph, "seniors_80_plus", dt.date(2024, 3, 2))) \
        == {"B01": 1, "B03": 1}
    assert weights(building_demand(small_graph, "seniors_80_plus", dt.date(2024, 3, 1))) \
        == {"B03": 1}


def test_unknown_group_and_tag_are_named(small_graph):
    with pytest.raises(SitingError, match="Unknown target group 'elderly'"):
        building_demand(small_graph, "elderly", AS_OF)
    with pytest.raises(SitingError, match="No tag 'nobody'"):
        building_demand(small_graph, "tag:nobody", AS_OF)


def test_sites_from_the_graph(siting_graph):  # noqa: F811
    assert [s.site_id for s in service_points(siting_graph, "dining_hall")] == ["SP01", "SP02"]
    assert len(service_points(siting_graph)) == 3
    candidates = graph_candidates(siting_graph)
    assert [c.site_id for c in candidates] == ["V90", "V91", "V92"]
    assert all(c.capacity is None and not c.existing for c in candidates)  # 0 means unknown


def test_demand_file_errors_name_the_row(tmp_path):
    path = tmp_path / "demand.csv"
    path.write_text("id,w,lat,lon\nT1,5,31.2,121.4\nT2,-1,31.2,121.4\n")
    with pytest.raises(SitingError, match=r"demand.csv row 3: w must be 0 or more"):
        read_demand_file(path, id_column="id", weight_column="w")
    with pytest.raises(SitingError, match="no column demand"):
        read_demand_file(path, id_column="id")


def test_every_siting_query_passes_the_neo4j_lint():
    queries = {**demand_queries(), **site_queries()}
    results = lint_queries(queries)
    assert {name: [str(e) for e in r.errors] for name, r in results.items() if r.errors} == {}
    assert {name: [str(w) for w in r.warnings] for name, r in results.items()
            if r.warnings} == {}
