"""Named queries: header parsing, parameter binding, and every file runs on the fixture graph."""

import pytest

from graph.errors import NotFound, QueryError
from queries.registry import get_query, load_queries, parse_query_file, run_query


def test_header_is_parsed(tmp_path):
    path = tmp_path / "oldest_residents.cypher"
    path.write_text(
        "// title: Oldest residents\n"
        "// description: The oldest people first.\n"
        "// param: limit int=10  How many.\n"
        "// param: area_id string  The area.\n"
        "MATCH (r:Resident) RETURN r ORDER BY r.birth_date LIMIT $limit\n")
    query = parse_query_file(path)
    assert query.name == "oldest_residents"
    assert query.title == "Oldest residents"
    assert [(p.name, p.type, p.default) for p in query.params] == [
        ("limit", "int", 10), ("area_id", "string", None)]
    assert query.cypher.startswith("MATCH (r:Resident)")


def test_bind_converts_and_checks():
    query = get_query("area_neighbourhood")
    assert query.bind({"area_id": "A01", "limit": "3"}) == {"area_id": "A01", "limit": 3}
    assert query.bind({"area_id": "A01"})["limit"] == 500
    with pytest.raises(QueryError, match="needs parameter area_id"):
        query.bind({})
    with pytest.raises(QueryError, match="has no parameter colour"):
        query.bind({"area_id": "A01", "colour": "red"})
    with pytest.raises(QueryError, match="limit must be int"):
        query.bind({"area_id": "A01", "limit": "many"})


def test_malformed_header_names_file_and_line(tmp_path):
    path = tmp_path / "bad.cypher"
    path.write_text("// title: Bad\n// param: x  no type\nRETURN 1\n")
    with pytest.raises(QueryError, match="bad.cypher:2"):
        parse_query_file(path)


def test_unknown_query_lists_known_ones():
    with pytest.raises(NotFound, match="counts_by_label"):
        get_query("no_such_query")


# Parameters that make each named query return rows on the fixture graph.
FIXTURE_PARAMS = {
    "building_residents": {"building_id": "B01"},
    "area_neighbourhood": {"area_id": "A01"},
    "tagged_residents": {"tag_id": "retired_woman_50_74"},
}


@pytest.mark.parametrize("name", sorted(load_queries()))
def test_every_named_query_runs_on_the_fixture_graph(small_graph, name):
    query = get_query(name)
    result = run_query(small_graph, query, FIXTURE_PARAMS.get(name, {}))
    assert result.rows, f"{name} returned nothing on the fixture graph"


def test_building_residents_are_the_right_people(small_graph):
    rows = run_query(small_graph, get_query("building_residents"), {"building_id": "B01"}).rows
    assert [r["resident_id"] for r in rows] == ["R02", "R03", "R04", "R01"]


def test_area_neighbourhood_counts_two_hops(small_graph):
    rows = run_query(small_graph, get_query("area_neighbourhood"), {"area_id": "A01"}).rows
    assert {r["building_id"]: r["residents"] for r in rows} == {"B02": 6, "B01": 4}
