"""``minqing serve`` as a real waitress process answering HTTP on loopback."""

import json
import os
import subprocess
import sys
import time
import urllib.request
from http.cookiejar import CookieJar
from pathlib import Path

from tests.conftest import free_port, settings_env
from tests.webapp.login_helpers import http_login


def test_serve_answers_over_http(settings, small_graph):
    port = free_port()
    env = {**os.environ, **settings_env(settings),
           "MINQING_GRAPH_DATABASE": small_graph.database, "MINQING_WEB_PORT": str(port)}
    process = subprocess.Popen([str(Path(sys.executable).parent / "minqing"), "serve"],
                               env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(CookieJar()))
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                http_login(opener, f"http://127.0.0.1:{port}", settings)
                with opener.open(f"http://127.0.0.1:{port}/index.json",
                                 timeout=5) as response:
                    document = json.loads(response.read())
                    server_header = response.headers.get("Server", "")
                break
            except OSError:
                assert process.poll() is None, process.stdout.read().decode()
                assert time.monotonic() < deadline, "the app did not answer within 60 s"
                time.sleep(0.3)
        assert document["ok"] is True
        assert {"label": "Resident", "nodes": 12} in document["labels"]
        assert "minqing" in server_header  # waitress's ident, not Flask's dev server
    finally:
        process.terminate()
        process.wait(timeout=30)
