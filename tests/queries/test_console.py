"""The console's run: layer 2 (READ transaction, rolled back) on its own, limits, audit."""

import os
import time

import pytest

from graph import arcadedb_server
from graph.errors import QueryError
from queries import audit, store
from queries.console import ReaderTarget, reader_target, run_console, run_read_only
from queries.console_guard import StatementRefused

NEO4J = bool(os.environ.get("MINQING_TEST_NEO4J_URI"))
# Slow on any engine: a five-way cartesian product of the fixture's ~30 nodes, filtered on
# a property so that no engine can answer it from counts alone (tens of seconds).
SLOW = ("MATCH (a), (b), (c), (d), (e) WHERE a.floors = b.floors + c.floors + "
        "d.floors + e.floors + 1000 RETURN count(*) AS n")


@pytest.fixture
def conn(tmp_path):
    connection = store.connect(tmp_path / "workflow.sqlite3")
    yield connection
    connection.close()


@pytest.fixture
def console_settings(settings, small_graph):
    return settings.replace(graph_database=small_graph.database)


def admin_target(settings, graph) -> ReaderTarget:
    """A login that may write: what layer 2 must hold back on its own."""
    if graph.engine == "neo4j":
        return ReaderTarget(settings.graph_uri, settings.graph_user, settings.graph_password,
                            graph.database, "neo4j")
    info = arcadedb_server.find_running(settings)
    return ReaderTarget(info.bolt_uri, info.user, info.password, graph.database, "arcadedb")


def test_a_read_runs_with_rows_and_graph(console_settings, conn):
    result = run_console(
        "MATCH p = (r:Resident {resident_id: $id})-[:LIVES_IN]->(b:Building) RETURN r, b, p",
        {"id": "R01"}, console_settings, actor="anonymous", conn=conn)
    assert result.columns == ["r", "b", "p"] and len(result.rows) == 1
    assert result.rows[0]["r"]["resident_id"] == "R01"
    graph = result.as_dict()["graph"]
    assert sorted(n["caption"] for n in graph["nodes"]) == ["B01", "Li Xiuying"]
    assert [r["type"] for r in graph["relationships"]] == ["LIVES_IN"]
    row = audit.recent(conn)[0]
    assert (row["actor"], row["action"]) == ("anonymous", "console.query")
    assert row["detail"]["outcome"] == "ok" and row["detail"]["rows"] == 1
    assert row["detail"]["params"] == {"id": "R01"} and "LIVES_IN" in row["detail"]["statement"]


def test_runs_when_the_calling_thread_has_an_event_loop(console_settings, conn):
    # Playwright's sync API (browser tests) or an async server keep a loop running in the
    # caller's thread; the console's own loop must not depend on there being none.
    import asyncio

    async def inside_a_loop():
        return run_console("MATCH (r:Resident) RETURN count(r) AS n", {}, console_settings,
                           actor="anonymous", conn=conn)

    # A thread of the test's own, so this test runs whatever loop pytest's thread holds.
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(max_workers=1) as pool:
        result = pool.submit(asyncio.run, inside_a_loop()).result()
    assert result.rows == [{"n": 12}]


def test_row_limit_cuts_and_flags(console_settings, conn):
    limited = console_settings.replace(console_row_limit=5)
    result = run_console("MATCH (r:Resident) RETURN r.resident_id AS id ORDER BY id", {},
                         limited, actor="a", conn=conn)
    assert len(result.rows) == 5 and result.truncated
    assert [r["id"] for r in result.rows] == ["R01", "R02", "R03", "R04", "R05"]
    full = run_console("MATCH (r:Resident) RETURN r.resident_id AS id", {}, console_settings,
                       actor="a", conn=conn)
    assert len(full.rows) == 12 and not full.truncated


def test_refusal_is_audited_and_never_reaches_the_graph(console_settings, conn, small_graph):
    before = small_graph.read("MATCH (n) RETURN count(n) AS n").single_value()
    with pytest.raises(StatementRefused) as refused:
        run_console("MATCH (r:Resident) DETACH DELETE r", {}, console_settings,
                    actor="analyst1", conn=conn)
    assert refused.value.layer == "parser" and "DELETE is refused" in str(refused.value)
    row = audit.recent(conn)[0]
    assert (row["actor"], row["action"]) == ("analyst1", "console.refused")
    assert row["detail"]["layer"] == "parser"
    assert small_graph.read("MATCH (n) RETURN count(n) AS n").single_value() == before


def test_transaction_layer_alone_refuses_and_undoes_a_write(settings, empty_graph):
    """Past the parser, logged in as a user who may write: the READ transaction holds."""
    target = admin_target(settings, empty_graph)
    with pytest.raises(StatementRefused) as refused:
        run_read_only(target, "CREATE (n:Resident {resident_id: 'X1'}) RETURN n", {},
                      time_limit_ms=30_000, row_limit=10)
    assert refused.value.layer in ("explain", "transaction")
    assert empty_graph.read("MATCH (n:Resident) RETURN count(n) AS n").single_value() == 0


def test_database_user_alone_refuses_a_write(console_settings, small_graph):
    """Layer 3 through the console's own runner, past the parser."""
    if NEO4J and not console_settings.console_graph_user:
        pytest.skip("Neo4j without a reader-role user: see docs/CONSOLE.md")
    target = reader_target(console_settings)
    with pytest.raises(StatementRefused) as refused:
        run_read_only(target, "CREATE (n:Resident {resident_id: 'X2'})", {},
                      time_limit_ms=30_000, row_limit=10)
    # Neo4j refuses in the EXPLAIN step; ArcadeDB's reader user refuses at the server.
    assert refused.value.layer in ("database user", "explain")
    assert small_graph.read("MATCH (n:Resident {resident_id: 'X2'}) RETURN count(n) AS n"
                            ).single_value() == 0


def test_time_limit_is_enforced_client_side(console_settings, conn):
    limited = console_settings.replace(console_time_limit_ms=300)
    started = time.monotonic()
    with pytest.raises(QueryError) as stopped:
        run_console(SLOW, {}, limited, actor="a", conn=conn)
    assert time.monotonic() - started < 3
    assert "console_time_limit_ms=300" in str(stopped.value)
    assert audit.recent(conn)[0]["detail"]["outcome"] == "error"


@pytest.mark.skipif(NEO4J, reason="the reader group's readTimeout is ArcadeDB's")
def test_server_stops_the_reader_at_its_read_timeout(console_settings):
    """Without the client-side limit, ArcadeDB itself ends the statement (group readTimeout)."""
    # ArcadeDB checks the read timeout while it produces rows, not inside an aggregation
    # (measured: a cartesian count(*) ran to its end); so this statement returns rows.
    rows_slowly = ("MATCH (a), (b), (c), (d), (e) WHERE a.floors = b.floors + c.floors + "
                   "d.floors + e.floors + 1000 RETURN a LIMIT 1")
    target = reader_target(console_settings)
    started = time.monotonic()
    with pytest.raises(QueryError) as stopped:
        run_read_only(target, rows_slowly, {}, time_limit_ms=90_000, row_limit=10)
    elapsed = time.monotonic() - started
    assert "read timeout" in str(stopped.value)
    assert console_settings.console_time_limit_ms / 1000 <= elapsed < 60


def test_bad_statement_is_a_clear_error(console_settings, conn):
    with pytest.raises(QueryError) as failed:
        run_console("MATCH (n) RETURN m", {}, console_settings, actor="a", conn=conn)
    assert "Traceback" not in str(failed.value)
