"""The embedded server's life: start, reuse, loopback only, stale state, clear failures."""

import json
import os
import signal
import socket
import stat
import time

import pytest

from graph import arcadedb_server
from graph.errors import GraphUnavailable
from graph.settings import load_settings
from tests.conftest import NEO4J_URI, free_port

pytestmark = pytest.mark.skipif(bool(NEO4J_URI), reason="embedded engine only")


def _own_settings(tmp_path, **changes):
    values = {"data_dir": str(tmp_path / "data"), "config_file": str(tmp_path / "none.toml"),
              "arcadedb_bolt_port": free_port(), "arcadedb_http_port": free_port(),
              "jvm_heap_mb": 512, "arcadedb_start_timeout_s": 90}
    values.update(changes)
    return load_settings(values, environ={})


def _listening_addresses(port: int) -> set[str]:
    """Local addresses with a listening TCP socket on ``port``, from /proc/net/tcp{,6}."""
    found = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        with open(table) as f:
            next(f)
            for line in f:
                local, state = line.split()[1], line.split()[3]
                address, port_hex = local.split(":")
                if state == "0A" and int(port_hex, 16) == port:
                    found.add(address)
    return found


def test_password_file_is_private_and_reused(server, settings):
    path = arcadedb_server.server_home(settings) / "root_password"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert arcadedb_server.ensure_running(settings).password == path.read_text().strip()


def test_second_call_reuses_the_running_server(server, settings):
    again = arcadedb_server.ensure_running(settings)
    assert again.pid == server.pid


def test_listens_on_loopback_only(server):
    # 0100007F is 127.0.0.1 in /proc/net/tcp; the IPv6 table writes it as ::ffff:127.0.0.1.
    loopback = {"0100007F", "0000000000000000FFFF00000100007F"}
    for port in (server.bolt_port, server.http_port):
        addresses = _listening_addresses(port)
        assert addresses and addresses <= loopback, (port, addresses)


def test_port_taken_names_the_setting(tmp_path):
    settings = _own_settings(tmp_path)
    with socket.socket() as blocker:
        blocker.bind(("127.0.0.1", settings.arcadedb_bolt_port))
        blocker.listen()
        with pytest.raises(GraphUnavailable, match="arcadedb_bolt_port"):
            arcadedb_server.ensure_running(settings)


def test_failed_start_reports_the_log(tmp_path):
    # A heap too small for the JVM to start at all.
    settings = _own_settings(tmp_path, jvm_heap_mb=1)
    with pytest.raises(GraphUnavailable, match="exited during start-up"):
        arcadedb_server.ensure_running(settings)
    assert not (arcadedb_server.server_home(settings) / "server.json").exists()


def test_killed_server_is_detected_and_restarted(tmp_path):
    settings = _own_settings(tmp_path)
    first = arcadedb_server.ensure_running(settings)
    try:
        os.kill(first.pid, signal.SIGKILL)
        deadline = time.monotonic() + 10  # SIGKILL is delivered asynchronously
        while arcadedb_server._pid_alive(first.pid) and time.monotonic() < deadline:
            time.sleep(0.05)
        state = json.loads((arcadedb_server.server_home(settings) / "server.json").read_text())
        assert state["pid"] == first.pid  # the stale state file is still there
        second = arcadedb_server.ensure_running(settings)
        assert second.pid != first.pid
    finally:
        arcadedb_server.stop(settings)
    assert arcadedb_server.find_running(settings) is None


def test_stale_state_pointing_at_another_process_is_ignored(tmp_path):
    settings = _own_settings(tmp_path)
    home = arcadedb_server.server_home(settings)
    home.mkdir(parents=True)
    (home / "server.json").write_text(json.dumps({"pid": os.getpid(), "bolt_port": 1,
                                                  "http_port": 2}))
    assert arcadedb_server.find_running(settings) is None
    assert not (home / "server.json").exists()
