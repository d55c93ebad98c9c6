"""A full or read-only disk under ``minqing ingest run``: one clear line, then a clean rerun.

Small tmpfs mounts (the suite runs as root; root ignores chmod, so read-only means a
read-only mount) stand in for the disks of a private embedded server:

- ``<data_dir>/arcadedb/databases``: where ArcadeDB keeps its databases (data files, WAL);
- ``<data_dir>/ingest``: the pipeline's checkpoint and its quarantine/resolution reports.

A run that hits ENOSPC or EROFS must exit non-zero with a one-line error that names the folder
and says "no space" or "read-only", never a traceback; once the mount has more space (or is
read-write again) a rerun must complete and leave exactly the graph of an uninterrupted run.
Mounting needs root; without it these tests are skipped, except under CI=true where that is a
failure.
"""

from __future__ import annotations

import os
import subprocess
from dataclasses import dataclass
from pathlib import Path

import pytest

from graph import arcadedb_server
from graph.backend import connect
from graph.dump import Dump, canonical_dump
from tests.conftest import NEO4J_URI, settings_env
from tests.faults.conftest import FULL, MINQING, ingest_command, private_settings

PAGE = 4096


class Mount:
    """A tmpfs mounted on one folder, resized or made read-only while in use."""

    def __init__(self, path: Path):
        self.path = path

    def mount(self, size: str) -> None:
        self.path.mkdir(parents=True, exist_ok=True)
        _mount(["-t", "tmpfs", "-o", f"size={size},mode=0700", "tmpfs", str(self.path)])

    def remount(self, options: str) -> None:
        _mount(["-o", f"remount,{options}", str(self.path)])

    def used(self) -> int:
        stat = os.statvfs(self.path)
        return (stat.f_blocks - stat.f_bfree) * stat.f_frsize

    def free(self) -> int:
        stat = os.statvfs(self.path)
        return stat.f_bavail * stat.f_frsize

    def unmount(self) -> None:
        if subprocess.run(["umount", str(self.path)], capture_output=True).returncode:
            subprocess.run(["umount", "-l", str(self.path)], capture_output=True)


def _mount(arguments: list[str]) -> None:
    done = subprocess.run(["mount", *arguments], capture_output=True, text=True)
    if done.returncode:
        raise OSError(f"mount {' '.join(arguments)}: {done.stderr.strip()}")


@dataclass
class DiskRig:
    """A private server whose databases and ingest folders are tmpfs mounts."""

    settings: object
    raw: Path
    reference: Dump
    reference_reports: Path  # the uninterrupted run's quarantine and resolution files
    databases: Mount
    reports: Mount

    def env(self, database: str) -> dict[str, str]:
        return {**os.environ, **settings_env(self.settings), "MINQING_GRAPH_DATABASE": database}

    def ingest(self, database: str) -> subprocess.CompletedProcess:
        """Run ``minqing ingest run`` into ``database``; return the finished process."""
        return subprocess.run(ingest_command(self.raw), env=self.env(database),
                              capture_output=True, text=True, timeout=600)

    def new_database(self, name: str) -> None:
        info = arcadedb_server.ensure_running(self.settings)
        arcadedb_server.server_command(info, f"create database {name}")

    def dump(self, name: str) -> Dump:
        graph = connect(self.settings.replace(graph_database=name))
        try:
            return canonical_dump(graph)
        finally:
            graph.close()

    def clear_reports(self) -> None:
        for path in self.reports.path.iterdir():
            path.unlink()


@pytest.fixture(scope="module")
def disk_rig(tmp_path_factory, fault_district, fault_reference):
    """Mount the two tmpfs folders and start a private server on them (through the CLI)."""
    if NEO4J_URI:
        pytest.skip("fills the disk of an embedded ArcadeDB server of its own")
    settings = private_settings(tmp_path_factory.mktemp("disk_faults"), write_batch_size=250)
    databases = Mount(arcadedb_server.server_home(settings) / "databases")
    reports = Mount(settings.data_path / "ingest")
    mounted = []
    try:
        for mount in (databases, reports):
            try:
                mount.mount("256m")
            except OSError as e:
                if os.environ.get("CI", "").lower() == "true":
                    pytest.fail(f"cannot mount a tmpfs for the disk faults under CI: {e}")
                pytest.skip(f"cannot mount a tmpfs (needs root): {e}")
            mounted.append(mount)
        env = {**os.environ, **settings_env(settings)}
        started = subprocess.run([MINQING, "db", "start"], env=env, capture_output=True,
                                 text=True, timeout=300)
        assert started.returncode == 0, started.stdout + started.stderr
        yield DiskRig(settings, fault_district, fault_reference.dump, fault_reference.out_dir,
                      databases, reports)
    finally:
        arcadedb_server.stop(settings)
        for mount in mounted:
            mount.unmount()


def assert_one_clear_line(finished: subprocess.CompletedProcess, *words: str) -> None:
    """The run failed with exactly one ``Error:`` line holding ``words``, no traceback."""
    output = finished.stdout + finished.stderr
    assert finished.returncode != 0, output
    assert "Traceback" not in output, output
    lines = finished.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("Error: "), output
    for word in words:
        assert word in lines[0], output


def report_pages(rig: DiskRig) -> int:
    """Pages the quarantine and resolution reports of a run take (on tmpfs, whole pages)."""
    sizes = [(rig.reference_reports / name).stat().st_size
             for name in ("quarantine.csv", "resolution.csv")]
    return sum(-(-size // PAGE) for size in sizes)


def test_full_report_folder_stops_part_way_and_the_rerun_completes(disk_rig):
    rig = disk_rig
    pages = report_pages(rig)
    rig.clear_reports()
    rig.new_database("reports_full")
    # Room for both reports and one checkpoint page: the first batch's checkpoint fits,
    # the second one's temporary copy does not — ENOSPC after graph writes have begun.
    rig.reports.remount(f"size={(pages + 1) * PAGE}")
    try:
        finished = rig.ingest("reports_full")
    finally:
        rig.reports.remount("size=256m")
    assert_one_clear_line(finished, "No space left on device", str(rig.reports.path))
    assert rig.dump("reports_full").nodes, "the run should have stopped part-way, not before"
    rerun = rig.ingest("reports_full")
    assert rerun.returncode == 0, rerun.stdout + rerun.stderr
    assert " 0 already done" not in rerun.stdout  # it resumed from the checkpoint
    assert rig.dump("reports_full") == rig.reference


def test_read_only_report_folder_is_one_clear_line_and_the_rerun_completes(disk_rig):
    rig = disk_rig
    rig.clear_reports()
    rig.new_database("reports_read_only")
    rig.reports.remount("ro")
    try:
        finished = rig.ingest("reports_read_only")
    finally:
        rig.reports.remount("rw")
    assert_one_clear_line(finished, "read-only", str(rig.reports.path))
    assert rig.dump("reports_read_only").nodes == {}  # stopped before writing the graph
    rerun = rig.ingest("reports_read_only")
    assert rerun.returncode == 0, rerun.stdout + rerun.stderr
    assert rig.dump("reports_read_only") == rig.reference


def test_full_graph_disk_stops_part_way_and_the_rerun_completes(disk_rig):
    rig = disk_rig
    rig.clear_reports()
    rig.new_database("graph_full")
    schema = subprocess.run([MINQING, "db", "init"], env=rig.env("graph_full"),
                            capture_output=True, text=True, timeout=300)
    assert schema.returncode == 0, schema.stdout + schema.stderr
    # 2 MB more than the empty schema takes: the district needs ~7 MB, so the server's WAL
    # write fails some batches into the run.
    rig.databases.remount(f"size={rig.databases.used() + 2_000_000}")
    try:
        finished = rig.ingest("graph_full")
    finally:
        rig.databases.remount("size=256m")
    assert_one_clear_line(finished, "No space left on device", str(rig.databases.path))
    assert rig.dump("graph_full").nodes, "the run should have stopped part-way, not before"
    rerun = rig.ingest("graph_full")
    assert rerun.returncode == 0, rerun.stdout + rerun.stderr
    assert " 0 already done" not in rerun.stdout  # it resumed from the checkpoint
    assert rig.dump("graph_full") == rig.reference
    if FULL:  # what reached the disk is whole too: a restarted server reads the same graph
        arcadedb_server.stop(rig.settings)
        assert rig.dump("graph_full") == rig.reference


def test_read_only_graph_disk_is_one_clear_line_and_the_rerun_completes(disk_rig):
    rig = disk_rig
    rig.clear_reports()
    rig.new_database("graph_read_only")
    # A mount with files open for writing cannot turn read-only (EBUSY), so the server is
    # stopped first: the next run has to start it on a read-only disk.
    arcadedb_server.stop(rig.settings)
    rig.databases.remount("ro")
    try:
        finished = rig.ingest("graph_read_only")
    finally:
        rig.databases.remount("rw")
    assert_one_clear_line(finished, "read-only", str(rig.databases.path))
    rerun = rig.ingest("graph_read_only")
    assert rerun.returncode == 0, rerun.stdout + rerun.stderr
    assert rig.dump("graph_read_only") == rig.reference
