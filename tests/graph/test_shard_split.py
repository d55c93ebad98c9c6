"""The split of a district by residential area: areas balanced over shards, people placed
with their home, relationships across two shards cut and counted (pure planning, no graph).

The written shards are compared with the single database in tests/graph/test_router.py.
"""

import pytest

from graph.errors import QueryError
from graph.shard_split import assign_areas, plan_split


def test_areas_are_balanced_by_residents():
    sizes = {f"A{i:02d}": 100 + 37 * i for i in range(20)}
    placed = assign_areas(sizes, 3)
    assert set(placed) == set(sizes) and set(placed.values()) == {0, 1, 2}
    loads = [sum(sizes[a] for a, s in placed.items() if s == shard) for shard in range(3)]
    # Greedy largest-first is within one area of the ideal.
    assert max(loads) - min(loads) <= max(sizes.values())
    with pytest.raises(QueryError, match="at least 1"):
        assign_areas(sizes, 0)


def test_plan_places_people_with_their_home_and_cuts_what_spans_two_shards():
    def rel(a, b):
        return {"a": a, "b": b, "p": {}}

    nodes = {"ResidentialArea": [{"area_id": "A1"}, {"area_id": "A2"}],
             "Building": [{"building_id": "B1"}, {"building_id": "B2"}],
             "Resident": [{"resident_id": r} for r in ("R1", "R2", "R3")],
             "Tag": [{"tag_id": "lone_elderly"}], "Event": [{"event_id": "E1"}]}
    rels = {"IN_AREA": [rel("B1", "A1"), rel("B2", "A2")],
            "LIVES_IN": [rel("R1", "B1"), rel("R2", "B1"), rel("R3", "B2")],
            "REGISTERED_AT": [rel("R3", "B1")], "HAS_TAG": [rel("R3", "lone_elderly")],
            "HAD_EVENT": [rel("R3", "E1")]}
    plan = plan_split(nodes, rels, 2)
    assert plan.directory.areas == {"A1": 0, "A2": 1}  # A1 has two residents: placed first
    assert [sorted(r["resident_id"] for r in shard["Resident"]) for shard in plan.nodes] == \
        [["R1", "R2"], ["R3"]]
    assert all(shard["Tag"] == nodes["Tag"] for shard in plan.nodes)  # replicated
    assert plan.nodes[1]["Event"] == [{"event_id": "E1"}] and "Event" not in plan.nodes[0]
    assert plan.relationships[1]["HAS_TAG"] == [("R3", "lone_elderly", {})]
    assert plan.cut == {"REGISTERED_AT": 1}  # R3 lives in A2, registered in A1
    assert "REGISTERED_AT" not in plan.relationships[0] | plan.relationships[1]
