"""Back up the embedded graph and the workflow store as one timestamped set, and restore it.

A backup set is a folder ``minqing-<database>-<UTC timestamp>/`` holding:

- ``<database>.zip``   ArcadeDB's own online backup (``BACKUP DATABASE``, run by the server
  over its loopback HTTP API: a snapshot taken without blocking writers);
- ``workflow.sqlite3`` a copy of the workflow store made with SQLite's backup API (users,
  audit trail, campaigns and outbox, notices, alerts);
- ``manifest.json``    engine, database, created_at, Minqing and ArcadeDB versions, node counts
  per label and relationship counts per type, rows per store table, and a SHA-256 per file.

The set is written under ``<name>.partial`` and renamed when complete, so a set without that
suffix is whole. A restore goes into a data directory that holds no database yet, with
ArcadeDB's documented restore tool (``com.arcadedb.integration.restore.Restore``, what
``bin/restore.sh`` runs) while no server runs there; then the server is started and its counts
are checked against the manifest. Neo4j is backed up with ``neo4j-admin`` (docs/BACKUP.md).
"""

from __future__ import annotations

import base64
import datetime as dt
import errno
import hashlib
import json
import os
import shutil
import sqlite3
import subprocess
import time
import urllib.error
import urllib.request
import zipfile
import zlib
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path

from graph import arcadedb_server
from graph.errors import MinqingError
from graph.settings import Settings

FORMAT = "minqing-backup/1"
MANIFEST = "manifest.json"
STORE_COPY = "workflow.sqlite3"
PARTIAL_SUFFIX = ".partial"
RESTORE_CLASS = "com.arcadedb.integration.restore.Restore"
# Counting every relationship of a large district takes longer than an app query may.
# A backup of a million-resident graph runs for minutes; the HTTP call must outlast it.
BACKUP_TIMEOUT_S = 3600

NEO4J_COMMANDS = """\
# Neo4j 5 Community (docker-compose.yml): an offline dump; the database must be stopped.
docker compose stop neo4j
docker compose run --rm neo4j neo4j-admin database dump neo4j --to-path=/backups --overwrite-destination=true
docker compose start neo4j
# restore it (into a stopped Neo4j):
docker compose stop neo4j
docker compose run --rm neo4j neo4j-admin database load neo4j --from-path=/backups --overwrite-destination=true
docker compose start neo4j
# Neo4j 5 Enterprise: an online backup instead of the dump
docker compose exec neo4j neo4j-admin database backup neo4j --to-path=/backups
# the workflow store, with SQLite's online backup API (see docs/BACKUP.md)
docker compose exec app python -c "import sqlite3; sqlite3.connect('data/workflow.sqlite3').backup(sqlite3.connect('data/workflow-backup.sqlite3'))\""""


class BackupError(MinqingError):
    """A backup or restore cannot go on; the message names the file, folder or setting."""


@dataclass(frozen=True)
class BackupResult:
    """What ``backup`` wrote: the set's folder, its manifest, total bytes and seconds taken."""

    path: Path
    manifest: dict
    size_bytes: int
    seconds: float


@dataclass(frozen=True)
class RestoreResult:
    """What ``restore`` did: into which data folder, from which manifest, and how long."""

    data_dir: Path
    manifest: dict
    counts: dict
    seconds: float
    phases: dict = field(default_factory=dict)  # seconds per step, for the benchmark


# -- backup ------------------------------------------------------------------------------

def default_backup_root(settings: Settings) -> Path:
    """Return the folder backup sets go into unless ``--to`` says otherwise."""
    return settings.data_path / "backups"


def neo4j_instructions() -> str:
    """Return the neo4j-admin commands that back up and restore the docker-compose Neo4j."""
    return NEO4J_COMMANDS


def backup(settings: Settings, to: Path | None = None, *, actor: str = "cli") -> BackupResult:
    """Back up the embedded graph and the workflow store into a new timestamped set.

    Starts the embedded server if it is not running (as every ``minqing db`` command does).

    Args:
        to: folder to create the set in; default ``<data_dir>/backups``.
        actor: who asked, for the audit trail (a backup is an export of personal data).

    Raises:
        BackupError: Neo4j configured, folder not writable, disk full, or ArcadeDB refused.
    """
    if not settings.is_embedded:
        raise BackupError("graph_uri points at Neo4j; `minqing db backup` backs up only the "
                          "embedded ArcadeDB. Run the neo4j-admin commands in docs/BACKUP.md.")
    started = time.perf_counter()
    created = dt.datetime.now(dt.timezone.utc)
    root = Path(to).resolve() if to is not None else default_backup_root(settings)
    name = f"minqing-{settings.database}-{created:%Y%m%d-%H%M%S}-{created.microsecond // 1000:03d}"
    final = root / name
    partial = root / (name + PARTIAL_SUFFIX)
    with _disk_errors(root):
        partial.mkdir(parents=True, mode=0o700)
    try:
        manifest = _write_set(settings, partial, created)
        manifest["seconds"] = round(time.perf_counter() - started, 3)
        with _disk_errors(partial):
            _write_json(partial / MANIFEST, manifest)
            os.replace(partial, final)
    except BaseException:
        shutil.rmtree(partial, ignore_errors=True)
        raise
    size = sum(p.stat().st_size for p in final.iterdir())
    _audit(settings, actor, "db_backup", str(final), database=settings.database,
           bytes=size)
    return BackupResult(final, manifest, size, time.perf_counter() - started)


def _write_set(settings: Settings, folder: Path, created: dt.datetime) -> dict:
    """Fill ``folder`` with the graph zip and the store copy; return the manifest."""
    from graph.backend import connect

    phases = {}
    info = arcadedb_server.ensure_running(settings)
    with connect(settings) as graph:
        with _timed(phases, "counts"):
            before = graph_counts(graph)
        with _timed(phases, "graph"):
            server_file = _server_backup(info, settings.database)
        with _timed(phases, "counts"):
            after = graph_counts(graph)
    graph_file = folder / f"{settings.database}.zip"
    try:
        with _timed(phases, "graph"), _disk_errors(folder):
            # The server writes into its own backups/ folder; the set keeps the only copy.
            shutil.move(str(server_file), graph_file)
    except BackupError:
        # No stray copy of personal data left in the server's folder by a failed set.
        server_file.unlink(missing_ok=True)
        raise
    with _timed(phases, "store"):
        store = _backup_store(settings, folder)
    return {
        "format": FORMAT,
        "created_at": created.isoformat(timespec="seconds"),
        "engine": "arcadedb",
        "database": settings.database,
        "minqing_version": _version("minqing"),
        "arcadedb_version": _version("arcadedb-embedded"),
        "graph": _file_entry(graph_file),
        # Counts read just before and after the snapshot: equal means no write ran in
        # between, so they are the snapshot's and a restore can be checked against them.
        "counts": {**after, "consistent": before == after},
        "store": store,
        "phases_s": {k: round(v, 3) for k, v in phases.items()},
    }


def graph_counts(graph) -> dict:
    """Return ``{"nodes": {label: n}, "relationships": {type: n}}`` from the named queries."""
    from graph.backend import batch_timeout_ms
    from queries.registry import get_query

    nodes = graph.read(get_query("counts_by_label").cypher,
                       timeout_ms=batch_timeout_ms(graph.settings)).rows
    rels = graph.read(get_query("counts_by_relationship").cypher,
                      timeout_ms=batch_timeout_ms(graph.settings)).rows
    return {"nodes": {r["label"]: r["nodes"] for r in nodes},
            "relationships": {r["relationship"]: r["relationships"] for r in rels}}


def _server_backup(info: arcadedb_server.ServerInfo, database: str) -> Path:
    """Run ``BACKUP DATABASE`` on the server; return the zip it wrote."""
    request = urllib.request.Request(
        f"{info.http_url}/api/v1/command/{database}", method="POST",
        data=json.dumps({"language": "sql", "command": "BACKUP DATABASE"}).encode(),
        headers={"Content-Type": "application/json",
                 "Authorization": "Basic " + base64.b64encode(
                     f"{info.user}:{info.password}".encode()).decode()})
    try:
        with urllib.request.urlopen(request, timeout=BACKUP_TIMEOUT_S) as response:
            body = json.loads(response.read())
    except urllib.error.HTTPError as e:
        detail = e.read().decode(errors="replace")
        if "No space left" in detail:
            raise BackupError(f"Disk full: ArcadeDB could not write the backup of {database!r} "
                              f"under {info.home}/backups; free space and retry.") from e
        raise BackupError(f"ArcadeDB refused BACKUP DATABASE on {database!r}: "
                          f"{_one_line(detail)}") from e
    except OSError as e:
        raise BackupError(f"Cannot reach the embedded ArcadeDB at {info.http_url} for the "
                          f"backup ({e}); run `minqing db status`.") from e
    rows = body.get("result") or [{}]
    reported = rows[0].get("backupFile")
    if not reported:
        raise BackupError(f"ArcadeDB's BACKUP DATABASE answered without a file: "
                          f"{_one_line(json.dumps(body))}")
    path = Path(reported)
    if not path.is_absolute():
        # A bare name: the server's default place, backups/<database>/ under its root.
        candidates = [Path(info.home) / "backups" / database / path,
                      Path(info.home) / path]
        path = next((c for c in candidates if c.is_file()), candidates[0])
    if not path.is_file():
        raise BackupError(f"ArcadeDB reported the backup {reported!r} but {path} does not "
                          "exist; see the server log under <data_dir>/arcadedb/server.log.")
    return path


def _backup_store(settings: Settings, folder: Path) -> dict | None:
    """Copy the workflow store with SQLite's online backup API; None if there is none."""
    from queries.store import store_path

    live = store_path(settings)
    if not live.exists():
        return None
    copy = folder / STORE_COPY
    with _disk_errors(folder):
        os.close(os.open(copy, os.O_CREAT | os.O_WRONLY | os.O_EXCL, 0o600))
        source = sqlite3.connect(live, timeout=30)
        target = sqlite3.connect(copy)
        try:
            source.backup(target)
            # One self-contained file: no -wal beside it to lose when the set is copied.
            target.execute("PRAGMA journal_mode=DELETE")
            tables = store_table_counts(target)
        except sqlite3.Error as e:
            raise BackupError(f"Cannot copy the workflow store {live}: {e}") from e
        finally:
            target.close()
            source.close()
    return {**_file_entry(copy), "tables": tables}


def store_table_counts(conn: sqlite3.Connection) -> dict[str, int]:
    """Return rows per table of a SQLite database, by table name."""
    names = [r[0] for r in conn.execute(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' "
        "ORDER BY name")]
    # Names come from sqlite_master itself; quoting keeps odd ones intact.
    return {n: conn.execute(f'SELECT count(*) FROM "{n.replace(chr(34), chr(34) * 2)}"')
            .fetchone()[0] for n in names}


# -- restore -----------------------------------------------------------------------------

def read_manifest(path: Path) -> tuple[Path, dict]:
    """Return the set's folder and its manifest, given the folder or its manifest.json.

    Raises:
        BackupError: no such set, unreadable or foreign manifest, or an unfinished set.
    """
    path = Path(path)
    folder = path.parent if path.name == MANIFEST else path
    if folder.name.endswith(PARTIAL_SUFFIX):
        raise BackupError(f"{folder} is an unfinished backup (its name ends in "
                          f"{PARTIAL_SUFFIX}); use a complete set.")
    if not folder.is_dir():
        raise BackupError(f"No backup set at {folder}: give the folder `minqing db backup` "
                          "printed (it holds manifest.json).")
    try:
        manifest = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
    except FileNotFoundError as e:
        raise BackupError(f"{folder} holds no {MANIFEST}; it is not a Minqing backup set.") from e
    except (OSError, ValueError) as e:
        raise BackupError(f"{folder / MANIFEST} is unreadable or not JSON ({e}).") from e
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise BackupError(f"{folder / MANIFEST} is not a {FORMAT} manifest.")
    if manifest.get("engine") != "arcadedb":
        raise BackupError(f"The backup in {folder} is of engine {manifest.get('engine')!r}; "
                          "only arcadedb backups restore with `minqing db restore`.")
    return folder, manifest


def check_set(folder: Path, manifest: dict) -> None:
    """Check every file of the set against the manifest (size, SHA-256, zip integrity).

    Raises:
        BackupError: naming the missing, changed or corrupt file.
    """
    entries = [manifest.get("graph")] + ([manifest["store"]] if manifest.get("store") else [])
    for entry in entries:
        if not isinstance(entry, dict) or "file" not in entry:
            raise BackupError(f"{folder / MANIFEST} lacks a file entry; the set is damaged.")
        path = folder / entry["file"]
        if not path.is_file():
            raise BackupError(f"The backup file {path} is missing.")
        if path.stat().st_size != entry.get("bytes") or _sha256(path) != entry.get("sha256"):
            raise BackupError(f"The backup file {path} is corrupt: its size or SHA-256 differs "
                              f"from {MANIFEST}.")
    graph_zip = folder / manifest["graph"]["file"]
    try:
        with zipfile.ZipFile(graph_zip) as archive:
            bad = archive.testzip()
    except (zipfile.BadZipFile, zlib.error, EOFError, OSError, ValueError) as e:
        raise BackupError(f"The backup file {graph_zip} is not a readable zip ({e}).") from e
    if bad is not None:
        raise BackupError(f"The backup file {graph_zip} is corrupt (entry {bad!r} fails its "
                          "CRC check).")


def existing_data(settings: Settings) -> list[Path]:
    """Return what in ``settings``' data dir a restore would replace (database, store)."""
    from queries.store import store_path

    found = []
    database_dir = arcadedb_server.server_home(settings) / "databases" / settings.database
    if database_dir.exists():
        found.append(database_dir)
    if store_path(settings).exists():
        found.append(store_path(settings))
    return found


def restore(path: Path, settings: Settings, *, force: bool = False,
            actor: str = "cli") -> RestoreResult:
    """Restore a backup set into ``settings``' data dir, start the server, check counts.

    Args:
        path: the set's folder (or its manifest.json).
        force: replace a database and workflow store already in the data dir.

    Raises:
        BackupError: bad set, engine not embedded, target not empty (without force), a
            server running on the target, the restore tool failing, or counts that differ
            from the manifest.
    """
    if not settings.is_embedded:
        raise BackupError("graph_uri points at Neo4j; restore it with `neo4j-admin database "
                          "load` (docs/BACKUP.md), not `minqing db restore`.")
    started = time.perf_counter()
    phases: dict[str, float] = {}
    folder, manifest = read_manifest(path)
    with _timed(phases, "check"):
        check_set(folder, manifest)
    if arcadedb_server.find_running(settings) is not None:
        raise BackupError(f"An ArcadeDB server is running on data_dir={settings.data_dir}; "
                          "stop it first (`minqing db stop` with the same MINQING_DATA_DIR).")
    in_the_way = existing_data(settings)
    if in_the_way and not force:
        raise BackupError(
            f"data_dir={settings.data_dir} already holds "
            f"{' and '.join(str(p) for p in in_the_way)}; restore into an empty data dir "
            "(--data-dir or MINQING_DATA_DIR), or pass --force to replace them.")
    for name in ("arcadedb_bolt_port", "arcadedb_http_port"):
        # The restored data is started at the end: find a clash before unpacking anything.
        if not arcadedb_server._port_free(settings[name]):
            raise BackupError(
                f"Port {settings[name]} is taken (another graph server?); set {name} "
                f"(MINQING_{name.upper()}) to a free port for the restored data_dir.")
    with _timed(phases, "graph"):
        _restore_graph(settings, folder / manifest["graph"]["file"])
    with _timed(phases, "store"):
        if manifest.get("store"):
            _restore_store(settings, folder / manifest["store"]["file"])
    with _timed(phases, "start_and_count"):
        counts = _check_counts(settings, manifest)
    _audit(settings, actor, "db_restore", str(folder), database=settings.database,
           created_at=manifest.get("created_at"), forced=force)
    return RestoreResult(settings.data_path, manifest, counts, time.perf_counter() - started,
                         phases)


def _restore_graph(settings: Settings, graph_zip: Path) -> None:
    """Unpack the zip with ArcadeDB's restore tool beside the databases folder, then move it in.

    Restoring next to the target and renaming keeps an old database until the new one is
    whole, and leaves no half-restored folder where the server looks for databases.
    """
    home = arcadedb_server.server_home(settings)
    databases = home / "databases"
    staging = home / "restoring" / settings.database
    with _disk_errors(home):
        databases.mkdir(parents=True, exist_ok=True)
        shutil.rmtree(staging, ignore_errors=True)
        staging.parent.mkdir(parents=True, exist_ok=True)
    # The wheel's own JRE and jars: the same ArcadeDB that wrote the backup reads it.
    package_dir = arcadedb_server._package_dir()
    # The tool takes only a relative backup file name (no '/' or '..'): run it in the set.
    command = [str(package_dir / "jre" / "bin" / "java"), f"-Xmx{settings.jvm_heap_mb}m",
               "-cp", str(package_dir / "jars" / "*"), RESTORE_CLASS,
               "-f", graph_zip.name, "-d", str(staging.resolve())]
    done = subprocess.run(command, capture_output=True, text=True,
                          cwd=graph_zip.resolve().parent)
    if done.returncode != 0 or not staging.is_dir():
        shutil.rmtree(staging, ignore_errors=True)
        output = (done.stderr or "") + (done.stdout or "")
        if "No space left" in output:
            raise BackupError(f"Disk full while restoring into {home}; free space and retry.")
        raise BackupError(f"ArcadeDB's restore tool failed on {graph_zip}: "
                          f"{_one_line(_last_error(output))}")
    target = databases / settings.database
    replaced = home / "restoring" / f"{settings.database}.replaced"
    with _disk_errors(home):
        if target.exists():
            shutil.rmtree(replaced, ignore_errors=True)
            os.replace(target, replaced)
        os.replace(staging, target)
        shutil.rmtree(home / "restoring", ignore_errors=True)


def _restore_store(settings: Settings, copy: Path) -> None:
    """Bring the workflow store back with SQLite's backup API (replaces its content whole)."""
    from queries.store import connect, store_path

    try:
        source = sqlite3.connect(f"file:{copy}?mode=ro", uri=True)
        try:
            verdict = source.execute("PRAGMA integrity_check").fetchone()[0]
        except sqlite3.DatabaseError as e:
            source.close()
            raise BackupError(f"The workflow store copy {copy} is not a SQLite database "
                              f"({e}).") from e
        if verdict != "ok":
            source.close()
            raise BackupError(f"The workflow store copy {copy} fails its integrity check: "
                              f"{verdict}")
        target = connect(settings)
        try:
            source.backup(target)
        finally:
            target.close()
            source.close()
    except sqlite3.Error as e:
        raise BackupError(f"Cannot restore the workflow store into {store_path(settings)}: "
                          f"{e}") from e


def _check_counts(settings: Settings, manifest: dict) -> dict:
    """Start the server on the restored data and compare its counts with the manifest."""
    from graph.backend import connect

    with connect(settings) as graph:
        counts = graph_counts(graph)
    expected = manifest.get("counts") or {}
    if expected.get("consistent"):
        for kind in ("nodes", "relationships"):
            if counts[kind] != expected.get(kind):
                raise BackupError(
                    f"The restored graph in data_dir={settings.data_dir} has {kind} "
                    f"{counts[kind]}, the manifest {expected.get(kind)}; the backup does not "
                    "match its manifest.")
    store = manifest.get("store")
    if store:
        from queries.store import connect as store_connect

        conn = store_connect(settings)
        try:
            tables = store_table_counts(conn)
        finally:
            conn.close()
        missing = {t: n for t, n in store["tables"].items() if tables.get(t) != n}
        if missing:
            raise BackupError(f"The restored workflow store differs from the manifest in "
                              f"{', '.join(sorted(missing))}.")
        counts["store_tables"] = tables
    return counts


# -- reports -----------------------------------------------------------------------------

def describe_backup(result: BackupResult) -> str:
    """Say what a backup wrote: the set, each file and its size, and the time taken."""
    m = result.manifest
    lines = [f"Backup set {result.path} ({_size(result.size_bytes)} in {result.seconds:.1f} s)",
             f"  graph: {result.path / m['graph']['file']} ({_size(m['graph']['bytes'])}, "
             f"{sum(m['counts']['nodes'].values())} nodes, "
             f"{sum(m['counts']['relationships'].values())} relationships)"]
    if m.get("store"):
        lines.append(f"  store: {result.path / m['store']['file']} "
                     f"({_size(m['store']['bytes'])}, {len(m['store']['tables'])} tables)")
    else:
        lines.append("  store: none (no workflow store in data_dir yet)")
    if not m["counts"]["consistent"]:
        lines.append("  note: the graph changed during the backup; its counts are not "
                     "checked on restore")
    return "\n".join(lines)


def describe_restore(result: RestoreResult) -> str:
    """Say what a restore brought back, where, and how long it took."""
    nodes = sum(result.counts["nodes"].values())
    rels = sum(result.counts["relationships"].values())
    text = (f"Restored the backup of {result.manifest['created_at']} into "
            f"{result.data_dir} in {result.seconds:.1f} s: {nodes} nodes and {rels} "
            f"relationships")
    text += (", as in the manifest" if result.manifest["counts"].get("consistent")
             else " (not checked: the graph changed while it was backed up)")
    if "store_tables" in result.counts:
        text += f"; workflow store with {len(result.counts['store_tables'])} tables"
    return text + ". The graph server is running on it."


def _size(n: int) -> str:
    for unit in ("B", "KiB", "MiB", "GiB"):
        if n < 1024 or unit == "GiB":
            return f"{n:.0f} {unit}" if unit == "B" else f"{n:.1f} {unit}"
        n /= 1024
    return f"{n} B"


# -- helpers -----------------------------------------------------------------------------

class _timed:
    """Add the seconds the block takes to ``phases[name]``."""

    def __init__(self, phases: dict, name: str):
        self.phases, self.name = phases, name

    def __enter__(self):
        self.start = time.perf_counter()

    def __exit__(self, *exc):
        self.phases[self.name] = self.phases.get(self.name, 0.0) + \
            time.perf_counter() - self.start
        return False


def _audit(settings: Settings, actor: str, action: str, target: str, **detail) -> None:
    from queries import audit
    from queries.store import connect

    conn = connect(settings)
    try:
        audit.record(conn, actor, action, target, **detail)
    finally:
        conn.close()


class _disk_errors:
    """Turn an OSError while writing under ``folder`` into a one-line BackupError."""

    def __init__(self, folder: Path):
        self.folder = folder

    def __enter__(self):
        return self

    def __exit__(self, kind, error, tb):
        if error is None or not isinstance(error, OSError):
            return False
        raise BackupError(disk_error_message(error, self.folder)) from error


def disk_error_message(error: OSError, folder: Path) -> str:
    """Say in one line what went wrong writing under ``folder`` and what to do.

    >>> disk_error_message(OSError(28, "No space left on device"), Path("/b"))
    'Disk full while writing under /b; free space or choose another folder with --to.'
    """
    if error.errno == errno.ENOSPC:
        return f"Disk full while writing under {folder}; free space or choose another " \
               "folder with --to."
    if error.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
        return f"Cannot write under {folder}: {error.strerror}; choose a writable folder."
    return f"Cannot write under {folder}: {error.strerror or error}."


def _file_entry(path: Path) -> dict:
    return {"file": path.name, "bytes": path.stat().st_size, "sha256": _sha256(path)}


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _write_json(path: Path, value: dict) -> None:
    with open(path, "w", encoding="utf-8") as f:
        json.dump(value, f, indent=2, ensure_ascii=False, sort_keys=True)
        f.flush()
        os.fsync(f.fileno())


def _version(package: str) -> str:
    try:
        return metadata.version(package)
    except metadata.PackageNotFoundError:
        return "unknown"


def _one_line(text: str, limit: int = 300) -> str:
    return " ".join(text.split())[:limit]


def _last_error(output: str) -> str:
    """The most telling line of a Java tool's output: its last exception message."""
    lines = [line for line in output.splitlines() if line.strip()]
    for line in reversed(lines):
        if "Exception" in line and ":" in line:
            return line.split(":", 1)[1] if line.lstrip().startswith("Caused by") else line
    return lines[-1] if lines else "no output"
