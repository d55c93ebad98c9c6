"""The schema applies idempotently and its indexes work through the Neo4j procedures."""

import pytest

from graph import schema
from graph.errors import QueryError
from graph.schema import SchemaError, init_schema
from ingest.load import load_nodes


def test_init_twice_and_indexes_exist(empty_graph):
    init_schema(empty_graph)  # the fixture already ran it once
    names = {row["name"] for row in empty_graph.read("SHOW INDEXES YIELD name RETURN name")}
    for label_name in schema.searchable_labels():
        assert schema.fulltext_index_name(label_name) in names
        assert schema.vector_index_name(label_name) in names


def test_unique_key_is_enforced(empty_graph):
    empty_graph.write("CREATE (:Building {building_id: 'B1'})")
    with pytest.raises(QueryError):
        empty_graph.write("CREATE (:Building {building_id: 'B1'})")


def test_fulltext_and_vector_indexes_answer(empty_graph):
    dims = schema.EMBEDDING_DIMENSIONS
    load_nodes(empty_graph, "Venue", [
        {"venue_id": "V1", "search_text": "meeting room with projector",
         "embedding": [1.0] + [0.0] * (dims - 1)},
        {"venue_id": "V2", "search_text": "dance hall for seniors",
         "embedding": [0.0, 1.0] + [0.0] * (dims - 2)},
    ])
    text_hits = empty_graph.read(
        "CALL db.index.fulltext.queryNodes($index, $q) YIELD node, score "
        "RETURN node.venue_id AS id", {"index": schema.fulltext_index_name("Venue"),
                                       "q": "projector"}).rows
    assert [hit["id"] for hit in text_hits] == ["V1"]
    vector_hits = empty_graph.read(
        "CALL db.index.vector.queryNodes($index, 2, $v) YIELD node, score "
        "RETURN node.venue_id AS id, score ORDER BY score DESC",
        {"index": schema.vector_index_name("Venue"),
         "v": [0.1, 0.9] + [0.0] * (dims - 2)}).rows
    assert [hit["id"] for hit in vector_hits] == ["V2", "V1"]


def test_identifiers_only_from_the_schema():
    assert schema.key_of("Resident") == "resident_id"
    with pytest.raises(SchemaError, match="Unknown node label"):
        schema.label("Resident) DETACH DELETE (n")
    with pytest.raises(SchemaError):
        schema.rel_type("LIVES_IN]->() DELETE r //")


def test_ddl_covers_every_label_on_both_engines():
    arcadedb = "\n".join(schema.arcadedb_ddl())
    neo4j = "\n".join(schema.neo4j_ddl())
    for lab in schema.NODE_LABELS:
        assert f"ON {lab.name} ({lab.key}) UNIQUE" in arcadedb
        assert f"FOR (n:{lab.name}) REQUIRE n.{lab.key} IS UNIQUE" in neo4j
