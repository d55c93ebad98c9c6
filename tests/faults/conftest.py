"""Fault-suite fixtures: quick or full mode, and a graph server of the test's own to kill.

Quick mode is the default; ``MINQING_FULL=1`` repeats each fault more often
(``repetitions(quick, full)``). The session's shared ArcadeDB server (tests/conftest.py) is
never killed here: ``killable_server`` starts a private one, with its own data dir and ports.
The ingest faults share ``fault_district`` (a small generated district) and
``fault_reference`` (the canonical dump and reports of its uninterrupted ingest).
"""

from __future__ import annotations

import datetime as dt
import json
import os
import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import pytest

from graph import arcadedb_server
from graph.backend import connect
from graph.dump import Dump, canonical_dump
from graph.schema import init_schema
from graph.settings import Settings, load_settings
from ingest.fixture_graph import load_fixture_graph
from tests.conftest import NEO4J_URI, free_port

FULL = os.environ.get("MINQING_FULL", "") == "1"


def repetitions(quick: int, full: int) -> int:
    """Return how often to repeat a fault: ``full`` under MINQING_FULL=1, else ``quick``."""
    return full if FULL else quick


def private_settings(directory, **overrides) -> Settings:
    """Settings for an embedded graph server of one's own: data in ``directory``, free ports."""
    values = {
        "config_file": str(directory / "none.toml"),
        "data_dir": str(directory / "data"),
        "arcadedb_bolt_port": free_port(),
        "arcadedb_http_port": free_port(),
        "jvm_heap_mb": 512,
        "write_batch_size": 500,
        **overrides,
    }
    return load_settings(values, environ={})


@dataclass
class KillableServer:
    """A private embedded ArcadeDB server holding the fixture graph, to kill and restart."""

    settings: Settings

    def pid(self) -> int:
        """Return the pid recorded by the running server."""
        state = arcadedb_server.server_home(self.settings) / "server.json"
        return json.loads(state.read_text())["pid"]

    def signal(self, number: int) -> int:
        """Send signal ``number`` to the server; for SIGKILL wait until it is gone, for
        SIGSTOP until every thread of it is stopped (a test must not read before that)."""
        pid = self.pid()
        os.kill(pid, number)
        if number == signal.SIGKILL:
            deadline = time.monotonic() + 30
            while arcadedb_server._pid_alive(pid) and time.monotonic() < deadline:
                time.sleep(0.05)
        elif number == signal.SIGSTOP:
            deadline = time.monotonic() + 10
            while not _all_threads_stopped(pid):
                assert time.monotonic() < deadline, f"server {pid} did not stop in 10 s"
                time.sleep(0.02)
        return pid

    def start(self) -> arcadedb_server.ServerInfo:
        """Start the server again on the same data dir and ports (or return the running one)."""
        return arcadedb_server.ensure_running(self.settings)

    def is_running(self) -> bool:
        """True if the server is alive and answering on its Bolt port."""
        return arcadedb_server.find_running(self.settings) is not None


def _all_threads_stopped(pid: int) -> bool:
    """True if every thread of ``pid`` is in state T (stopped), from /proc (Linux)."""
    tasks = Path(f"/proc/{pid}/task")
    for task in tasks.iterdir():
        try:
            stat = (task / "stat").read_text()
        except OSError:  # the thread ended meanwhile
            continue
        if stat.rsplit(")", 1)[1].split()[0] not in ("T", "t"):
            return False
    return True


@pytest.fixture(scope="module")
def killable_server(tmp_path_factory):
    """A private ArcadeDB server with the fixture graph in its default database.

    Tests may SIGKILL, SIGSTOP or stop it; each test gets it running again (``start()``)
    and the module stops it at the end.
    """
    if NEO4J_URI:
        pytest.skip("kills an embedded ArcadeDB server of its own; not with a shared Neo4j")
    # Tighter limits than the defaults keep the suite quick and a frozen server's answers
    # well inside the tests' 30 s bound: a read gives up after max(4 s, 4 s) here, a locked
    # workflow store after 3 s. A long console statement may run a minute, so that the
    # server can be killed under it.
    settings = private_settings(tmp_path_factory.mktemp("killable"), query_time_limit_ms=4000,
                                graph_read_timeout_s=4, store_busy_timeout_s=3,
                                console_time_limit_ms=60_000)
    graph = connect(settings)
    try:
        init_schema(graph)
        load_fixture_graph(graph)
    finally:
        graph.close()
    server = KillableServer(settings)
    yield server
    try:
        os.kill(server.pid(), signal.SIGCONT)  # a test that froze it and failed
    except (OSError, ValueError, KeyError):
        pass
    arcadedb_server.stop(settings)


# -- ingest faults: a small district, its reference graph, the CLI that loads it -------------

AS_OF = dt.date(2025, 6, 30)
MINQING = str(Path(sys.executable).parent / "minqing")


def ingest_command(raw: Path) -> list[str]:
    """The ``minqing ingest run`` command line for ``raw`` as of AS_OF, without progress bars."""
    return [MINQING, "ingest", "run", "--raw", str(raw), "--as-of", str(AS_OF), "--quiet"]


@pytest.fixture(scope="session")
def fault_district(tmp_path_factory) -> Path:
    """A 300-resident district's raw exports, written once by ``minqing demo-data``."""
    raw = tmp_path_factory.mktemp("fault_district")
    made = subprocess.run([MINQING, "demo-data", str(raw), "--residents", "300", "--seed", "7",
                           "--quiet"], capture_output=True, text=True, timeout=600)
    assert made.returncode == 0, made.stdout + made.stderr
    return raw


@dataclass(frozen=True)
class IngestReference:
    """What one uninterrupted ingest of ``fault_district`` gives: its dump and report folder."""

    dump: Dump
    out_dir: Path


@pytest.fixture(scope="session")
def fault_reference(fault_district, settings, server, tmp_path_factory) -> IngestReference:
    """One uninterrupted ingest of ``fault_district`` on the session's server."""
    from ingest.pipeline import run_ingest
    from tests.conftest import _open_database

    if server is None:
        pytest.skip("the ingest faults need databases of their own; Neo4j Community has one")
    graph = _open_database(settings, server, "fault_reference")
    out_dir = tmp_path_factory.mktemp("fault_reference")
    try:
        run_ingest(graph, fault_district, out_dir, as_of=AS_OF)
        return IngestReference(canonical_dump(graph), out_dir)
    finally:
        graph.close()
