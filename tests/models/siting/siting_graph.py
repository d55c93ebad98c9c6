"""The fixture graph plus service points, available venues and a far building, for siting tests.

::

    B01 ●SP01 dining hall (300 m, 20 places)  ●SP02 dining hall (300 m, 10) near B02
        (R01, 81)                               ●SP03 kindergarten (500 m, 30) at B02 (R09, 3)
    B03 (R10, 88)  ◆V90 available, at B03            ≈460 m south-west of B01
    B04 (R90, R91, both 85)  ◆V91 available, at B04   ≈1.1 km east of B01
    ◆V92 available, ≈1.5 km north-west, near nobody

Seniors 80+ on AS_OF: B01 1, B03 1, B04 2 (B02 none). The dining halls reach B01 and B02 only.
"""

import datetime as dt
import itertools
import os

import pytest

from ingest.fixture_graph import load_fixture_graph
from ingest.load import load_nodes, load_relationships

AS_OF = dt.date(2025, 6, 30)

SERVICE_POINTS = [
    {"point_id": "SP01", "type": "dining_hall", "name": "Linfen Dining Hall",
     "address": "临汾路261弄", "capacity": 20, "service_radius_m": 300,
     "lat": 31.2713, "lon": 121.4532},
    {"point_id": "SP02", "type": "dining_hall", "name": "Garden Dining Hall",
     "address": "临汾路375弄", "capacity": 10, "service_radius_m": 300,
     "lat": 31.2722, "lon": 121.4548},
    {"point_id": "SP03", "type": "kindergarten", "name": "Garden Kindergarten",
     "address": "临汾路375弄", "capacity": 30, "service_radius_m": 500,
     "lat": 31.2725, "lon": 121.4550},
]
VENUES = [
    {"venue_id": "V90", "name": "Fenxi vacant premises", "venue_type": "vacant_premises",
     "capacity": 0, "available_for_new_facility": True, "lat": 31.2691, "lon": 121.4491},
    {"venue_id": "V91", "name": "East vacant premises", "venue_type": "vacant_premises",
     "capacity": 0, "available_for_new_facility": True, "lat": 31.2712, "lon": 121.4648},
    {"venue_id": "V92", "name": "North-west vacant premises", "venue_type": "vacant_premises",
     "capacity": 0, "available_for_new_facility": True, "lat": 31.2800, "lon": 121.4400},
]
EXTRA_BUILDINGS = [{"building_id": "B04", "address": "临汾路900弄1号", "floors": 6,
                    "lat": 31.2712, "lon": 121.4650}]
EXTRA_RESIDENTS = [
    {"resident_id": "R90", "name": "Gao Lan", "sex": "F", "birth_date": "1940-01-05",
     "floor": 2, "building_id": "B04"},
    {"resident_id": "R91", "name": "Gao Ming", "sex": "M", "birth_date": "1939-11-20",
     "floor": 2, "building_id": "B04"},
]


def load_siting_graph(graph) -> None:
    """Load the fixture graph and the siting extras drawn above."""
    load_fixture_graph(graph)
    load_nodes(graph, "Building", EXTRA_BUILDINGS)
    load_nodes(graph, "Resident", EXTRA_RESIDENTS)
    load_relationships(graph, "IN_AREA", [("B04", "A02")])
    load_relationships(graph, "LIVES_IN", [("R90", "B04"), ("R91", "B04")])
    load_nodes(graph, "ServicePoint", SERVICE_POINTS)
    load_nodes(graph, "Venue", VENUES)
    load_relationships(graph, "SERVES", [("SP01", "A01"), ("SP02", "A01"), ("SP03", "A01")])


_numbers = itertools.count(1)


@pytest.fixture(scope="module")
def siting_graph(settings, server):
    """A database holding the graph above, once per test module; read it, don't change it."""
    from tests.conftest import NEO4J_URI, _neo4j_state, _open_database

    if NEO4J_URI:
        _neo4j_state["dirty"] = True
    graph = _open_database(settings, server, f"siting{os.getpid()}x{next(_numbers)}")
    load_siting_graph(graph)
    yield graph
    graph.close()
