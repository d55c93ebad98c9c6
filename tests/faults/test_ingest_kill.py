"""``minqing ingest run`` killed with SIGKILL at random points, then run again to the end.

Two victims: the pipeline process itself, and the embedded ArcadeDB server it writes to (the
next ``minqing ingest run`` must start the server again by itself). Every kill point gets a
database of its own on a private server (the server cases kill it, so it cannot be the
session's shared one), and after the rerun its canonical dump must equal the one of the
reference: an uninterrupted run of the same district on the same server.

The kill delays are seeded and spread over the whole run: the reference run is timed, and
kill point ``i`` of ``n`` waits ``(i + u) / n`` of that time, ``u`` uniform in [0, 1); the
victims take turns, so each one's kill points also cover the whole run. A run
that finishes before its kill (a loaded machine runs at uneven speed) is timed in turn and
the point is tried again with a new delay, up to four times in all. Where each kill landed
(reading and resolving, writing nodes, writing relationships, the final report) is read from
the checkpoint file and printed (``pytest -s``).
Quick mode: 1 kill point in the pipeline and 1 in the server; ``MINQING_FULL=1``: 20 each.
"""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import pytest

from graph import arcadedb_server
from graph.backend import connect
from graph.dump import Dump, canonical_dump
from tests.conftest import settings_env
from tests.faults.conftest import MINQING, ingest_command, private_settings, repetitions

POINTS = {"pipeline": repetitions(1, 20), "server": repetitions(1, 20)}
SEED = int(os.environ.get("MINQING_FAULT_SEED", "20261130"))
ATTEMPTS = 4

# Where the kill points landed, per victim and phase; printed when the module ends.
LANDED: Counter = Counter()


@dataclass
class KillRig:
    """A private server, the district to ingest, and what an uninterrupted run gives."""

    settings: object
    raw: Path
    reference: Dump
    seconds: float          # wall time of one uninterrupted `minqing ingest run`
    batches: int            # write batches of a whole run

    @property
    def checkpoint(self) -> Path:
        return self.settings.data_path / "ingest" / "checkpoint.json"

    def env(self, database: str) -> dict[str, str]:
        """The environment of a `minqing` child writing to ``database`` on this server."""
        return {**os.environ, **settings_env(self.settings), "MINQING_GRAPH_DATABASE": database}

    def new_database(self, name: str) -> None:
        """Create an empty database on the running server (starting it if needed)."""
        info = arcadedb_server.ensure_running(self.settings)
        arcadedb_server.server_command(info, f"create database {name}")

    def drop_database(self, name: str) -> None:
        """Drop a database that has been checked (keeps the server's heap small)."""
        info = arcadedb_server.find_running(self.settings)
        if info is not None:
            arcadedb_server.server_command(info, f"drop database {name}")

    def dump(self, name: str) -> Dump:
        graph = connect(self.settings.replace(graph_database=name))
        try:
            return canonical_dump(graph)
        finally:
            graph.close()

    def server_pid(self) -> int:
        home = arcadedb_server.server_home(self.settings)
        return json.loads((home / "server.json").read_text())["pid"]


@pytest.fixture(scope="module")
def kill_rig(tmp_path_factory, fault_district):
    """Start a private server (through the CLI); time the uninterrupted reference run."""
    settings = private_settings(tmp_path_factory.mktemp("ingest_kill"), write_batch_size=100)
    env = {**os.environ, **settings_env(settings)}
    # Started by a `minqing` child, not by this process: a server killed later is then
    # nobody's zombie here.
    started = subprocess.run([MINQING, "db", "start"], env=env, capture_output=True, text=True,
                             timeout=300)
    assert started.returncode == 0, started.stdout + started.stderr
    rig = KillRig(settings, fault_district, None, 0.0, 0)
    try:
        rig.new_database("uninterrupted")
        began = time.perf_counter()
        finished = subprocess.run(ingest_command(fault_district) + ["--json"],
                                  env=rig.env("uninterrupted"), capture_output=True, text=True,
                                  timeout=600)
        rig.seconds = time.perf_counter() - began
        assert finished.returncode == 0, finished.stdout + finished.stderr
        rig.batches = json.loads(finished.stdout)["batches_written"]
        rig.reference = rig.dump("uninterrupted")
        assert rig.reference.nodes.get("Resident", 0) > 0
        rig.drop_database("uninterrupted")
        yield rig
    finally:
        arcadedb_server.stop(settings)
        print(f"\nKill points (seed {SEED}, uninterrupted run {rig.seconds:.1f} s, "
              f"{rig.batches} batches):")
        for (victim, phase), count in sorted(LANDED.items()):
            print(f"  {victim:<9} {phase:<32} {count}")


def phase_of(checkpoint: Path, batches: int) -> str:
    """Name the pipeline phase a run was in, from its checkpoint file."""
    try:
        done = json.loads(checkpoint.read_text())["done"]
    except (OSError, ValueError, KeyError):
        return "read, resolve, tag (no batch)"
    if sum(done.values()) >= batches:
        return "after the last batch (report)"
    last = list(done)[-1]
    return "writing nodes" if last.startswith("nodes:") else "writing relationships"


# Victims alternate over the strata of the run: pipeline, server, pipeline, server, ...
KILL_POINTS = [(victim, point) for point in range(max(POINTS.values()))
               for victim in POINTS if point < POINTS[victim]]


@pytest.mark.parametrize("victim,point", KILL_POINTS, ids=[f"{v}-{p}" for v, p in KILL_POINTS])
def test_killed_ingest_reruns_to_the_uninterrupted_graph(kill_rig, victim, point):
    rig = kill_rig
    rng = random.Random(f"{SEED}:{victim}:{point}")
    stratum = KILL_POINTS.index((victim, point))
    for attempt in range(ATTEMPTS):
        delay = (stratum + rng.random()) / len(KILL_POINTS) * rig.seconds
        database = f"killed_{victim}_{point}_{attempt}"
        phase, killed_server = kill_once(rig, victim, database, delay)
        print(f"{victim} kill {point} after {delay:.1f} s: {phase}")
        if phase != "finished before the kill" or attempt == ATTEMPTS - 1:
            break
        rig.drop_database(database)
    LANDED[victim, phase] += 1

    rerun = subprocess.run(ingest_command(rig.raw), env=rig.env(database), capture_output=True,
                           text=True, timeout=600)
    assert rerun.returncode == 0, rerun.stdout + rerun.stderr
    if killed_server is not None:
        running = arcadedb_server.find_running(rig.settings)
        assert running is not None and running.pid != killed_server  # restarted by the rerun
    assert rig.dump(database) == rig.reference
    rig.drop_database(database)


def kill_once(rig: KillRig, victim: str, database: str, delay: float):
    """Start an ingest into a new ``database``, SIGKILL ``victim`` after ``delay`` seconds.

    Returns the phase the kill landed in and the killed server's pid (None if the pipeline
    was the victim). A run that finished first updates ``rig.seconds`` with its own time.
    """
    rig.new_database(database)
    rig.checkpoint.unlink(missing_ok=True)   # a fresh run, as on a new delivery
    began = time.perf_counter()
    child = subprocess.Popen(ingest_command(rig.raw), env=rig.env(database),
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    killed_server = None
    try:
        while child.poll() is None and time.perf_counter() - began < delay:
            time.sleep(0.02)
        if child.poll() is not None:
            phase = "finished before the kill"
        elif victim == "pipeline":
            child.send_signal(signal.SIGKILL)
            child.wait()
            phase = phase_of(rig.checkpoint, rig.batches)
        else:
            killed_server = rig.server_pid()
            os.kill(killed_server, signal.SIGKILL)
            phase = phase_of(rig.checkpoint, rig.batches)
        # The pipeline outlives a dead server only long enough to say so, in one line.
        out, err = child.communicate(timeout=300)
    finally:
        if child.poll() is None:
            child.kill()
            child.wait()
    if phase == "finished before the kill":
        assert child.returncode == 0, out + err
        rig.seconds = time.perf_counter() - began
    elif killed_server is not None and child.returncode != 0:
        assert "Traceback" not in out + err, err
        assert err.startswith("Error: ") and len(err.strip().splitlines()) == 1, err
    return phase, killed_server
