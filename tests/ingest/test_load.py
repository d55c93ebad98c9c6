"""The batched writer: batches are cut without copying the rows, payloads built per batch."""

from contextlib import contextmanager

import pytest

from graph.dump import canonical_dump
from graph.errors import IngestError
from graph.settings import Settings
from ingest.load import (group_by_start, load_nodes, load_relationships,
                         relationship_batches, relationship_payload)


def test_groups_keep_the_first_appearance_order_and_the_callers_tuples():
    rows = [("R2", "T1"), ("R1", "T1"), ("R2", "T2", {"since": 1})]
    groups = group_by_start(rows)
    assert [start for start, _ in groups] == ["R2", "R1"]
    assert groups[0][1][1] is rows[2]
    assert relationship_payload(groups[:1]) == [
        {"start": "R2", "ends": [{"end": "T1", "props": {}}, {"end": "T2", "props": {"since": 1}}]}]


def test_batches_hold_about_size_relationships_and_never_split_a_start():
    rows = [(f"R{n}", f"T{k}") for n in range(10) for k in range(n % 3 + 1)]  # 19 rows
    batches = relationship_batches(group_by_start(rows), 4)
    assert [sum(len(g) for _, g in batch) for batch in batches] == [6, 6, 6, 1]
    starts = [start for batch in batches for start, _ in batch]
    assert starts == [f"R{n}" for n in range(10)]


@contextmanager
def batch_size(graph, size):
    """The graph writes ``size`` rows per batch inside the block."""
    before = graph.settings
    graph.settings = Settings(dict(before) | {"write_batch_size": size})
    try:
        yield
    finally:
        graph.settings = before


def test_a_node_without_its_key_stops_the_load_before_any_write(empty_graph):
    rows = [{"building_id": "B1"}, {"building_id": "B2"}, {"floors": 3}]
    with batch_size(empty_graph, 1), pytest.raises(IngestError,
                                                   match="Building row 3 has no building_id"):
        load_nodes(empty_graph, "Building", rows)
    assert canonical_dump(empty_graph).nodes.get("Building", 0) == 0


def test_small_batches_from_iterators_load_every_row(empty_graph):
    buildings = [{"building_id": f"B{n}", "floors": n} for n in range(7)]
    residents = [{"resident_id": f"R{n}", "name": f"N{n}"} for n in range(12)]
    lives_in = [(f"R{n}", f"B{n % 7}") for n in range(12)]
    with batch_size(empty_graph, 3):
        assert load_nodes(empty_graph, "Building", iter(buildings)) == 7
        assert load_nodes(empty_graph, "Resident", residents) == 12
        assert load_relationships(empty_graph, "LIVES_IN", iter(lives_in)) == 12
    dump = canonical_dump(empty_graph)
    assert dump.nodes["Building"] == 7 and dump.relationships["LIVES_IN"] == 12
