"""The emergency rescue list on the fixture graph, on real-ingest property names, and on the
83 k demo district checked against its ground truth."""

import csv
import datetime as dt
import math
from pathlib import Path

import pytest

from graph.cypher_lint import lint_queries
from graph.errors import NotFound, QueryError
from ingest.fixture_graph import load_fixture_graph
from ingest.load import load_nodes, load_relationships
from queries import audit
from queries.emergency import (CSV_COLUMNS, audit_export, cutoff, emergency_list,
                               normalise_skills, parse_point, to_csv_bytes)
from queries.registry import load_queries
from queries.store import connect as store_connect

AS_OF = dt.date(2026, 6, 1)


def haversine_m(lat1, lon1, lat2, lon2):
    """Independent check of the Cypher distance (spherical earth, mean radius)."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    a = math.sin((p2 - p1) / 2) ** 2 + math.cos(p1) * math.cos(p2) * \
        math.sin(math.radians(lon2 - lon1) / 2) ** 2
    return 2 * 6371008.8 * math.asin(math.sqrt(a))


def by_id(elist):
    return {r.resident_id: r for r in elist.residents}


# -- the fixture graph -----------------------------------------------------------------------


def test_building_lists_its_vulnerable_residents_with_reasons(small_graph):
    elist = emergency_list(small_graph, buildings=["B01"], as_of=AS_OF)
    assert [r.resident_id for r in elist.residents] == ["R01", "R02", "R03"]
    residents = by_id(elist)
    # R01: 82, alone, 5th floor of a walk-up; R02 (70) and R03 (69) on the 4th floor.
    assert residents["R01"].reasons == ["living_alone", "aged_80_plus",
                                        "upper_floor_no_elevator"]
    assert residents["R02"].reasons == residents["R03"].reasons == ["upper_floor_no_elevator"]
    assert residents["R01"].age == 82 and residents["R01"].floor == 5
    assert residents["R01"].address == "临汾路261弄12号"
    # R04 (45) lives on the same floor and is on the list only as household contact.
    assert [(m.resident_id, m.phone) for m in residents["R02"].household] == [
        ("R03", "13900000003"), ("R04", "13900000004")]
    assert residents["R01"].household == []


def test_lift_building_has_nobody_and_residents_count_where_they_live(small_graph):
    # R12 is registered in B03 but lives in B02, which has a lift and no vulnerable resident.
    assert emergency_list(small_graph, buildings=["B02"], as_of=AS_OF).residents == []
    elist = emergency_list(small_graph, buildings=["B03"], as_of=AS_OF)
    assert [(r.resident_id, r.reasons) for r in elist.residents] == [
        ("R10", ["disabled", "aged_80_plus"])]  # 3rd floor: not an upper floor
    assert elist.buildings[0].area == "Fenxi Estate"
    assert elist.residents[0].household == []  # R10 is alone in household H05


def test_as_of_moves_the_age_threshold(small_graph):
    # R01 was born 1944-03-02: 78 at the start of 2023, not yet 80.
    earlier = by_id(emergency_list(small_graph, buildings=["B01"], as_of=dt.date(2023, 1, 1)))
    assert "aged_80_plus" not in earlier["R01"].reasons
    assert cutoff(dt.date(2024, 3, 2), 80) == "1944-03-02"


def test_building_by_address_in_another_spelling(small_graph):
    for spelling in ("临汾路261弄12号", "临汾路 261 弄 12号楼", "Linfen Rd Lane 261 No.12"):
        elist = emergency_list(small_graph, buildings=[spelling], as_of=AS_OF)
        assert [b.building_id for b in elist.buildings] == ["B01"], spelling


def test_area_by_id_or_name(small_graph):
    for area in ("A01", "Linfen Garden"):
        elist = emergency_list(small_graph, area=area, as_of=AS_OF)
        assert sorted(b.building_id for b in elist.buildings) == ["B01", "B02"]
        assert {r.building_id for r in elist.residents} == {"B01"}
        assert elist.scope == {"kind": "area", "area": "Linfen Garden",
                               "label": "Linfen Garden"}


@pytest.mark.parametrize("radius_m, expected", [
    (100, ["B01"]), (300, ["B01", "B02"]), (600, ["B01", "B02", "B03"])])
def test_radius_takes_the_buildings_within_it(small_graph, radius_m, expected):
    elist = emergency_list(small_graph, near=(31.2712, 121.4531), radius_m=radius_m,
                           as_of=AS_OF)
    assert [b.building_id for b in elist.buildings] == expected  # nearest first
    for building in elist.buildings:
        assert building.distance_m == pytest.approx(
            haversine_m(31.2712, 121.4531, building.lat, building.lon), abs=0.5)
        assert building.distance_m <= radius_m


def test_volunteers_and_shelters_ranked_from_the_centroid(small_graph):
    elist = emergency_list(small_graph, buildings=["B01", "B03"], as_of=AS_OF)
    lat, lon = elist.centre
    assert (lat, lon) == pytest.approx(((31.2712 + 31.2690) / 2, (121.4531 + 121.4490) / 2))
    # L01 (R04, first aid) lives in B01.
    [volunteer] = elist.volunteers
    assert volunteer.volunteer_id == "L01" and volunteer.relevant_skills == ["first_aid"]
    assert volunteer.distance_m == pytest.approx(haversine_m(lat, lon, 31.2712, 121.4531),
                                                 abs=0.5)
    [shelter] = elist.shelters
    assert shelter.venue_id == "V01" and shelter.capacity == 40
    assert elist.shelter_capacity == 40 and elist.number_of_residents == 4
    # Nobody signs; the Chinese name of first aid finds the same volunteer.
    assert emergency_list(small_graph, buildings=["B01"], skills=["手语"]).volunteers == []
    assert [v.volunteer_id for v in emergency_list(small_graph, buildings=["B01"],
                                                   skills="急救").volunteers] == ["L01"]


def test_json_masks_phones_unless_told(small_graph):
    elist = emergency_list(small_graph, buildings=["B01"], as_of=AS_OF)
    masked = elist.to_json()
    assert masked["residents"][0]["phone"] == "139****0001"
    assert masked["residents"][1]["household"][0]["phone"] == "139****0003"
    assert masked["volunteers"][0]["phone"] == "139****0004"
    assert masked["reason_counts"]["upper_floor_no_elevator"] == 3
    assert elist.to_json(mask=False)["residents"][0]["phone"] == "13900000001"


def test_csv_has_a_bom_full_phones_and_one_row_per_resident(small_graph):
    elist = emergency_list(small_graph, buildings=["B01"], as_of=AS_OF)
    data = to_csv_bytes(elist)
    assert data.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(data.decode("utf-8-sig").splitlines()))
    assert tuple(rows[0]) == CSV_COLUMNS
    assert [row[-1] for row in rows[1:]] == ["R01", "R02", "R03"]
    assert rows[1][CSV_COLUMNS.index("电话")] == "13900000001"
    assert rows[1][CSV_COLUMNS.index("原因")] == "独居、80岁以上、高楼层无电梯"
    # R02's household: R03 and R04, full phones; the fixture records no relation.
    assert rows[2][CSV_COLUMNS.index("同户成员")] == \
        "Liu Fang(?) 13900000003；Zhang Qiang(?) 13900000004"


def test_export_is_audited(small_graph, settings, tmp_path):
    store_settings = settings.replace(data_dir=str(tmp_path))
    elist = emergency_list(small_graph, buildings=["B01"], as_of=AS_OF)
    audit_export(store_settings, "tester", "csv", elist)
    [row] = audit.recent(store_connect(store_settings))
    assert row["actor"] == "tester" and row["action"] == "emergency_list.csv"
    assert row["detail"]["residents"] == ["R01", "R02", "R03"]


# -- bad input -------------------------------------------------------------------------------


@pytest.mark.parametrize("kwargs, error, words", [
    ({"buildings": ["B99"]}, NotFound, "B99"),
    ({"buildings": ["临汾路999弄1号"]}, NotFound, "临汾路999弄1号"),
    ({"area": "Atlantis"}, NotFound, "Linfen Garden"),
    ({"near": "31.2712,121.4531", "radius_m": 0}, QueryError, "radius_m"),
    ({"near": "31.2712,121.4531", "radius_m": -50}, QueryError, "radius_m"),
    ({"near": "31.2712,121.4531", "radius_m": 2_000_000}, QueryError, "radius_m"),
    ({"near": "31.2712,121.4531", "radius_m": "far"}, QueryError, "radius_m"),
    ({"near": "31.2712,121.4531"}, QueryError, "radius_m"),
    ({"near": "somewhere", "radius_m": 100}, QueryError, "near"),
    ({"near": "121.4531,31.2712", "radius_m": 100}, QueryError, "lon,lat"),
    ({"near": "0,0", "radius_m": 100}, NotFound, "radius_m=100"),
    ({"buildings": ["B01"], "area": "A01"}, QueryError, "exactly one"),
    ({}, QueryError, "exactly one"),
    ({"area": "A01", "radius_m": 100}, QueryError, "radius_m goes with near"),
    ({"buildings": ["B01"], "skills": " , "}, QueryError, "skills"),
])
def test_bad_input_names_the_parameter(small_graph, kwargs, error, words):
    with pytest.raises(error, match=words):
        emergency_list(small_graph, **kwargs)


def test_point_parsing():
    assert parse_point("31.27，121.45") == (31.27, 121.45)
    assert parse_point(" 31.27 121.45 ") == (31.27, 121.45)
    assert normalise_skills(None)[0] == "first_aid"


# -- real-ingest property names --------------------------------------------------------------


def test_real_ingest_names_count(empty_graph):
    """The real ingest's elevator, disability, care and lone-elderly fields, not the fixture's."""
    load_fixture_graph(empty_graph)
    load_nodes(empty_graph, "Building", [
        {"building_id": "B08", "address": "汾西路90弄1号", "floors": 6, "lat": 31.2700,
         "lon": 121.4500, "elevator_as_built": False},
        {"building_id": "B09", "address": "汾西路90弄2号", "floors": 6, "lat": 31.2701,
         "lon": 121.4501, "elevator_as_built": False, "elevator_status": "installed"},
    ])
    load_nodes(empty_graph, "Resident", [
        # 70 on the 5th floor of a walk-up, and of a retrofitted building.
        {"resident_id": "S1", "name": "甲", "birth_date": "1956-01-01", "floor": 5,
         "phone": "13911110001", "register_kind": "lives_alone",
         "emergency_contact": "甲子", "emergency_phone": "13911119999"},
        {"resident_id": "S2", "name": "乙", "birth_date": "1956-01-01", "floor": 5},
        {"resident_id": "S3", "name": "丙", "birth_date": "1990-01-01", "floor": 2,
         "ltc_level": 5, "care_mode": "home"},
        {"resident_id": "S4", "name": "丁", "birth_date": "1990-01-01", "floor": 1,
         "disabled": True, "disability_grade": 2, "disability_type": "visual"},
        {"resident_id": "S5", "name": "戊", "birth_date": "1990-01-01", "floor": 6},
        {"resident_id": "S6", "name": "己", "birth_date": "1980-01-01", "floor": 1,
         "phone": "13911110006"},
    ])
    load_nodes(empty_graph, "Volunteer", [{"volunteer_id": "L09", "skills": ["sign_language"]}])
    load_nodes(empty_graph, "Venue", [{"venue_id": "V09", "name": "空置用房", "capacity": 0,
                                       "lat": 31.2700, "lon": 121.4500}])
    load_relationships(empty_graph, "LIVES_IN", [("S1", "B08"), ("S2", "B09"), ("S3", "B08"),
                                                 ("S4", "B08"), ("S5", "B08"), ("S6", "B09")])
    load_relationships(empty_graph, "IS_VOLUNTEER", [("S6", "L09")])

    elist = emergency_list(empty_graph, buildings=["B08", "B09"], skills=["手语"], as_of=AS_OF)
    assert {r.resident_id: r.reasons for r in elist.residents} == {
        "S1": ["living_alone", "upper_floor_no_elevator"],
        "S3": ["bedridden"],
        "S4": ["disabled"],
    }  # S2: the retrofit counts as a lift; S5 is 36 on the 6th floor
    s1 = by_id(elist)["S1"]
    assert (s1.emergency_contact, s1.emergency_phone) == ("甲子", "13911119999")
    assert by_id(elist)["S4"].disability_grade == 2
    assert [(v.volunteer_id, v.relevant_skills) for v in elist.volunteers] == [
        ("L09", ["sign_language"])]
    assert "V09" not in [s.venue_id for s in elist.shelters]  # capacity 0 shelters nobody


# -- the queries themselves ------------------------------------------------------------------


def test_emergency_queries_pass_the_neo4j_linter():
    queries = {name: q.cypher for name, q in load_queries().items()
               if name.startswith("emergency_")}
    assert len(queries) == 8
    results = lint_queries(queries)
    assert {n: [str(e) for e in r.errors + r.warnings] for n, r in results.items()
            if r.errors or r.warnings} == {}


# -- the CLI ---------------------------------------------------------------------------------


def test_cli_prints_masked_and_writes_audited_exports(run, tmp_path, settings):
    import json

    def emergency_audit_rows():
        return [row for row in audit.recent(store_connect(settings), limit=10_000)
                if row["action"].startswith("emergency_list.")]

    before = len(emergency_audit_rows())
    result = run("emergency", "--building", "B01", "--as-of", "2026-06-01", "--json")
    assert result.exit_code == 0, result.output
    document = json.loads(result.output)
    assert [r["resident_id"] for r in document["residents"]] == ["R01", "R02", "R03"]
    assert document["residents"][0]["phone"] == "139****0001"

    csv_file, html_file = tmp_path / "list.csv", tmp_path / "list.html"
    result = run("emergency", "--area", "A01", "--csv", str(csv_file), "--html", str(html_file))
    assert result.exit_code == 0, result.output
    assert csv_file.read_bytes().startswith(b"\xef\xbb\xbf")
    html = html_file.read_text(encoding="utf-8")
    assert "13900000001" in html and "@media print" in html
    assert oct(csv_file.stat().st_mode & 0o777) == "0o600"
    added = emergency_audit_rows()[:len(emergency_audit_rows()) - before]
    assert sorted(row["action"] for row in added) == ["emergency_list.csv",
                                                      "emergency_list.html"]
    assert all(row["actor"].startswith("cli:") and row["target"] == "Linfen Garden"
               for row in added)

    text = run("emergency", "--near", "31.2712,121.4531", "--radius-m", "100").output
    assert "139****0001" in text and "13900000001" not in text


@pytest.mark.parametrize("args, words", [
    (("--building", "B99"), "B99"), (("--near", "x", "--radius-m", "10"), "near"),
    (("--near", "31.27,121.45", "--radius-m", "0"), "radius_m"),
    (("--area", "A01", "--as-of", "yesterday"), "--as-of")])
def test_cli_errors_are_one_line(run, args, words):
    result = run("emergency", *args)
    assert result.exit_code == 1 and words in result.output
    assert "Traceback" not in result.output


# -- the 83 k demo district ------------------------------------------------------------------

DEMO_RAW = Path(__file__).resolve().parents[2] / "data" / "demo" / "raw" / "ground_truth"


def test_demo_area_matches_the_ground_truth(demo_graph):
    """Each reason's residents in an area are the ground truth's (ingest defects allowed)."""
    if not (DEMO_RAW / "persons.csv").is_file():
        pytest.skip("the demo district's ground truth is not in data/demo/raw")
    snapshot = dt.date(2025, 6, 30)  # the generator's snapshot date: ground-truth ages
    area_id = "310106012001"
    elist = emergency_list(demo_graph, area=area_id, as_of=snapshot)
    ids = {row["resident_id"]: row["id_number"] for row in demo_graph.read(
        "UNWIND $ids AS i MATCH (r:Resident {resident_id: i}) "
        "RETURN i AS resident_id, r.id_number AS id_number",
        {"ids": [r.resident_id for r in elist.residents]}).rows}
    with open(DEMO_RAW / "persons.csv", encoding="utf-8") as f:
        truth = [p for p in csv.DictReader(f) if p["area_code"] == area_id]
    expected = {
        "aged_80_plus": {p["id_number"] for p in truth if int(p["age"]) >= 80},
        "living_alone": {p["id_number"] for p in truth if p["lone_elderly"] == "1"},
        "disabled": {p["id_number"] for p in truth if p["disabled"] == "1"},
    }
    for reason, want in expected.items():
        got = {ids[r.resident_id] for r in elist.residents if reason in r.reasons}
        assert len(want) > 50
        assert len(got & want) / len(want) >= 0.97, reason  # recall
        assert len(got & want) / len(got) >= 0.97, reason  # precision
    assert {b.area for b in elist.buildings} == {"秀苑居委会"}


def test_demo_radius_is_a_circle(demo_graph):
    point = (31.2745, 121.4465)
    inner = emergency_list(demo_graph, near=point, radius_m=200)
    outer = emergency_list(demo_graph, near=point, radius_m=300)
    assert {b.building_id for b in inner.buildings} < {b.building_id for b in outer.buildings}
    assert all(b.distance_m <= 300 for b in outer.buildings)
    assert {r.resident_id for r in inner.residents} <= {r.resident_id for r in outer.residents}
    assert len(outer.volunteers) == 10 and len(outer.shelters) == 5
    assert [v.distance_m for v in outer.volunteers] == sorted(v.distance_m
                                                              for v in outer.volunteers)
    assert all(set(v.relevant_skills) <= set(outer.skills) for v in outer.volunteers)
    assert all(s.capacity > 0 for s in outer.shelters)
