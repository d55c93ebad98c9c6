"""Fixtures for the notice tests: the fixture graph plus officials with roles, a third area
nobody is responsible for, and dated events; a private workflow store."""

from __future__ import annotations

import pytest

from ingest.fixture_graph import load_fixture_graph
from ingest.load import load_nodes, load_relationships
from queries.store import connect

# O3 is A01's social worker; O1 (A01) and O2 (A02) carry no role, as in the fixture graph.
# Area A03 has a building and a resident (R13) but no official.
EVENTS = [
    {"event_id": "t:si-r01", "kind": "serious_illness_visit", "date": "2025-06-20",
     "source": "test", "serious_illness_category": "cancer", "hospital": "华山医院"},
    {"event_id": "t:dc-r10", "kind": "application", "date": "2025-06-21", "source": "test",
     "matter": "disability_card", "status": "accepted"},
    {"event_id": "t:meal-r10", "kind": "application", "date": "2025-06-21", "source": "test",
     "matter": "meal_service", "status": "done"},
    {"event_id": "t:ltc-r01", "kind": "ltc_assessment", "date": "2025-06-22", "source": "test",
     "ltc_level": 5, "care_mode": "home"},
    {"event_id": "t:ltc-r02", "kind": "ltc_assessment", "date": "2025-06-22", "source": "test",
     "ltc_level": 5, "care_mode": "home"},
    {"event_id": "t:dibao-r13", "kind": "application", "date": "2025-06-23", "source": "test",
     "matter": "dibao", "status": "accepted"},
    {"event_id": "t:old-dibao-r11", "kind": "application", "date": "2024-01-05",
     "source": "test", "matter": "dibao", "status": "done"},
]
HAD_EVENT = [("R01", "t:si-r01"), ("R10", "t:dc-r10"), ("R10", "t:meal-r10"),
             ("R01", "t:ltc-r01"), ("R02", "t:ltc-r02"), ("R13", "t:dibao-r13"),
             ("R11", "t:old-dibao-r11")]


def add_notice_world(graph) -> None:
    """Add the officials, the third area and the events above to a fixture graph."""
    load_nodes(graph, "Official", [{"official_id": "O3", "name": "Qian Hong",
                                    "phone": "13800000003", "role": "social_worker"}])
    load_relationships(graph, "RESPONSIBLE_FOR", [("O3", "A01")])
    load_nodes(graph, "ResidentialArea", [{"area_id": "A03", "name": "Pengpu New Village"}])
    load_nodes(graph, "Building", [{"building_id": "B04", "address": "平型关路1弄1号",
                                    "area_id": "A03"}])
    load_relationships(graph, "IN_AREA", [("B04", "A03")])
    load_nodes(graph, "Resident", [{"resident_id": "R13", "name": "Gao Yan", "sex": "F",
                                    "birth_date": "1950-01-01", "phone": "13900000013"}])
    load_relationships(graph, "LIVES_IN", [("R13", "B04")])
    load_nodes(graph, "Event", EVENTS)
    load_relationships(graph, "HAD_EVENT", HAD_EVENT)


@pytest.fixture
def notice_graph(empty_graph):
    """A writable fixture graph with roles, a third area and dated events."""
    load_fixture_graph(empty_graph)
    add_notice_world(empty_graph)
    return empty_graph


@pytest.fixture
def store(tmp_path):
    """A private, empty workflow store."""
    conn = connect(tmp_path / "workflow.sqlite3")
    yield conn
    conn.close()
