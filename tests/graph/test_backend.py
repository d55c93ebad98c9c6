"""The Graph backend against a real server: reads, writes, batches, limits and errors."""

import pytest

from graph.errors import GraphUnavailable, QueryError
from graph.backend import connect


def test_read_returns_plain_rows_in_column_order(small_graph):
    result = small_graph.read(
        "MATCH (r:Resident {resident_id: $id}) RETURN r.name AS name, r.sex AS sex",
        {"id": "R01"})
    assert result.columns == ["name", "sex"]
    assert result.rows == [{"name": "Li Xiuying", "sex": "F"}]
    assert result.single_value.__self__ is result


def test_nodes_and_paths_become_plain_dicts(small_graph):
    row = small_graph.read(
        "MATCH p = (r:Resident {resident_id: 'R01'})-[:LIVES_IN]->(b:Building) "
        "RETURN r, p").first()
    assert row["r"]["_labels"] == ["Resident"]
    assert row["r"]["resident_id"] == "R01"
    assert [n["_labels"][0] for n in row["p"]["nodes"]] == ["Resident", "Building"]
    assert row["p"]["relationships"][0]["_type"] == "LIVES_IN"


def test_max_rows_cuts_and_flags(small_graph):
    result = small_graph.read("MATCH (r:Resident) RETURN r.resident_id AS id ORDER BY id",
                              max_rows=5)
    assert len(result) == 5 and result.truncated
    whole = small_graph.read("MATCH (r:Resident) RETURN r.resident_id AS id", max_rows=100)
    assert len(whole) == 12 and not whole.truncated


def test_write_batch_sends_every_row_once(empty_graph):
    rows = [{"key": f"B{i:03d}", "props": {"floors": i % 7 + 1}} for i in range(1234)]
    sent = empty_graph.write_batch(
        "UNWIND $rows AS row MERGE (b:Building {building_id: row.key}) SET b += row.props",
        rows, batch_size=500)
    assert sent == 1234
    assert empty_graph.read("MATCH (b:Building) RETURN count(b) AS n").single_value() == 1234


def test_syntax_error_becomes_query_error(small_graph):
    with pytest.raises(QueryError):
        small_graph.read("MATCH (n RETURN n")


def test_unreachable_neo4j_names_the_setting(settings):
    broken = settings.replace(graph_uri="bolt://127.0.0.1:1", graph_password="x")
    with pytest.raises(GraphUnavailable, match="graph_uri"):
        connect(broken)


def test_malformed_uri_names_the_setting(settings):
    with pytest.raises(GraphUnavailable, match="MINQING_GRAPH_URI"):
        connect(settings.replace(graph_uri="http//nonsense"))
