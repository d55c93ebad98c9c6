"""The shard simulation: a graph split by residential area answers as the single database.

Each comparison runs the same library call (named queries, silent groups, emergency lists)
once on the single database and once through ``ShardedGraph`` over the shards the splitter
wrote through the ingest writer, on the fixture graph (2 and 3 shards) and on the session's
generated 1,500-resident district (its two areas on 2 shards, against a 1-shard copy).
"""

from __future__ import annotations

import datetime as dt
import importlib.util
import itertools
import sys
from pathlib import Path

import pytest

from graph.cypher import count_label
from graph.dump import canonical_dump
from graph.errors import MinqingError, QueryError
from graph.router import NAMED_PLANS, ShardedGraph, plan_for, shard_safety
from graph.shard_split import REPLICATED_LABELS, REPLICATED_TYPES, split_graph
from queries.emergency import emergency_list
from queries.programs import refresh_silent_groups, silent_group, silent_group_summary
from queries.programs.catalogue import load_programs
from queries.registry import get_query, load_queries, run_query
from tests.conftest import _open_database, needs_two_databases
from tests.queries.programs.test_silent_groups import PROGRAMS as FIXTURE_PROGRAMS

pytestmark = needs_two_databases

AS_OF = dt.date(2026, 6, 30)
_names = itertools.count(1)

# Ad-hoc statements the tests send through the router (linted below like every query).
AGGREGATE_WITHOUT_PLAN = "MATCH (r:Resident) RETURN count(r) AS residents_without_plan"
WITH_SKIP = ("MATCH (r:Resident) RETURN r.resident_id AS resident_id "
             "ORDER BY resident_id SKIP 2 LIMIT 3")
ORDER_BY_EXPRESSION = ("MATCH (r:Resident) RETURN r.resident_id AS resident_id "
                       "ORDER BY r.birth_date")
AREA_ANCHORED = ("MATCH (a:ResidentialArea {area_id: $area_id})<-[:IN_AREA]-(b:Building) "
                 "RETURN count(b) AS buildings")
AD_HOC = {"aggregate_without_plan": AGGREGATE_WITHOUT_PLAN, "with_skip": WITH_SKIP,
          "order_by_expression": ORDER_BY_EXPRESSION, "area_anchored": AREA_ANCHORED}


def _shards(settings, server, count: int) -> list:
    number = next(_names)
    return [_open_database(settings, server, f"shard{number}x{index}") for index in range(count)]


@pytest.fixture(scope="module")
def fixture_two(settings, server, _fixture_database):
    """The fixture graph split in two: A01 and A02 on different shards."""
    shards = _shards(settings, server, 2)
    report = split_graph(_fixture_database, shards)
    sharded = ShardedGraph(shards, report.directory)
    yield sharded, report
    sharded.close()
    for graph in shards:
        graph.close()


@pytest.fixture(scope="module")
def fixture_three(settings, server, _fixture_database):
    """The fixture graph split in three; with two areas, one shard holds only reference data."""
    shards = _shards(settings, server, 3)
    report = split_graph(_fixture_database, shards)
    sharded = ShardedGraph(shards, report.directory)
    yield sharded, report
    sharded.close()
    for graph in shards:
        graph.close()


@pytest.fixture(scope="module")
def district_split(settings, server, district):
    """The generated district copied whole (one shard) and split in two (it has two areas)."""
    single_shard = _shards(settings, server, 1)
    split_graph(district.graph, single_shard)
    shards = _shards(settings, server, 2)
    report = split_graph(district.graph, shards)
    sharded = ShardedGraph(shards, report.directory)
    yield district, single_shard[0], sharded, report
    sharded.close()
    for graph in single_shard + shards:
        graph.close()


def _named(graph, name, **params):
    return run_query(graph, get_query(name), params).rows


# -- the split ----------------------------------------------------------------------------


def test_fixture_split_puts_each_area_on_its_own_shard(fixture_two, small_graph):
    sharded, report = fixture_two
    assert report.directory.areas["A01"] != report.directory.areas["A02"]
    assert report.directory.buildings == {
        "B01": report.directory.areas["A01"], "B02": report.directory.areas["A01"],
        "B03": report.directory.areas["A02"]}
    # Reference data is on both shards; residents on exactly one.
    for shard_nodes in report.nodes:
        for label in ("ResidentialArea", "Tag", "Program", "Venue", "Organization"):
            assert shard_nodes[label] == small_graph.read(count_label(label)).single_value()
    assert sum(n.get("Resident", 0) for n in report.nodes) == 12


def test_a_resident_living_in_another_area_than_the_household_is_cut(fixture_two):
    # R12 lives in B02 (A01) but belongs to household H06 and is registered at B03 (A02):
    # those two relationships have their ends on different shards.
    _, report = fixture_two
    assert report.cut == {"MEMBER_OF": 1, "REGISTERED_AT": 1}


def test_a_one_shard_copy_is_the_same_graph(district_split):
    district, single, _, report = district_split
    assert canonical_dump(single) == canonical_dump(district.graph)


# -- named queries through the router -----------------------------------------------------


@pytest.mark.parametrize("split", ["fixture_two", "fixture_three"])
def test_counts_by_label_equal_the_single_database(split, small_graph, request):
    sharded, _ = request.getfixturevalue(split)
    assert _named(sharded, "counts_by_label") == _named(small_graph, "counts_by_label")
    # The builders' per-label count: summed for sharded labels, one shard for the others.
    for label in ("Resident", "Household", "Tag", "ResidentialArea"):
        assert sharded.read(count_label(label)).single_value() == \
            small_graph.read(count_label(label)).single_value() > 0


@pytest.mark.parametrize("split", ["fixture_two", "fixture_three"])
def test_counts_by_relationship_miss_exactly_the_cut_ones(split, small_graph, request):
    sharded, report = request.getfixturevalue(split)
    merged = {row["relationship"]: row["relationships"]
              for row in _named(sharded, "counts_by_relationship")}
    single = {row["relationship"]: row["relationships"]
              for row in _named(small_graph, "counts_by_relationship")}
    assert {t: merged.get(t, 0) + report.cut.get(t, 0) for t in single} == single


@pytest.mark.parametrize("split", ["fixture_two", "fixture_three"])
@pytest.mark.parametrize("tag_id", ["lone_elderly", "disabled", "retired_woman_50_74"])
def test_tagged_residents_equal_the_single_database(split, tag_id, small_graph, request):
    sharded, _ = request.getfixturevalue(split)
    expected = _named(small_graph, "tagged_residents", tag_id=tag_id)
    assert expected
    assert _named(sharded, "tagged_residents", tag_id=tag_id) == expected
    # The merged LIMIT keeps the first rows of the single database's order.
    assert _named(sharded, "tagged_residents", tag_id="retired_woman_50_74", limit=1) == \
        _named(small_graph, "tagged_residents", tag_id="retired_woman_50_74", limit=1)


def test_every_named_query_answers_like_the_single_database(fixture_three, small_graph):
    sharded, _ = fixture_three
    params = {"area_neighbourhood": {"area_id": "A01"}, "building_residents": {
        "building_id": "B01"}, "tagged_residents": {"tag_id": "retired_woman_50_74"},
        "emergency_area_buildings": {"area": "Fenxi Estate"}}
    for name, query in load_queries().items():
        if name == "counts_by_relationship":
            continue  # misses the cut relationships: checked above
        bound = params.get(name, {})
        got, expected = run_query(sharded, query, bound).rows, run_query(small_graph, query,
                                                                         bound).rows
        assert expected, name  # every comparison compares something
        if name == "area_neighbourhood":
            # collect(...)[0..5] keeps the first five residents the engine meets, in storage
            # order, which differs between any two databases; the rest must be equal.
            residents = {row["resident_id"] for row in _named(
                small_graph, "building_residents", building_id="B02")}
            assert set(got[0]["sample"]) <= residents and len(got[0]["sample"]) == 5
            got, expected = ([{k: v for k, v in row.items() if k != "sample"} for row in rows]
                             for rows in (got, expected))
        if name == "emergency_vulnerable_residents":
            # collect() of household members: in storage order too (the library sorts them).
            got, expected = ([{**row, "household": sorted(row["household"], key=str)}
                              for row in rows] for rows in (got, expected))
        assert got == expected, name


def test_a_building_with_a_cut_household_loses_only_that_link(fixture_two, small_graph):
    sharded, _ = fixture_two
    expected = _named(small_graph, "building_residents", building_id="B02")
    got = _named(sharded, "building_residents", building_id="B02")
    # R12 lives in B02; the household H06 is in B03 on the other shard.
    assert [r for r in got if r["resident_id"] != "R12"] == \
        [r for r in expected if r["resident_id"] != "R12"]
    assert [r["household_id"] for r in expected if r["resident_id"] == "R12"] == ["H06"]
    assert [r["household_id"] for r in got if r["resident_id"] == "R12"] == [None]


@pytest.mark.parametrize("program_id", sorted(FIXTURE_PROGRAMS))
def test_live_silent_groups_equal_the_single_database(fixture_two, small_graph, program_id):
    sharded, _ = fixture_two
    program = FIXTURE_PROGRAMS[program_id]
    expected = silent_group(small_graph, program, AS_OF).to_json()
    assert expected["size"] > 0
    assert silent_group(sharded, program, AS_OF).to_json() == expected


@pytest.mark.parametrize("scope", [{"buildings": ["B01"]}, {"buildings": ["B01", "B03"]},
                                   {"area": "A02"}, {"area": "Linfen Garden"}])
def test_emergency_lists_equal_the_single_database(fixture_two, small_graph, scope):
    sharded, _ = fixture_two
    expected = emergency_list(small_graph, as_of=AS_OF, **scope).to_json(mask=False)
    assert expected["residents"]
    assert emergency_list(sharded, as_of=AS_OF, **scope).to_json(mask=False) == expected


# -- the generated district ---------------------------------------------------------------


def test_district_counts_and_cut_relationships(district_split):
    _, single, sharded, report = district_split
    assert _named(sharded, "counts_by_label") == _named(single, "counts_by_label")
    merged = {row["relationship"]: row["relationships"]
              for row in _named(sharded, "counts_by_relationship")}
    whole = {row["relationship"]: row["relationships"]
             for row in _named(single, "counts_by_relationship")}
    assert {t: merged.get(t, 0) + report.cut.get(t, 0) for t in whole} == whole
    assert all(shard_nodes.get("Resident", 0) > 0 for shard_nodes in report.nodes)


def test_district_silent_groups_live_and_stored(district_split):
    _, single, sharded, _ = district_split
    programs = list(load_programs().values())
    for program in programs:
        expected = silent_group(single, program, AS_OF).to_json()
        assert silent_group(sharded, program, AS_OF).to_json() == expected, program.program_id
    # Each shard refreshes its own stored groups, as each district would.
    refresh_silent_groups(single, programs, AS_OF)
    for shard in sharded.shards:
        refresh_silent_groups(shard, programs, AS_OF)
    sizes = []
    for program in programs:
        expected = _without_refresh_time(silent_group_summary(single, program))
        assert _without_refresh_time(silent_group_summary(sharded, program)) == expected
        sizes.append(expected["size"])
    assert sum(sizes) > 0


def _without_refresh_time(summary: dict) -> dict:
    # Each database was refreshed a moment apart; everything else must be equal.
    summary = {k: v for k, v in summary.items() if k != "refreshed_at"}
    summary["groups"] = [{k: v for k, v in g.items() if k != "refreshed_at"}
                         for g in summary["groups"]]
    return summary


def test_district_emergency_lists(district_split):
    _, single, sharded, report = district_split
    for area in sorted(report.directory.areas):
        expected = emergency_list(single, area=area, as_of=AS_OF).to_json(mask=False)
        assert emergency_list(sharded, area=area, as_of=AS_OF).to_json(mask=False) == expected
    # Buildings of different shards in one list: split by shard, merged in the list's order.
    by_shard = {}
    for building, shard in sorted(report.directory.buildings.items()):
        by_shard.setdefault(shard, building)
    buildings = list(by_shard.values())
    assert len(buildings) == 2
    expected = emergency_list(single, buildings=buildings, as_of=AS_OF).to_json(mask=False)
    assert emergency_list(sharded, buildings=buildings, as_of=AS_OF).to_json(
        mask=False) == expected


# -- routing and refusals -----------------------------------------------------------------


def test_reads_go_where_the_data_is(fixture_three):
    sharded, report = fixture_three
    a02 = report.directory.areas["A02"]
    assert sharded.route(AREA_ANCHORED, {"area_id": "A02"}).shards == {a02: {"area_id": "A02"}}
    emergency_names = get_query("emergency_area_names").cypher
    assert sharded.route(emergency_names).how == "replicated"
    assert len(sharded.route(get_query("tagged_residents").cypher,
                             {"tag_id": "x"}).shards) == 3
    # A01 (10 residents) goes first to shard 0, A02 (2) to shard 1; an unknown building
    # is looked for on the first shard.
    assert report.directory.areas == {"A01": 0, "A02": 1}
    route = sharded.route(get_query("emergency_vulnerable_residents").cypher,
                          {"building_ids": ["B01", "B03", "B99"]})
    assert {s: p["building_ids"] for s, p in route.shards.items()} == {
        0: ["B01", "B99"], 1: ["B03"]}
    # An unknown area is on no shard: one shard answers the empty answer.
    assert sharded.read(AREA_ANCHORED, {"area_id": "nowhere"}).single_value() == 0


def test_what_cannot_be_merged_exactly_is_refused(fixture_two):
    sharded, _ = fixture_two
    with pytest.raises(QueryError, match="no merge plan"):
        sharded.read(AGGREGATE_WITHOUT_PLAN)
    with pytest.raises(QueryError, match="SKIP"):
        sharded.read(WITH_SKIP)
    with pytest.raises(QueryError, match="order by returned columns"):
        sharded.read(ORDER_BY_EXPRESSION)
    with pytest.raises(QueryError, match="does not write"):
        sharded.write("MATCH (n) DETACH DELETE n")


def test_a_missing_shard_fails_the_whole_read(fixture_two, settings):
    from graph.backend import Graph

    sharded, report = fixture_two
    good = sharded.shards[0]
    gone = Graph(good.driver, "no_such_shard", good.engine, settings)
    broken = ShardedGraph([good, gone], report.directory)
    try:
        with pytest.raises(MinqingError):
            _named(broken, "tagged_residents", tag_id="lone_elderly")
    finally:
        broken.close()


def test_every_named_query_is_classified_and_plans_name_real_queries():
    safety = shard_safety()
    assert set(safety) == set(load_queries())
    assert not [name for name, how in safety.items() if how.startswith("NOT")]
    assert set(NAMED_PLANS) <= set(load_queries())
    assert plan_for(get_query("counts_by_label").cypher)[0] == "counts_by_label"
    assert "Tag" in REPLICATED_LABELS and "RESPONSIBLE_FOR" in REPLICATED_TYPES
    assert "HAS_TAG" not in REPLICATED_TYPES


def _bench_statements() -> dict[str, str]:
    path = Path(__file__).resolve().parents[2] / "bench" / "shard_router.py"
    sys.path.insert(0, str(path.parent))
    spec = importlib.util.spec_from_file_location("shard_router_bench", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return {"bench RESIDENTS": module.RESIDENTS, "bench COMMON_TAGS": module.COMMON_TAGS}


def test_ad_hoc_statements_pass_neo4j_front_end():
    from graph.cypher_lint import lint_queries

    statements = {**AD_HOC, **_bench_statements()}
    results = lint_queries(statements)
    assert set(results) == set(statements)
    assert {name: r.errors for name, r in results.items() if r.errors} == {}
