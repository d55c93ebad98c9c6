"""Resident and building profiles and the neighbourhood graph on the fixture graph."""

import pytest

from graph.errors import NotFound
from queries import profiles


def test_resident_profile_has_household_building_and_tags(small_graph):
    profile = profiles.resident_profile(small_graph, "R02")
    assert profile["resident"]["name"] == "Zhang Wei"
    assert profile["building"]["building_id"] == "B01"
    assert profile["area"] == {"area_id": "A01", "name": "Linfen Garden"}
    assert profile["household_id"] == "H02"
    assert sorted(m["resident_id"] for m in profile["household"]) == ["R03", "R04"]


def test_resident_tags_and_programs(small_graph):
    profile = profiles.resident_profile(small_graph, "R05")
    assert [t["tag_id"] for t in profile["tags"]] == ["retired_woman_50_74"]
    assert [p["program_id"] for p in profile["programs"]] == ["P01"]


def test_unknown_resident_and_building(small_graph):
    with pytest.raises(NotFound, match="R99"):
        profiles.resident_profile(small_graph, "R99")
    with pytest.raises(NotFound, match="B99"):
        profiles.building_profile(small_graph, "B99")


def test_building_profile(small_graph):
    profile = profiles.building_profile(small_graph, "B02")
    assert profile["elevator"] == "as built"
    assert profile["area"]["name"] == "Linfen Garden"
    assert profile["area"]["officials"] == ["Wang Li"]
    # R12 is registered at B03 but lives in B02: listed where they live.
    assert sorted(r["resident_id"] for r in profile["residents"]) == [
        "R05", "R06", "R07", "R08", "R09", "R12"]


def test_neighbourhood_of_a_resident_reaches_two_hops(small_graph):
    shown = profiles.neighbourhood(small_graph, "Resident", "R04")
    ids = {n["id"]: n["hop"] for n in shown["nodes"]}
    assert ids["Resident:R04"] == 0
    assert ids["Household:H02"] == 1 and ids["Volunteer:L01"] == 1 and ids["Building:B01"] == 1
    assert ids["Resident:R02"] == 2  # through the household (buildings are not expanded)
    assert {"source": "Resident:R04", "target": "Household:H02", "type": "MEMBER_OF"} \
        in shown["edges"]
    assert all(e["source"] in ids and e["target"] in ids for e in shown["edges"])


def test_neighbourhood_limit_is_respected(small_graph):
    shown = profiles.neighbourhood(small_graph, "Building", "B02", limit=3)
    assert shown["truncated"] is True
    assert sum(1 for n in shown["nodes"] if n["hop"] == 1) <= 3
    # Non-residents first: the area is among the three.
    assert any(n["id"] == "ResidentialArea:A01" for n in shown["nodes"])
