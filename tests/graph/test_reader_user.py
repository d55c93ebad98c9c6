"""Layer 3 of the console on its own: the read-only database user, straight over Bolt.

No parser and no READ transaction here: statements go to the server in WRITE access mode
(auto-commit), so only the server's own security can refuse them.
"""

import json
import os
import stat
from pathlib import Path

import neo4j
import pytest
from neo4j import GraphDatabase
from neo4j import exceptions as neo4j_errors

from graph import arcadedb_reader, arcadedb_server
from queries.console import reader_target

pytestmark = pytest.mark.skipif(bool(os.environ.get("MINQING_TEST_NEO4J_URI")),
                                reason="the reader user is the embedded engine's; "
                                       "docs/CONSOLE.md gives the Neo4j commands")

# A sample of the corpus in tests/queries/console_attacks.txt, sent past layers 1 and 2.
WRITES = [
    "CREATE (n:Resident {resident_id: 'X1'}) RETURN n",
    "MATCH (r:Resident {resident_id: 'R01'}) SET r.phone = '13800000000'",
    "MATCH (r:Resident {resident_id: 'R01'}) REMOVE r.name",
    "MATCH (r:Resident {resident_id: 'R12'}) DETACH DELETE r",
    "MERGE (b:Building {building_id: 'B99'})",
    "MATCH (a:Resident {resident_id: 'R01'}), (b:Building {building_id: 'B03'}) "
    "CREATE (a)-[:LIVES_IN]->(b)",
    "UNWIND range(1, 3) AS i CREATE (:Resident {resident_id: 'U' + toString(i)})",
    "CREATE INDEX console_probe FOR (r:Resident) ON (r.name)",
]


@pytest.fixture
def reader(settings, small_graph):
    target = reader_target(settings.replace(graph_database=small_graph.database))
    driver = GraphDatabase.driver(target.uri, auth=(target.user, target.password))
    yield driver, target.database
    driver.close()


def _counts(graph) -> tuple:
    return (graph.read("MATCH (n) RETURN count(n) AS n").single_value(),
            graph.read("MATCH ()-[r]->() RETURN count(r) AS n").single_value(),
            graph.read("MATCH (r:Resident {resident_id: 'R01'}) RETURN r.name AS n")
            .single_value())


@pytest.mark.parametrize("statement", WRITES)
def test_server_refuses_a_write_from_the_reader(reader, small_graph, statement):
    driver, database = reader
    before = _counts(small_graph)
    with driver.session(database=database, default_access_mode=neo4j.WRITE_ACCESS) as session:
        with pytest.raises(neo4j_errors.Neo4jError) as refused:
            session.run(statement).consume()
    assert refused.value.code == "Neo.ClientError.Security.Forbidden"
    assert _counts(small_graph) == before


def test_reader_reads(reader):
    driver, database = reader
    with driver.session(database=database, default_access_mode=neo4j.READ_ACCESS) as session:
        rows = session.run("MATCH (r:Resident) RETURN r.resident_id AS id ORDER BY id").data()
    assert [row["id"] for row in rows][:3] == ["R01", "R02", "R03"] and len(rows) == 12


def test_reader_cannot_run_server_commands(settings, server):
    if server is None:
        pytest.skip("embedded engine only")
    home = arcadedb_server.server_home(settings)
    as_reader = arcadedb_server.ServerInfo(
        pid=server.pid, bolt_port=server.bolt_port, http_port=server.http_port,
        password=arcadedb_reader.reader_password(home), home=server.home,
        user=arcadedb_reader.READER_USER)
    with pytest.raises(Exception) as refused:
        arcadedb_server.server_command(as_reader, "create database console_probe")
    assert "console_probe" not in arcadedb_server.server_command(server, "list databases")[
        "result"]
    assert refused.value is not None


def test_secret_and_group_files(settings, server):
    if server is None:
        pytest.skip("embedded engine only")
    home = Path(server.home)
    password_file = home / arcadedb_reader.PASSWORD_FILE
    assert stat.S_IMODE(password_file.stat().st_mode) == 0o600
    groups = json.loads((home / "config" / "server-groups.json").read_text())
    group = groups["databases"]["*"]["groups"][arcadedb_reader.READER_GROUP]
    assert group["types"]["*"]["access"] == ["readRecord"] and group["access"] == []
    assert group["readTimeout"] == settings.console_time_limit_ms
    assert "admin" in groups["databases"]["*"]["groups"]


def test_group_merge_keeps_other_groups(tmp_path):
    config = tmp_path / "config"
    config.mkdir()
    (config / "server-groups.json").write_text(json.dumps(
        {"databases": {"*": {"groups": {"analysts": {"access": []}}}}, "version": 2}))
    arcadedb_reader.write_reader_group(tmp_path, 1234)
    groups = json.loads((config / "server-groups.json").read_text())["databases"]["*"]["groups"]
    assert groups["analysts"] == {"access": []}
    assert groups["console_reader"]["readTimeout"] == 1234


def test_password_never_in_a_refusal_message(settings, server, monkeypatch):
    if server is None:
        pytest.skip("embedded engine only")
    wrong = arcadedb_server.ServerInfo(pid=server.pid, bolt_port=server.bolt_port,
                                       http_port=server.http_port, password="not-the-root",
                                       home=server.home)
    with pytest.raises(Exception) as refused:
        arcadedb_reader.create_reader_user(wrong, "s3cret-reader-pw")
    assert "s3cret-reader-pw" not in str(refused.value)
    assert "console_reader" in str(refused.value)
