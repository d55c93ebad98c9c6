"""Backups: a set made online from a real ArcadeDB restores, on a second server, to the same graph.

One module-scoped backup of the fixture graph (database ``backup_src`` on the session's
server, plus a user in the session's workflow store) and one restore of it into a fresh data
dir whose own server (other ports) stays up for the module's tests.
"""

from __future__ import annotations

import errno
import json
import os
import shutil
import subprocess
import threading
import zipfile
from collections import Counter
from pathlib import Path

import pytest
from click.testing import CliRunner

from graph import arcadedb_server, backup, cypher
from graph.backend import connect
from graph.dump import canonical_dump
from graph.schema import init_schema
from graph.settings import load_settings
from ingest.fixture_graph import load_fixture_graph
from ingest.load import load_nodes
from queries import audit, users
from queries.store import connect as store_connect
from tests.conftest import NEO4J_URI, free_port, settings_env

pytestmark = pytest.mark.skipif(bool(NEO4J_URI), reason="backs up the embedded engine")

SOURCE_DB = "backup_src"
USER = "backup_probe"
FULL = os.environ.get("MINQING_FULL", "") == "1"


def _fresh_settings(root: Path, **changes):
    values = {"data_dir": str(root / "data"), "config_file": str(root / "none.toml"),
              "arcadedb_bolt_port": free_port(), "arcadedb_http_port": free_port(),
              "jvm_heap_mb": 512, "arcadedb_start_timeout_s": 120,
              "graph_database": SOURCE_DB}
    values.update(changes)
    return load_settings(values, environ={})


@pytest.fixture(scope="module")
def source(settings, server):
    """The fixture graph in database backup_src, and a web user in the workflow store."""
    arcadedb_server.server_command(server, f"create database {SOURCE_DB}")
    source_settings = settings.replace(graph_database=SOURCE_DB)
    graph = connect(source_settings)
    init_schema(graph)
    load_fixture_graph(graph)
    conn = store_connect(settings)
    try:
        try:
            users.get_user(conn, USER)
        except Exception:  # noqa: BLE001 - absent on the first run of the session
            users.add_user(conn, USER, "backup-probe-password", "analyst", ())
    finally:
        conn.close()
    yield source_settings, graph
    graph.close()
    # The session's store is shared with other modules: leave no extra user behind.
    conn = store_connect(settings)
    try:
        conn.execute("DELETE FROM web_users WHERE name = ?", (USER,))
    finally:
        conn.close()
    arcadedb_server.server_command(server, f"drop database {SOURCE_DB}")


@pytest.fixture(scope="module")
def backup_set(source, tmp_path_factory):
    """One backup set of the source, made online while its server runs."""
    source_settings, _ = source
    return backup.backup(source_settings, tmp_path_factory.mktemp("sets"), actor="test")


@pytest.fixture(scope="module")
def restored(backup_set, tmp_path_factory):
    """The backup restored into a fresh data dir, its own server running on other ports."""
    target = _fresh_settings(tmp_path_factory.mktemp("restored"))
    result = backup.restore(backup_set.path, target, actor="test")
    graph = connect(target)
    yield target, graph, result
    graph.close()
    arcadedb_server.stop(target)


def test_backup_set_holds_zip_store_and_manifest(backup_set, source):
    source_settings, _ = source
    files = sorted(p.name for p in backup_set.path.iterdir())
    assert files == sorted([f"{SOURCE_DB}.zip", "manifest.json", "workflow.sqlite3"])
    manifest = json.loads((backup_set.path / "manifest.json").read_text())
    assert manifest["engine"] == "arcadedb" and manifest["database"] == SOURCE_DB
    assert manifest["counts"]["nodes"]["Resident"] == 12
    assert manifest["counts"]["relationships"]["LIVES_IN"] == 12
    assert manifest["counts"]["consistent"] is True
    assert manifest["store"]["tables"]["web_users"] >= 1
    assert manifest["minqing_version"] != "unknown"
    with zipfile.ZipFile(backup_set.path / f"{SOURCE_DB}.zip") as archive:
        assert archive.testzip() is None and archive.namelist()
    # The server's own copy was moved into the set, not left behind.
    server_backups = arcadedb_server.server_home(source_settings) / "backups" / SOURCE_DB
    assert not any(server_backups.glob("*.zip")) if server_backups.exists() else True
    assert not list(backup_set.path.parent.glob("*.partial"))


def test_backup_is_audited(backup_set, settings):
    conn = store_connect(settings)
    try:
        rows = [r for r in audit.recent(conn, 200) if r["action"] == "db_backup"]
    finally:
        conn.close()
    assert any(r["target"] == str(backup_set.path) for r in rows)


def test_restored_graph_equals_the_source(restored, source):
    _, source_graph = source
    target, graph, _ = restored
    assert graph.uri != source_graph.uri  # a second server, on its own ports
    assert canonical_dump(graph) == canonical_dump(source_graph)


def test_restored_graph_keeps_its_indexes(restored, source):
    _, source_graph = source
    _, graph, _ = restored

    def index_names(g):
        rows = g._arcadedb_sql("SELECT name FROM schema:indexes")["result"]
        return sorted(r["name"] for r in rows)

    names = index_names(source_graph)
    assert names and index_names(graph) == names


def test_workflow_store_comes_back(restored):
    target, _, result = restored
    conn = store_connect(target)
    try:
        assert users.get_user(conn, USER).role == "analyst"
        actions = [r["action"] for r in audit.recent(conn, 50)]
    finally:
        conn.close()
    assert "db_restore" in actions
    assert result.counts["store_tables"]["web_users"] >= 1


def test_restore_over_a_running_database_is_refused(backup_set, restored):
    target, graph, _ = restored
    before = canonical_dump(graph)
    with pytest.raises(backup.BackupError, match="running on data_dir"):
        backup.restore(backup_set.path, target, force=True)
    assert canonical_dump(graph) == before


def test_restore_into_a_data_dir_with_a_store_is_refused(backup_set, tmp_path):
    target = _fresh_settings(tmp_path)
    conn = store_connect(target)
    users.init_store(conn)
    conn.close()
    store = Path(target.data_dir) / "workflow.sqlite3"
    content = store.read_bytes()
    with pytest.raises(backup.BackupError, match="already holds .*--force"):
        backup.restore(backup_set.path, target)
    assert store.read_bytes() == content
    assert not (Path(target.data_dir) / "arcadedb" / "databases").exists()


def test_corrupt_zip_gives_a_clear_error(backup_set, tmp_path):
    broken = tmp_path / backup_set.path.name
    shutil.copytree(backup_set.path, broken)
    graph_zip = broken / f"{SOURCE_DB}.zip"
    data = bytearray(graph_zip.read_bytes())
    data[len(data) // 2] ^= 0xFF
    graph_zip.write_bytes(bytes(data))
    with pytest.raises(backup.BackupError, match="is corrupt"):
        backup.restore(broken, _fresh_settings(tmp_path / "t1"))
    # With the manifest made to agree, the zip's own checks still catch it.
    manifest = json.loads((broken / "manifest.json").read_text())
    manifest["graph"]["sha256"] = backup._sha256(graph_zip)
    (broken / "manifest.json").write_text(json.dumps(manifest))
    with pytest.raises(backup.BackupError, match="not a readable zip|CRC"):
        backup.restore(broken, _fresh_settings(tmp_path / "t2"))


def test_not_a_backup_set(tmp_path):
    target = _fresh_settings(tmp_path / "t")
    with pytest.raises(backup.BackupError, match="No backup set"):
        backup.restore(tmp_path / "nowhere", target)
    (tmp_path / "empty").mkdir()
    with pytest.raises(backup.BackupError, match="holds no manifest.json"):
        backup.restore(tmp_path / "empty", target)
    (tmp_path / "x.partial").mkdir()
    with pytest.raises(backup.BackupError, match="unfinished"):
        backup.restore(tmp_path / "x.partial", target)


def test_cli_backup_prints_file_size_and_time(source, settings, tmp_path):
    from graph.cli import main

    env = settings_env(settings) | {"MINQING_GRAPH_DATABASE": SOURCE_DB}
    result = CliRunner().invoke(main, ["db", "backup", "--to", str(tmp_path)], env=env)
    assert result.exit_code == 0, result.output
    made = [p for p in tmp_path.iterdir()]
    assert len(made) == 1 and str(made[0]) in result.output
    assert f"{SOURCE_DB}.zip" in result.output and "KiB" in result.output
    assert " s)" in result.output


def test_cli_restore_error_is_one_line_without_traceback(settings, tmp_path):
    from graph.cli import main

    env = settings_env(settings)
    result = CliRunner().invoke(main, ["db", "restore", str(tmp_path / "nowhere"),
                                       "--data-dir", str(tmp_path / "d")], env=env)
    assert result.exit_code == 1
    assert "Traceback" not in result.output
    assert result.output.startswith("Error: No backup set at")


def test_cli_backup_on_neo4j_prints_neo4j_admin_and_fails(settings, tmp_path):
    from graph.cli import main

    env = settings_env(settings) | {"MINQING_GRAPH_URI": "bolt://127.0.0.1:1"}
    result = CliRunner().invoke(main, ["db", "backup", "--to", str(tmp_path)], env=env)
    assert result.exit_code == 1
    assert "neo4j-admin database dump neo4j" in result.output
    assert "neo4j-admin database load neo4j" in result.output
    assert not any(tmp_path.iterdir())


def test_backup_into_an_unwritable_place_names_it(source, tmp_path):
    source_settings, _ = source
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    with pytest.raises(backup.BackupError, match=f"Cannot write under {blocker}"):
        backup.backup(source_settings, blocker / "sets")


def test_neo4j_is_not_restored_here(backup_set, tmp_path):
    target = _fresh_settings(tmp_path, graph_uri="bolt://127.0.0.1:1")
    with pytest.raises(backup.BackupError, match="neo4j-admin database load"):
        backup.restore(backup_set.path, target)


def test_disk_full_and_read_only_messages():
    assert "Disk full" in backup.disk_error_message(OSError(errno.ENOSPC, "full"), Path("/b"))
    assert "writable" in backup.disk_error_message(OSError(errno.EROFS, "ro"), Path("/b"))


@pytest.fixture
def small_disk(tmp_path):
    """A 32 KiB tmpfs (smaller than the fixture graph's zip); mounting needs root."""
    path = tmp_path / "small"
    path.mkdir()
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=32k,mode=0700", "tmpfs",
                           str(path)], capture_output=True, text=True)
    if done.returncode:
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(f"cannot mount a tmpfs under CI: {done.stderr.strip()}")
        pytest.skip(f"cannot mount a tmpfs (needs root): {done.stderr.strip()}")
    yield path
    if subprocess.run(["umount", str(path)], capture_output=True).returncode:
        subprocess.run(["umount", "-l", str(path)], capture_output=True)


def test_backup_onto_a_full_disk_is_one_line_and_leaves_nothing(source, settings,
                                                                 small_disk):
    from graph.cli import main

    source_settings, _ = source
    env = settings_env(settings) | {"MINQING_GRAPH_DATABASE": SOURCE_DB}
    result = CliRunner().invoke(main, ["db", "backup", "--to", str(small_disk / "sets")],
                                env=env)
    assert result.exit_code == 1
    assert result.output.startswith("Error: Disk full while writing under")
    assert "Traceback" not in result.output and result.output.count("\n") == 1
    assert list((small_disk / "sets").iterdir()) == []
    server_copies = arcadedb_server.server_home(source_settings) / "backups" / SOURCE_DB
    assert not list(server_copies.glob("*.zip"))


def test_backup_onto_a_read_only_disk_names_it(source, small_disk):
    source_settings, _ = source
    subprocess.run(["mount", "-o", "remount,ro", str(small_disk)], check=True)
    with pytest.raises(backup.BackupError, match="Read-only file system; choose a writable"):
        backup.backup(source_settings, small_disk / "sets")


@pytest.mark.skipif(not FULL, reason="full mode only (MINQING_FULL=1): a second restore")
def test_backup_during_writes_restores_whole_transactions(settings, server, tmp_path):
    """Batches of 50 events, one transaction each, written while the backup runs: the
    restored graph holds each batch whole or not at all."""
    name = "backup_busy"
    arcadedb_server.server_command(server, f"create database {name}")
    busy = settings.replace(graph_database=name)
    graph = connect(busy)
    init_schema(graph)
    load_fixture_graph(graph)
    stop, written = threading.Event(), []

    def write_batches():
        number = 0
        while not stop.is_set():
            load_nodes(graph, "Event", [{"event_id": f"busy-{number:05d}-{k:02d}",
                                         "batch": number} for k in range(50)])
            written.append(number)
            number += 1

    writer = threading.Thread(target=write_batches)
    writer.start()
    try:
        while len(written) < 3:
            stop.wait(0.05)
        done_before = len(written)
        made = backup.backup(busy, tmp_path / "sets", actor="test")
        done_after = len(written)
    finally:
        stop.set()
        writer.join()
    target = _fresh_settings(tmp_path / "restored", graph_database=name)
    try:
        backup.restore(made.path, target, actor="test")
        with connect(target) as restored:
            rows = restored.read(cypher.node_properties("Event"), max_rows=None).rows
    finally:
        arcadedb_server.stop(target)
        graph.close()
        arcadedb_server.server_command(server, f"drop database {name}")
    batches = Counter(r["p"]["batch"] for r in rows if r["p"]["event_id"].startswith("busy-"))
    assert set(batches.values()) <= {50}
    assert done_before <= len(batches) <= done_after + 1
    assert sorted(batches) == list(range(len(batches)))  # no gap: a prefix of the writes
