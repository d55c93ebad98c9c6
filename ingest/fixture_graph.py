"""The small fixture graph: a dozen residents and their surroundings, for tests and first runs.

::

    Official O1 ─RESPONSIBLE_FOR→ Area A01 "Linfen Garden" ←IN_AREA─ Building B01 (6 fl., no lift)
                                                     ↖IN_AREA─ Building B02 (18 fl., lift)
    Official O2 ─RESPONSIBLE_FOR→ Area A02 "Fenxi Estate"  ←IN_AREA─ Building B03 (5 fl., no lift)

    B01: households H01 (R01 lone senior 82, woman), H02 (R02, R03 couple 71/69; R04 son 45)
    B02: households H03 (R05 62 retired woman, R06 64), H04 (R07 35, R08 33, R09 child 4)
    B03: households H05 (R10 90 disabled), H06 (R11 58 woman, R12 30 registered elsewhere,
         lives in B02)

    Organization G01 (party-building unit) ─OWNS→ Venue V01 (40 seats, A01)
    Resident R04 ─IS_VOLUNTEER→ Volunteer L01 (first aid)
    Program P01 free dual-disease screening for women 50–74; R05 BOOKED it.
    Screenings: R02 elderly check-up 2025-03-01, R03 2023-05-10. R10 applied for meals.
    Tags: lone_elderly (R01), disabled (R10), retired_woman_50_74 (R05, R11).
"""

from __future__ import annotations

from ingest.load import load_nodes, load_relationships

AREAS = [
    {"area_id": "A01", "name": "Linfen Garden", "committee": "Linfen Garden Neighbourhood Committee",
     "office_phone": "021-56780001"},
    {"area_id": "A02", "name": "Fenxi Estate", "committee": "Fenxi Neighbourhood Committee",
     "office_phone": "021-56780002"},
]
OFFICIALS = [
    {"official_id": "O1", "name": "Wang Li", "phone": "13800000001"},
    {"official_id": "O2", "name": "Chen Jie", "phone": "13800000002"},
]
BUILDINGS = [
    {"building_id": "B01", "address": "临汾路261弄12号", "area_id": "A01", "floors": 6,
     "build_year": 1987, "elevator_as_built": False, "lat": 31.2712, "lon": 121.4531},
    {"building_id": "B02", "address": "临汾路375弄3号", "area_id": "A01", "floors": 18,
     "build_year": 2006, "elevator_as_built": True, "lat": 31.2725, "lon": 121.4550},
    {"building_id": "B03", "address": "汾西路88弄5号", "area_id": "A02", "floors": 5,
     "build_year": 1992, "elevator_as_built": False, "lat": 31.2690, "lon": 121.4490},
]
HOUSEHOLDS = [
    {"household_id": "H01", "building_id": "B01"}, {"household_id": "H02", "building_id": "B01"},
    {"household_id": "H03", "building_id": "B02"}, {"household_id": "H04", "building_id": "B02"},
    {"household_id": "H05", "building_id": "B03"}, {"household_id": "H06", "building_id": "B03"},
]
# (id, name, sex, birth date, household, lives in, registered at, floor)
_PEOPLE = [
    ("R01", "Li Xiuying", "F", "1944-03-02", "H01", "B01", "B01", 5),
    ("R02", "Zhang Wei", "M", "1955-07-19", "H02", "B01", "B01", 4),
    ("R03", "Liu Fang", "F", "1957-01-30", "H02", "B01", "B01", 4),
    ("R04", "Zhang Qiang", "M", "1981-05-11", "H02", "B01", "B01", 4),
    ("R05", "Zhao Min", "F", "1964-09-23", "H03", "B02", "B02", 9),
    ("R06", "Sun Jun", "M", "1962-02-14", "H03", "B02", "B02", 9),
    ("R07", "Zhou Tao", "M", "1991-12-01", "H04", "B02", "B02", 12),
    ("R08", "Wu Na", "F", "1993-04-07", "H04", "B02", "B02", 12),
    ("R09", "Zhou Xiaoyu", "F", "2022-06-18", "H04", "B02", "B02", 12),
    ("R10", "Xu Guoqiang", "M", "1936-08-08", "H05", "B03", "B03", 3),
    ("R11", "Ma Lan", "F", "1968-10-10", "H06", "B03", "B03", 2),
    ("R12", "Hu Bin", "M", "1996-03-15", "H06", "B02", "B03", 7),
]
_FACTS = {
    "R02": {"last_screening_elderly_checkup": "2025-03-01"},
    "R03": {"last_screening_elderly_checkup": "2023-05-10"},
    "R10": {"applications": ["meal_service"]},
    "R12": {"registered_building_id": "B03"},
}
RESIDENTS = [
    {"resident_id": rid, "name": name, "sex": sex, "birth_date": born, "floor": floor,
     "phone": f"1390000{index:04d}", "building_id": lives, **_FACTS.get(rid, {})}
    for index, (rid, name, sex, born, _h, lives, _r, floor) in enumerate(_PEOPLE, start=1)
]
TAGS = [
    {"tag_id": "lone_elderly", "description": "Aged 60+ and living alone."},
    {"tag_id": "disabled", "description": "Holds a disability certificate."},
    {"tag_id": "retired_woman_50_74", "description": "Woman aged 50–74, retired."},
]
ORGANIZATIONS = [
    {"org_id": "G01", "name": "Linfen Road Party-Building Service Centre", "kind": "party_unit",
     "search_text": "party-building unit offering meeting rooms and volunteers"},
]
VENUES = [
    {"venue_id": "V01", "name": "Linfen Garden Activity Room", "capacity": 40,
     "venue_type": "activity_room", "opening_hours": "Mon-Sun 08:00-20:00",
     "equipment": ["projector", "tables_chairs"], "lat": 31.2715, "lon": 121.4535,
     "search_text": "activity room for 40 people with projector, Linfen Garden"},
]
VOLUNTEERS = [
    {"volunteer_id": "L01", "skills": ["first_aid"], "hours_served": 120,
     "availability": ["周六上午", "周六下午"],
     "search_text": "volunteer trained in first aid, weekends"},
]
PROGRAMS = [
    {"program_id": "P01", "name": "Free dual-disease screening for women 50-74",
     "search_text": "free breast and cervical cancer screening for retired women"},
]


def load_fixture_graph(graph) -> dict[str, int]:
    """Write the fixture graph through the ingest writer; return rows written per label."""
    written = {
        "ResidentialArea": load_nodes(graph, "ResidentialArea", AREAS),
        "Official": load_nodes(graph, "Official", OFFICIALS),
        "Building": load_nodes(graph, "Building", BUILDINGS),
        "Household": load_nodes(graph, "Household", HOUSEHOLDS),
        "Resident": load_nodes(graph, "Resident", RESIDENTS),
        "Tag": load_nodes(graph, "Tag", TAGS),
        "Organization": load_nodes(graph, "Organization", ORGANIZATIONS),
        "Venue": load_nodes(graph, "Venue", VENUES),
        "Volunteer": load_nodes(graph, "Volunteer", VOLUNTEERS),
        "Program": load_nodes(graph, "Program", PROGRAMS),
    }
    load_relationships(graph, "RESPONSIBLE_FOR", [("O1", "A01"), ("O2", "A02")])
    load_relationships(graph, "IN_AREA", [(b["building_id"], b["area_id"]) for b in BUILDINGS])
    load_relationships(graph, "HOUSEHOLD_AT",
                       [(h["household_id"], h["building_id"]) for h in HOUSEHOLDS])
    load_relationships(graph, "MEMBER_OF", [(p[0], p[4]) for p in _PEOPLE])
    load_relationships(graph, "LIVES_IN", [(p[0], p[5]) for p in _PEOPLE])
    load_relationships(graph, "REGISTERED_AT", [(p[0], p[6]) for p in _PEOPLE])
    load_relationships(graph, "HAS_TAG", [("R01", "lone_elderly"), ("R10", "disabled"),
                                          ("R05", "retired_woman_50_74"),
                                          ("R11", "retired_woman_50_74")])
    load_relationships(graph, "IS_VOLUNTEER", [("R04", "L01")])
    load_relationships(graph, "OWNS", [("G01", "V01")])
    load_relationships(graph, "LOCATED_IN", [("V01", "A01")])
    load_relationships(graph, "BOOKED", [("R05", "P01", {"booked_on": "2026-03-01"})])
    return written
