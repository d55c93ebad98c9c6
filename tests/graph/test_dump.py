"""The canonical dump tells equal graphs from different ones."""

from graph.dump import canonical_dump
from ingest.fixture_graph import load_fixture_graph
from ingest.load import load_nodes
from tests.conftest import needs_two_databases

pytestmark = needs_two_databases


def test_reloading_the_fixture_changes_nothing(small_graph, empty_graph):
    load_fixture_graph(empty_graph)
    first = canonical_dump(empty_graph)
    assert first == canonical_dump(small_graph)  # same content, different database
    load_fixture_graph(empty_graph)
    assert canonical_dump(empty_graph) == first
    assert first.nodes["Resident"] == 12 and first.relationships["LIVES_IN"] == 12


def test_a_changed_property_changes_the_hash(small_graph, empty_graph):
    load_fixture_graph(empty_graph)
    load_nodes(empty_graph, "Building", [{"building_id": "B01", "floors": 7}])
    changed = canonical_dump(empty_graph)
    original = canonical_dump(small_graph)
    assert changed.nodes == original.nodes
    assert changed.content_hash != original.content_hash
