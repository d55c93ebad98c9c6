"""``minqing demo --fixture`` as a real process: app, stored silent groups and the gateway."""

import json
import os
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from tests.conftest import free_port, settings_env


def _get(url):
    with urllib.request.urlopen(url, timeout=5) as response:
        return json.loads(response.read())


def test_demo_serves_programs_and_starts_the_gateway(settings, empty_graph):
    web, gateway = free_port(), free_port()
    env = {**os.environ, **settings_env(settings),
           "MINQING_GRAPH_DATABASE": empty_graph.database, "MINQING_WEB_PORT": str(web),
           "MINQING_OUTREACH_GATEWAY_PORT": str(gateway)}
    process = subprocess.Popen([str(Path(sys.executable).parent / "minqing"), "demo",
                                "--fixture"], env=env, stdout=subprocess.PIPE,
                               stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 120
        while True:
            try:
                programs = _get(f"http://127.0.0.1:{web}/programs.json")
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
