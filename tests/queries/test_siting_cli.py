"""``minqing sites coverage|locate|map`` and ``minqing site-select`` on the siting graph."""

import json

import pytest
from click.testing import CliRunner

from graph.cli import main
from tests.conftest import settings_env
from tests.models.siting.siting_graph import siting_graph  # noqa: F401

AS_OF = ["--as-of", "2025-06-30"]


@pytest.fixture(scope="module")
def sites(settings, siting_graph):  # noqa: F811
    env = {**settings_env(settings), "MINQING_GRAPH_DATABASE": siting_graph.database}

    def invoke(*args):
        return CliRunner().invoke(main, ["sites", *args], env=env, catch_exceptions=False)

    invoke.env = env
    return invoke


def test_coverage_table_and_json(sites):
    result = sites("coverage", "dining_hall", *AS_OF)
    assert result.exit_code == 0, result.output
    assert "dining_hall: 1 of 4 residents aged 80 and over within reach (25.0%)" in result.output
    assert "SP01" in result.output and "mostly duplicated" in result.output
    assert "Uncovered buildings: 2" in result.output
    doc = json.loads(sites("coverage", "dining_hall", *AS_OF, "--json").output)
    assert doc["share_covered"] == 0.25 and [b["building_id"] for b in doc["uncovered"]] == \
        ["B04", "B03"]


def test_locate_prints_writes_and_maps_a_proposal(sites, tmp_path):
    out, page = tmp_path / "proposal.json", tmp_path / "map.html"
    result = sites("locate", "dining_hall", "-p", "1", "--radius-m", "300", *AS_OF,
                   "--out", str(out), "--map", str(page))
    assert result.exit_code == 0, result.output
    assert "mclp for dining_hall (seniors_80_plus): optimal (proven by CBC)" in result.output
    assert "Coverage within 300 m: 25.0% → 75.0% of 4" in result.output
    assert "V91" in result.output
    doc = json.loads(out.read_text())
    assert doc["proven_optimal"] is True and doc["new_sites"][0]["site_id"] == "V91"
    assert doc["new_sites"][0]["assigned_demand"] == 2
    html = page.read_text()
    assert html.startswith("<!DOCTYPE html>") and "East vacant premises" in html


def test_site_select_is_the_same_command_and_reads_a_candidate_file(settings, sites, tmp_path):
    candidates = tmp_path / "candidates.csv"
    candidates.write_text("site_id,name,lat,lon,capacity\nF1,Next to B03,31.2690,121.4491,40\n")
    result = CliRunner().invoke(main, [
        "site-select", "dining_hall", "--model", "pmedian", "-p", "1", "--candidates",
        str(candidates), "--only-file-candidates", "--radius-m", "300", *AS_OF, "--json"],
        env=sites.env, catch_exceptions=False)
    assert result.exit_code == 0, result.output
    doc = json.loads(result.stdout)
    assert [s["site_id"] for s in doc["new_sites"]] == ["F1"] and doc["candidates"] == 1
    assert doc["mean_distance_after_m"] < doc["mean_distance_before_m"]


@pytest.mark.parametrize("args, message", [
    (["-p", "9"], "p=9 is larger than the 3 candidate sites"),
    (["--model", "lscp", "--radius-m", "5"], "radius of 5 m covers no demand building"),
    (["--model", "lscp", "--radius-m", "20", "--ignore-existing"],
     "Infeasible: 1 demand buildings lie farther than 20 m from every site (B01)"),
    (["--model", "cpmedian", "-p", "1"], "need every site's capacity"),
    (["--group", "tag:nobody", "-p", "1"], "No tag 'nobody'"),
])
def test_bad_input_is_one_clean_line(sites, args, message):
    result = sites("locate", "dining_hall", *AS_OF, *args)
    assert result.exit_code == 1
    assert message in result.output and "Traceback" not in result.output


def test_map_command_writes_standalone_html(sites, tmp_path):
    page = tmp_path / "kg.html"
    result = sites("map", "kindergarten", "--out", str(page), *AS_OF)
    assert result.exit_code == 0, result.output
    text = page.read_text()
    assert "Garden Kindergarten" in text
    # No CDN: Leaflet & co. load from the folder written beside the file.
    assert '<script src="minqing-map-assets/leaflet/leaflet.js">' in text and "cdn" not in text
    assert (tmp_path / "minqing-map-assets" / "leaflet" / "leaflet.js").is_file()
    assert (tmp_path / "minqing-map-assets" / "leaflet" / "LICENSE").is_file()
