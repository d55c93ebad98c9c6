"""Shared fixtures: a real embedded ArcadeDB server per test session, and the graphs on it.

- ``settings``: test settings (a temporary data_dir, free loopback ports).
- ``small_graph``: one database holding the fixture graph (see ingest/fixture_graph.py),
  shared by every test that only reads.
- ``empty_graph``: a fresh, schema-initialised database for each test that writes.
- ``district``: a small generated district (raw exports, ground truth) ingested once per
  session through the real pipeline into its own database; read it, don't change it.

With ``MINQING_TEST_NEO4J_URI`` set (and MINQING_TEST_NEO4J_PASSWORD), the same tests run
against that Neo4j instead; writers then share its one database, cleared before each test.
"""

from __future__ import annotations

import datetime as dt
import itertools
import os
import random
import socket
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from graph import arcadedb_server
from graph.backend import Graph, connect
from graph.schema import init_schema
from graph.settings import load_settings
from ingest.fixture_graph import load_fixture_graph

NEO4J_URI = os.environ.get("MINQING_TEST_NEO4J_URI", "")
_database_numbers = itertools.count(1)


def settings_env(settings) -> dict[str, str]:
    """The settings as ``MINQING_*`` variables, for a CLI run or a child process."""
    return {f"MINQING_{k.upper()}": str(v) for k, v in settings.items()}


def stop_waitress(server, thread) -> None:
    """Stop a waitress ``server`` running in ``thread`` and wait for it.

    Its sockets are closed from inside its own loop (closing them from this thread races the
    loop's select); with its socket map empty the loop returns. If the wake-up pipe is
    already gone, close from here: the loop then ends on its next select.
    """
    try:
        server.trigger.pull_trigger(
            lambda: server.asyncore.close_all(server._map, ignore_all=True))
    except OSError:
        server.close()
    thread.join(timeout=10)
    server.task_dispatcher.shutdown()


# Ports for the servers tests start come from 20000-29999: below the kernel's ephemeral range
# (32768+), where every client socket takes a port and could take one a server was about to
# bind, and in a block of 1,000 per pytest-xdist worker, so two workers never pick the same
# port before either has bound it (seen: one server's HTTP port was another's Bolt port).
_PORT_BLOCK = 1000
_next_ports: Iterator[int] | None = None


def free_port() -> int:
    """Return a loopback port nothing listens on right now, never the same one twice in a
    process, and in this xdist worker's own block of ports."""
    global _next_ports
    if _next_ports is None:
        worker = os.environ.get("PYTEST_XDIST_WORKER", "gw0")[2:]
        first = 20000 + (int(worker) % 10 if worker.isdigit() else 0) * _PORT_BLOCK
        # A random start keeps two test sessions on one machine (no xdist) apart, too.
        offset = random.randrange(_PORT_BLOCK)
        _next_ports = (first + (offset + n) % _PORT_BLOCK for n in itertools.count())
    for _ in range(_PORT_BLOCK):
        port = next(_next_ports)
        with socket.socket() as s:
            try:
                s.bind(("127.0.0.1", port))
            except OSError:
                continue
        return port
    raise RuntimeError(f"no free port in this worker's block of {_PORT_BLOCK}")


@pytest.fixture(scope="session")
def settings(tmp_path_factory):
    """Settings for the test session: a private data_dir and free ports."""
    overrides = {
        "config_file": str(tmp_path_factory.mktemp("config") / "none.toml"),
        "data_dir": str(tmp_path_factory.mktemp("data")),
        "arcadedb_bolt_port": free_port(),
        "arcadedb_http_port": free_port(),
        "jvm_heap_mb": 1024,
        "write_batch_size": 500,
    }
    if NEO4J_URI:
        overrides.update(graph_uri=NEO4J_URI, graph_user=os.environ.get(
            "MINQING_TEST_NEO4J_USER", "neo4j"),
            graph_password=os.environ.get("MINQING_TEST_NEO4J_PASSWORD", ""))
    return load_settings(overrides, environ={})


@pytest.fixture(scope="session")
def server(settings):
    """The embedded ArcadeDB server for this session, stopped at the end."""
    if NEO4J_URI:
        yield None
        return
    info = arcadedb_server.ensure_running(settings)
    yield info
    arcadedb_server.stop(settings)


def _open_database(settings, server, name: str) -> Graph:
    if server is not None:
        arcadedb_server.server_command(server, f"create database {name}")
    graph = connect(settings.replace(graph_database=name) if server is not None else settings)
    if server is None:  # Neo4j: one database, emptied for each test
        graph.write("MATCH (n) DETACH DELETE n")
    init_schema(graph)
    return graph


@pytest.fixture(scope="session")
def _fixture_database(settings, server) -> Graph:
    graph = _open_database(settings, server, "small_graph")
    load_fixture_graph(graph)
    yield graph
    graph.close()


# Neo4j (Community) has one database: a writer test empties it, so the fixture graph is
# loaded again before the next reader test.
_neo4j_state = {"dirty": False}


@pytest.fixture
def small_graph(_fixture_database) -> Graph:
    """The fixture graph, loaded through the ingest writer; read it, don't change it."""
    if NEO4J_URI and _neo4j_state["dirty"]:
        _fixture_database.write("MATCH (n) DETACH DELETE n")
        load_fixture_graph(_fixture_database)
        _neo4j_state["dirty"] = False
    return _fixture_database


@pytest.fixture
def empty_graph(settings, server) -> Graph:
    """A fresh database with the schema applied, for a test that writes."""
    _neo4j_state["dirty"] = True
    graph = _open_database(settings, server, f"scratch{next(_database_numbers)}")
    yield graph
    graph.close()


@pytest.fixture
def run(settings, small_graph):
    """Invoke ``minqing`` in-process with the session's settings and the fixture database.

    The data dir stays the session's: it holds the running server's state.
    """
    from click.testing import CliRunner

    from graph.cli import main

    env = settings_env(settings)
    env["MINQING_GRAPH_DATABASE"] = small_graph.database

    def invoke(*args):
        return CliRunner().invoke(main, list(args), env=env, catch_exceptions=False)

    return invoke


@dataclass
class District:
    """A generated district and the database it was ingested into."""

    graph: Graph
    raw: Path  # the raw exports; raw / "ground_truth" holds the answer key
    as_of: dt.date


@pytest.fixture(scope="session")
def district(settings, server, tmp_path_factory) -> District:
    """A 1,500-resident district (seed 20211) through generator and ingest, once per session."""
    if server is None:
        pytest.skip("the district needs a database of its own; Neo4j Community has one")
    from ingest.pipeline import run_ingest
    from ingest.synthetic import generate_district
    from ingest.synthetic.params import SNAPSHOT

    raw = tmp_path_factory.mktemp("district_raw")
    generate_district(raw, seed=20211, residents=1500)
    graph = _open_database(settings, server, "district")
    run_ingest(graph, raw, tmp_path_factory.mktemp("district_ingest"), as_of=SNAPSHOT)
    yield District(graph, raw, SNAPSHOT)
    graph.close()


@pytest.fixture(scope="module")
def demo_graph():
    """The 83 k demo district in the default data dir (`make demo`), read-only.

    Skipped unless it is loaded and its server runs: CI has no demo, a developer does, and
    these tests check the real-size district there.
    """
    demo_settings = load_settings(environ={})
    if not demo_settings.is_embedded or arcadedb_server.find_running(demo_settings) is None:
        pytest.skip("the demo district is not running (make demo)")
    graph = connect(demo_settings)
    if graph.read("MATCH (r:Resident) RETURN count(r) AS n").single_value() < 50_000:
        graph.close()
        pytest.skip("the default database does not hold the 83 k demo district (make demo)")
    yield graph
    graph.close()


needs_two_databases = pytest.mark.skipif(
    bool(NEO4J_URI), reason="compares two databases; Neo4j Community has only one")
