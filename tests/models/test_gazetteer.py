"""The gazetteer: read from a real graph, the same as the in-code fixture one; its queries lint."""

from __future__ import annotations

from datetime import date

import pytest

from graph.cypher_lint import lint_queries
from models.demand import parse_demand
from models.gazetteer import Gazetteer, gazetteer_queries


def test_from_graph_matches_the_fixture_gazetteer(small_graph):
    read = Gazetteer.from_graph(small_graph)
    built = Gazetteer.from_fixture()
    assert read.areas == built.areas
    assert read.buildings == built.buildings
    assert read.lanes == built.lanes
    assert read.roads["汾西路"] == built.roads["汾西路"]
    assert set(read.tags) == {"lone_elderly", "disabled", "retired_woman_50_74"}
    assert read.points.keys() == built.points.keys()


def test_from_graph_places_resolve(small_graph):
    gaz = Gazetteer.from_graph(small_graph)
    assert gaz.buildings["临汾路|261|12"].ids == ("B01",)
    assert gaz.lanes[("临汾路", 375)].ids == ("B02",)
    assert set(gaz.roads["临汾路"].ids) == {"B01", "B02"}
    # An area without coordinates of its own sits at its buildings' centroid.
    assert gaz.areas["A01"].lat == pytest.approx((31.2712 + 31.2725) / 2)
    assert gaz.area_names["Fenxi Estate"] == "A02"


def test_gazetteer_queries_pass_the_neo4j_linter():
    results = lint_queries({f"gazetteer {k}": v for k, v in gazetteer_queries().items()})
    assert {name: [str(e) for e in r.errors] for name, r in results.items() if r.errors} == {}
    assert {name: [str(w) for w in r.warnings] for name, r in results.items() if r.warnings} == {}


def test_demo_district_parse(demo_graph):
    """On the 83 k district: Chinese area names, lanes of many roads, the example demand."""
    gaz = Gazetteer.from_graph(demo_graph)
    assert len(gaz.areas) == 20 and len(gaz.buildings) > 900
    demand = parse_demand("周六下午在汾西路附近找一间能坐40人的活动室办糖尿病讲座，需要两名会急救的志愿者，"
                          "邀请临汾路261弄的糖尿病老人", today=date(2025, 6, 25), gazetteer=gaz)
    assert demand.location.kind == "road" and demand.location.lat is not None
    assert demand.participants.location.name == "临汾路261弄"
    assert len(demand.participants.location.ids) > 3
    area = next(iter(gaz.areas.values()))
    stem = area.name.removesuffix("居委会")
    assert parse_demand(f"{stem}小区的独居老人", today=date(2025, 6, 25),
                        gazetteer=gaz).location.ids == list(area.ids)
