"""Latency from POST /api/events to the notice in the official's inbox, median over N events.

Builds the fixture graph in a scratch database (never the demo district), serves the real
app under waitress in a thread with a private workflow store, then for each of N hospital
discharges of a lone senior times: POST (with the token) until the notice shows in
``/inbox/O1.json``. Baseline in the same process: a plain GET of that inbox page, so the
ratio shows what validation, the graph writes and the rule queries add.

    .venv/bin/python bench/notice_latency.py [--events 50]
"""

from __future__ import annotations

import argparse
import tempfile
import threading
import time
from pathlib import Path

import requests
from harness import median, percentile, report, scratch_graph
from waitress.server import create_server

from ingest.fixture_graph import load_fixture_graph
from webapp import create_app

TOKEN = "bench-token"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--events", type=int, default=50)
    args = parser.parse_args()

    with scratch_graph("notices") as graph, tempfile.TemporaryDirectory() as tmp:
        load_fixture_graph(graph)
        app = create_app({**graph.settings, "intake_token": TOKEN})
        app.config["WORKFLOW_STORE"] = str(Path(tmp) / "workflow.sqlite3")
        wsgi = create_server(app, host="127.0.0.1", port=0, threads=4)
        thread = threading.Thread(target=wsgi.run, daemon=True)
        thread.start()
        base = f"http://127.0.0.1:{wsgi.effective_port}"
        session = requests.Session()
        headers = {"Authorization": f"Bearer {TOKEN}"}

        def post_until_visible(number: int) -> float:
            event_id = f"bench:{number}"
            start = time.perf_counter()
            response = session.post(f"{base}/api/events", headers=headers, timeout=60, json={
                "event_id": event_id, "kind": "hospital_discharge", "date": "2025-06-25",
                "resident_id": "R01", "properties": {"hospital": "市第十人民医院"}})
            assert response.status_code == 201, response.text
            while True:
                items = session.get(f"{base}/inbox/O1.json", timeout=60).json()[
                    "sections"][0]["items"]
                if any(n["event_id"] == event_id for n in items):
                    return time.perf_counter() - start
                time.sleep(0.01)

        def plain_get() -> float:
            start = time.perf_counter()
            session.get(f"{base}/inbox/O1.json", timeout=60).raise_for_status()
            return time.perf_counter() - start

        for number in range(3):  # warm-up: JIT, caches, the store's tables
            post_until_visible(-1 - number)
        latencies = [post_until_visible(n) * 1000 for n in range(args.events)]
        baseline = [plain_get() * 1000 for _ in range(args.events)]
        engine = graph.engine
        wsgi.trigger.pull_trigger(lambda: wsgi.asyncore.close_all(wsgi._map, ignore_all=True))
        thread.join(timeout=10)
        wsgi.task_dispatcher.shutdown()

    n = args.events
    report("notice_post_to_inbox_median", median(latencies), "ms", n, engine)
    report("notice_post_to_inbox_p95", percentile(latencies, 95), "ms", n, engine)
    report("inbox_get_median_baseline", median(baseline), "ms", n, engine)
    report("notice_post_vs_inbox_get_median", median(latencies) / median(baseline), "ratio", n,
           engine)


if __name__ == "__main__":
    main()
