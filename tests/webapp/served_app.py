"""``minqing serve`` (waitress) in a subprocess, for tests that need a real HTTP server.

``ServedApp(settings, database=...)`` starts the server on a free port with the test's
settings and keeps a cookie-holding ``opener``; ``wait_until(probe)`` retries ``probe()``
until the server answers (connection refused while it starts), ``stop()`` ends it. The
fault suite's ``App`` builds on it (tests/faults/test_app_graph_down.py).
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
import urllib.request
from http.cookiejar import CookieJar
from pathlib import Path

from tests.conftest import free_port, settings_env

MINQING = str(Path(sys.executable).parent / "minqing")


class ServedApp:
    """A ``minqing serve`` child process on a free port of 127.0.0.1."""

    def __init__(self, settings, *, database: str | None = None, log: Path | None = None,
                 env: dict | None = None, command: list[str] | None = None,
                 port: int | None = None):
        self.port = port or free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.settings = settings
        self.env = {**os.environ, **settings_env(settings), "MINQING_WEB_PORT": str(self.port),
                    **({"MINQING_GRAPH_DATABASE": database} if database else {}), **(env or {})}
        self.log = log
        output = open(log, "wb") if log else subprocess.PIPE
        self.process = subprocess.Popen(command or [MINQING, "serve"], env=self.env,
                                        stdout=output, stderr=subprocess.STDOUT)
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(CookieJar()))

    def output(self) -> str:
        """What the server printed so far (its log file, or its pipe once it has ended)."""
        if self.log:
            return self.log.read_text(errors="replace")[-3000:]
        if self.process.poll() is not None:
            return self.process.stdout.read().decode(errors="replace")[-3000:]
        return "(still running)"

    def wait_until(self, probe, timeout: float = 60):
        """Call ``probe()`` until it stops raising OSError (the server is starting); return
        its result. Fails if the server exits or ``timeout`` seconds pass."""
        deadline = time.monotonic() + timeout
        while True:
            try:
                return probe()
            except OSError:
                assert self.process.poll() is None, self.output()
                assert time.monotonic() < deadline, f"the app did not answer within {timeout} s"
                time.sleep(0.3)

    def get(self, path: str, timeout: float = 10) -> str:
        """GET ``path`` with the opener's cookies; return the body as text."""
        with self.opener.open(f"{self.base}{path}", timeout=timeout) as response:
            return response.read().decode()

    def stop(self) -> None:
        """Terminate the server (kill it if it does not end within 30 s)."""
        self.process.terminate()
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
