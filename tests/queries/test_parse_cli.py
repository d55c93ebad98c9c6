"""``minqing parse``: human and JSON output, places from the graph, bad input without a traceback."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from graph.cli import main

EXAMPLE = ("a room for 40 people near Fenxi Road on Saturday afternoon for a diabetes talk, two "
           "volunteers who know first aid, and invite the diabetic seniors of Lane 261")


@pytest.fixture
def run(settings, small_graph):
    env = {f"MINQING_{k.upper()}": str(v) for k, v in settings.items()}
    env["MINQING_GRAPH_DATABASE"] = small_graph.database

    def invoke(*args, input=None):
        return CliRunner().invoke(main, list(args), env=env, input=input)

    return invoke


def test_json_output_reads_places_from_the_graph(run):
    result = run("parse", "--today", "2025-06-25", "--json", EXAMPLE)
    assert result.exit_code == 0, result.output
    demand = json.loads(result.output)
    assert demand["head_count"] == 40 and demand["volunteers_wanted"] == 2
    assert demand["window"]["start"] == "2025-06-28T13:00"
    # Lane 261 is in the fixture graph: building B01 on 临汾路.
    assert demand["participants"]["location"]["ids"] == ["B01"]
    assert demand["participants"]["location"]["name"] == "临汾路261弄"
    assert {s["field"] for s in demand["spans"]} >= {"head_count", "window", "location", "skills"}


def test_human_output(run):
    result = run("parse", "--today", "2025-06-25", "周六下午在汾西路附近找一间能坐40人的活动室，邀请独居老人")
    assert result.exit_code == 0, result.output
    assert "Sat 2025-06-28 13:00 – Sat 2025-06-28 17:00" in result.output
    assert "road 汾西路" in result.output and "head count: 40" in result.output
    assert "invite: lone_elderly" in result.output


def test_no_graph_needs_no_database():
    result = CliRunner().invoke(main, ["parse", "--no-graph", "--today", "2025-06-25",
                                       "a room for 0 people near Linfen Road on 2024-01-01"])
    assert result.exit_code == 0, result.output
    assert "road 临汾路" in result.output
    assert "0 people cannot be met" in result.output and "in the past" in result.output


@pytest.mark.parametrize("text", ["", "MATCH (n) DETACH DELETE n", "😀" * 50, "x" * 5000])
def test_bad_input_gives_a_message_not_a_traceback(text):
    result = CliRunner().invoke(main, ["parse", "--no-graph", text])
    assert result.exit_code == 0 and result.exception is None
    assert "warning:" in result.output


def test_reads_standard_input():
    result = CliRunner().invoke(main, ["parse", "--no-graph", "--json", "-"],
                                input="两名会急救的志愿者")
    assert json.loads(result.output)["volunteers_wanted"] == 2


def test_bad_today_names_the_option():
    result = CliRunner().invoke(main, ["parse", "--no-graph", "--today", "Saturday", "a room"])
    assert result.exit_code == 2 and "--today" in result.output
