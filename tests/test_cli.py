"""The ``minqing`` command, run in-process with click's CliRunner against the test server."""

import json

from click.testing import CliRunner

from graph.cli import main
from tests.conftest import settings_env


def test_query_as_json(run):
    result = run("query", "building_residents", "-p", "building_id=B03", "--json")
    assert result.exit_code == 0, result.output
    document = json.loads(result.output)
    assert document["columns"][:2] == ["resident_id", "name"]
    assert [row["resident_id"] for row in document["rows"]] == ["R11", "R10"]


def test_query_as_csv(run):
    result = run("query", "counts_by_label", "--csv")
    lines = result.output.splitlines()
    assert lines[0] == "label,nodes"
    assert "Resident,12" in lines


def test_missing_parameter_is_a_clean_error(run):
    result = run("query", "building_residents")
    assert result.exit_code == 1
    assert "needs parameter building_id" in result.output
    assert "Traceback" not in result.output


def test_bad_parameter_syntax(run):
    result = run("query", "building_residents", "-p", "B01")
    assert result.exit_code == 2
    assert "is not KEY=VALUE" in result.output


def test_db_status_reports_counts(run):
    result = run("db", "status", "--json")
    status = json.loads(result.output)
    assert status["running"] is True
    assert {"label": "Resident", "nodes": 12} in status["counts"]


def test_queries_lists_parameters(run):
    result = run("queries")
    assert "building_residents  (building_id:string)" in result.output


def test_unreachable_neo4j_is_one_clear_line(settings):
    env = {"MINQING_GRAPH_URI": "bolt://127.0.0.1:1", "MINQING_GRAPH_PASSWORD": "x",
           "MINQING_CONFIG_FILE": settings.config_file}
    result = CliRunner().invoke(main, ["query", "counts_by_label"], env=env)
    assert result.exit_code == 1
    assert "graph_uri=bolt://127.0.0.1:1" in result.output
    assert "Traceback" not in result.output


def test_demo_builds_a_district_through_the_pipeline(settings, server):
    env = settings_env(settings)
    env["MINQING_GRAPH_DATABASE"] = "demo_cli"
    from graph import arcadedb_server

    if server is not None:
        arcadedb_server.server_command(server, "create database demo_cli")
    result = CliRunner().invoke(main, ["demo", "--residents", "300", "--no-serve"], env=env,
                                catch_exceptions=False)
    assert result.exit_code == 0, result.output
    assert "Demo district ready" in result.output
    status = json.loads(CliRunner().invoke(main, ["db", "status", "--json"], env=env).output)
    counts = {row["label"]: row["nodes"] for row in status["counts"]}
    assert counts["Resident"] >= 300 and counts["Building"] > 0 and counts["Tag"] > 100
