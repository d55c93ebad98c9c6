"""Dashboard and profile pages' server time on the default (83 k demo) district.

Reads the demo graph only. The app runs in process (Flask test client, the full request
path: gate, view, template or JSON) with a copy of the demo's workflow store in /tmp, where
a bench user is created to log in with; the demo's own files are not touched.

Figures: the KPI computation without cache (the baseline: what every request would cost
without ``dashboard_cache_s``), then p50/p95 of ``/dashboard.json`` and ``/dashboard`` served
from the cache, and of a resident and a building profile page. Ratios are against the baseline.

    .venv/bin/python bench/dashboard_latency.py [--runs 200] [--cold-runs 5]
"""

from __future__ import annotations

import argparse
import random
import shutil
import tempfile
from pathlib import Path

from harness import median, percentile, report, timed

from graph.settings import load_settings


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=200)
    parser.add_argument("--cold-runs", type=int, default=5)
    args = parser.parse_args()

    from queries import users
    from queries.dashboard import dashboard_kpis
    from queries.store import connect, store_path
    from webapp import create_app
    from webapp.graph_handle import get_graph

    settings = load_settings()
    scratch = Path(tempfile.mkdtemp(prefix="minqing_bench_dashboard_"))
    store = scratch / "workflow.sqlite3"
    if store_path(settings).exists():
        shutil.copy(store_path(settings), store)
    conn = connect(store)
    users.add_user(conn, "bench", "bench-password", "admin")
    conn.close()

    app = create_app()
    app.config["WORKFLOW_STORE"] = str(store)
    app.config["WTF_CSRF_ENABLED"] = False  # the bench logs in by POST without a form
    client = app.test_client()
    assert client.post("/login", data={"name": "bench", "password": "bench-password"}
                       ).status_code in (302, 303), "bench login failed"

    with app.app_context():
        graph = get_graph()
        engine = graph.engine
        residents = [r["id"] for r in graph.read(
            "MATCH (r:Resident) RETURN r.resident_id AS id LIMIT 500").rows]
        buildings = [r["id"] for r in graph.read(
            "MATCH (b:Building) RETURN b.building_id AS id LIMIT 500").rows]
        conn = connect(store)
        cold = [timed(dashboard_kpis, graph, conn)[0] * 1000 for _ in range(args.cold_runs)]
        conn.close()

    def served(url_of) -> list[float]:
        for _ in range(3):  # warm-up (the first request fills the cache)
            client.get(url_of())
        times = []
        for _ in range(args.runs):
            seconds, response = timed(client.get, url_of())
            assert response.status_code == 200, (url_of(), response.status_code)
            times.append(seconds * 1000)
        return times

    rng = random.Random(8)
    baseline = median(cold)
    rows = [("KPI computation, no cache (baseline)", cold)]
    rows.append(("/dashboard.json from cache", served(lambda: "/dashboard.json")))
    rows.append(("/dashboard from cache", served(lambda: "/dashboard")))
    rows.append(("/residents/<id>", served(lambda: f"/residents/{rng.choice(residents)}")))
    rows.append(("/buildings/<id>", served(lambda: f"/buildings/{rng.choice(buildings)}")))

    print(f"\n{'what':40} {'p50 ms':>9} {'p95 ms':>9} {'n':>5} {'p50 / baseline':>15}")
    for name, times in rows:
        print(f"{name:40} {median(times):9.1f} {percentile(times, 95):9.1f} {len(times):5} "
              f"{median(times) / baseline:15.4f}")
    for name, times in rows:
        report(f"dashboard_latency: {name}", median(times), "ms p50", len(times), engine,
               p95_ms=round(percentile(times, 95), 2), ratio_to_baseline=round(
                   median(times) / baseline, 4))
    shutil.rmtree(scratch, ignore_errors=True)


if __name__ == "__main__":
    main()
