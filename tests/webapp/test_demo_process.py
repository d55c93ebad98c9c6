"""``minqing demo --fixture`` as a real process: app, stored silent groups and the gateway."""

import json
import os
import subprocess
import sys
import time
import re
import urllib.parse
import urllib.request
from http.cookiejar import CookieJar
from pathlib import Path

from tests.conftest import free_port, settings_env


def _get(url, opener=None):
    with (opener or urllib.request.build_opener()).open(url, timeout=5) as response:
        return json.loads(response.read())


def _demo_login(opener, base, settings, role):
    """Log in with the demo's printed login for ``role`` (from <data_dir>/demo_logins)."""
    path = settings.data_path / "demo_logins"
    assert path.stat().st_mode & 0o077 == 0, "demo_logins must be private (0600)"
    name, _role, _areas, password = next(
        line.split("\t") for line in path.read_text().splitlines()
        if line.split("\t")[1] == role)
    with opener.open(f"{base}/login", timeout=5) as response:
        token = re.search(r'name="csrf_token" value="([^"]+)"', response.read().decode())[1]
    body = urllib.parse.urlencode({"csrf_token": token, "name": name, "password": password})
    with opener.open(f"{base}/login", data=body.encode(), timeout=5) as response:
        assert "/login" not in response.geturl()


def test_demo_serves_programs_and_starts_the_gateway(settings, empty_graph):
    web, gateway = free_port(), free_port()
    env = {**os.environ, **settings_env(settings),
           "MINQING_GRAPH_DATABASE": empty_graph.database, "MINQING_WEB_PORT": str(web),
           "MINQING_OUTREACH_GATEWAY_PORT": str(gateway)}
    process = subprocess.Popen([str(Path(sys.executable).parent / "minqing"), "demo",
                                "--fixture"], env=env, stdout=subprocess.PIPE,
                               stderr=subprocess.STDOUT)
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(CookieJar()))
    base = f"http://127.0.0.1:{web}"
    try:
        deadline = time.monotonic() + 120
        while True:
            try:
                _demo_login(opener, base, settings, "admin")
                programs = _get(f"{base}/programs.json", opener)
                break
            except OSError:
                assert process.poll() is None, process.stdout.read().decode()
                assert time.monotonic() < deadline, "the demo did not answer within 120 s"
                time.sleep(0.5)
        sizes = {p["program_id"]: p["silent_size"] for p in programs["programs"]}
        assert sizes["anti_fraud_talk_2025"] == 1  # stored by the demo itself
        assert _get(f"http://127.0.0.1:{gateway}/messages")["messages"] == []
    finally:
        process.terminate()
        process.wait(timeout=30)
    time.sleep(0.5)
    try:
        urllib.request.urlopen(f"http://127.0.0.1:{gateway}/messages", timeout=2)
        raise AssertionError("the gateway outlived the demo")
    except OSError:
        pass
