"""Web load on the 83 k demo district: server time per page, then 20 clients × 500 requests.

The app is ``minqing serve``'s waitress server in a subprocess (same ``create_app``, same
``waitress.serve`` call and thread count), with one difference: its workflow store is a copy
in /tmp (logins and profile views write audit rows there), so the demo's own files are not
touched; the demo graph is only read. A bench admin is created in that copy and logs in once
through the real login form (CSRF token and all); every client reuses that session cookie.

1. Server time: one client, requests one after another, ``--sequential`` per endpoint, so
   the time is the server's (loopback adds well under a millisecond). Baseline in the same
   run: ``GET /login`` (a template, no graph).
2. Load: ``--clients`` threads × ``--requests`` each over a fixed mix (dashboard page and
   twin, search page and twin over four demands, a resident profile twin); errors are
   anything but a 200 (or no answer within 60 s). Reports requests/s, p50/p95 per endpoint.

    .venv/bin/python bench/web_load.py [--clients 20] [--requests 500] [--sequential 30]
"""

from __future__ import annotations

import argparse
import os
import random
import re
import shutil
import socket
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from collections import defaultdict
from pathlib import Path

from harness import median, percentile, report

from graph.settings import load_settings

DEMANDS = [
    "周六下午在汾西路附近找一间能坐40人的活动室办糖尿病讲座，需要两名会急救的志愿者，邀请261弄的糖尿病老人",
    "this Sunday morning a calligraphy class for 20 seniors, one volunteer who teaches calligraphy",
    "防诈骗讲座，邀请独居老人，周四下午，50人",
    "a venue with a piano for a choir rehearsal next Saturday afternoon, 25 people",
]
USER, PASSWORD = "bench_web", "bench-web-" + os.urandom(6).hex()
_TOKEN = re.compile(r'name="csrf_token" value="([^"]+)"')


def serve_child(port: int, store: str, threads: int) -> None:
    """Child process: ``minqing serve`` with the workflow store at ``store``."""
    import waitress

    from webapp import create_app

    app = create_app({"web_port": port})
    app.config["WORKFLOW_STORE"] = store
    app.extensions["minqing_graph"].get()  # connect now, as `minqing serve` does
    print(f"serving on {port}", flush=True)
    waitress.serve(app, host="127.0.0.1", port=port, threads=threads, ident="minqing")


def copy_store(settings, target: Path) -> None:
    """Copy the demo's workflow store consistently (SQLite backup API; it may be in use)."""
    from queries.store import store_path

    source = store_path(settings)
    if source.exists():
        with sqlite3.connect(f"file:{source}?mode=ro", uri=True) as src, \
                sqlite3.connect(target) as dst:
            src.backup(dst)


def start_server(store: Path, threads: int, log: Path) -> tuple[subprocess.Popen, str]:
    """Start the child server on a free port and wait until /login answers."""
    import requests

    with socket.socket() as probe:  # a loopback port nothing listens on right now
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    out = open(log, "wb")
    process = subprocess.Popen([sys.executable, __file__, "--serve", str(port), str(store),
                                str(threads)], stdout=out, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 180
    while True:
        try:
            if requests.get(base + "/login", timeout=5).status_code == 200:
                return process, base
        except requests.RequestException:
            pass
        if process.poll() is not None or time.monotonic() > deadline:
            process.kill()
            raise SystemExit(f"the server did not start; see {log}:\n{log.read_text()[-2000:]}")
        time.sleep(0.5)


def log_in(base: str) -> str:
    """Log the bench user in through the form; return the session cookie's value."""
    import requests

    session = requests.Session()
    token = _TOKEN.search(session.get(base + "/login", timeout=30).text).group(1)
    response = session.post(base + "/login", data={"csrf_token": token, "name": USER,
                                                   "password": PASSWORD}, timeout=30)
    assert "/login" not in response.url, "bench login failed"
    return session.cookies["session"]


def endpoints(residents: list[str]) -> list[tuple[str, object]]:
    """The mix: (endpoint name, function of an rng returning a URL path)."""
    def search(rng, twin):
        return f"/search{twin}?q=" + urllib.parse.quote(rng.choice(DEMANDS))

    return [
        ("/dashboard", lambda rng: "/dashboard"),
        ("/dashboard.json", lambda rng: "/dashboard.json"),
        ("/search", lambda rng: search(rng, "")),
        ("/search.json", lambda rng: search(rng, ".json")),
        ("/residents/<id>.json", lambda rng: f"/residents/{rng.choice(residents)}.json"),
    ]


def fetch(session, base: str, path: str) -> tuple[float, bool]:
    """GET ``path``; return (seconds, answered 200)."""
    import requests

    start = time.perf_counter()
    try:
        ok = session.get(base + path, timeout=60, allow_redirects=False).status_code == 200
    except requests.RequestException:
        ok = False
    return time.perf_counter() - start, ok


def new_session(cookie: str):
    """A client of its own (own connection pool) carrying the logged-in cookie."""
    import requests

    session = requests.Session()
    session.cookies.set("session", cookie, domain="127.0.0.1")
    return session


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--requests", type=int, default=500, help="per client")
    parser.add_argument("--sequential", type=int, default=30, help="per endpoint, one client")
    parser.add_argument("--threads", type=int, default=8, help="waitress threads (serve's)")
    parser.add_argument("--serve", nargs=3, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve:
        serve_child(int(args.serve[0]), args.serve[1], int(args.serve[2]))
        return

    from graph.backend import connect as connect_graph
    from queries import users
    from queries.store import connect

    settings = load_settings()
    graph = connect_graph(settings)
    engine = graph.engine
    residents = [r["id"] for r in graph.read(
        "MATCH (r:Resident) RETURN r.resident_id AS id LIMIT 500").rows]
    graph.close()

    scratch = Path(tempfile.mkdtemp(prefix="minqing_bench_web_"))
    store = scratch / "workflow.sqlite3"
    copy_store(settings, store)
    conn = connect(store)
    users.add_user(conn, USER, PASSWORD, "admin")
    conn.close()
    process, base = start_server(store, args.threads, scratch / "serve.log")
    try:
        cookie = log_in(base)
        mix = endpoints(residents)
        rng = random.Random(8)
        session = new_session(cookie)
        for name, url_of in mix:  # warm-up: the dashboard's KPI cache, the encoder, pools
            for _ in range(3):
                fetch(session, base, url_of(rng))

        # 1. server time, one request at a time
        sequential: dict[str, list[float]] = {}
        for name, url_of in [("/login (baseline)", lambda rng: "/login"), *mix]:
            times = []
            for _ in range(args.sequential):
                seconds, ok = fetch(session, base, url_of(rng))
                assert ok, f"{name} failed in the sequential pass"
                times.append(seconds * 1000)
            sequential[name] = times

        # 2. load: clients × requests over the mix
        results: dict[str, list[float]] = defaultdict(list)
        errors: dict[str, int] = defaultdict(int)
        lock = threading.Lock()

        def client(number: int) -> None:
            own_rng, own = random.Random(number), new_session(cookie)
            for i in range(args.requests):
                name, url_of = mix[(number + i) % len(mix)]
                seconds, ok = fetch(own, base, url_of(own_rng))
                with lock:
                    results[name].append(seconds * 1000)
                    if not ok:
                        errors[name] += 1

        threads = [threading.Thread(target=client, args=(n,)) for n in range(args.clients)]
        started = time.perf_counter()
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        wall = time.perf_counter() - started
    finally:
        process.terminate()
        process.wait(timeout=30)
        shutil.rmtree(scratch, ignore_errors=True)

    total = sum(len(v) for v in results.values())
    every = [t for v in results.values() for t in v]
    baseline = median(sequential["/login (baseline)"])
    print(f"\nServer time, one client ({args.sequential} per endpoint)")
    print(f"{'endpoint':26} {'p50 ms':>9} {'p95 ms':>9} {'p50 / baseline':>15}")
    for name, times in sequential.items():
        print(f"{name:26} {median(times):9.1f} {percentile(times, 95):9.1f} "
              f"{median(times) / baseline:15.2f}")
    print(f"\nLoad: {args.clients} clients × {args.requests} requests, waitress threads "
          f"{args.threads}: {total} requests in {wall:.1f} s = {total / wall:.1f} requests/s, "
          f"{sum(errors.values())} errors")
    print(f"{'endpoint':26} {'n':>6} {'errors':>7} {'p50 ms':>9} {'p95 ms':>9}")
    for name, times in results.items():
        print(f"{name:26} {len(times):6} {errors[name]:7} {median(times):9.1f} "
              f"{percentile(times, 95):9.1f}")
    print(f"{'all':26} {total:6} {sum(errors.values()):7} {median(every):9.1f} "
          f"{percentile(every, 95):9.1f}\n")

    for name, times in sequential.items():
        report(f"web_server_time: {name}", median(times), "ms p50", len(times), engine,
               p95_ms=round(percentile(times, 95), 2),
               ratio_to_baseline=round(median(times) / baseline, 2))
    report("web_load_throughput", total / wall, "requests/s", total, engine,
           clients=args.clients, requests_per_client=args.requests, errors=sum(errors.values()),
           p50_ms=round(median(every), 2), p95_ms=round(percentile(every, 95), 2))
    for name, times in results.items():
        report(f"web_load: {name}", median(times), "ms p50", len(times), engine,
               p95_ms=round(percentile(times, 95), 2), errors=errors[name])


if __name__ == "__main__":
    main()
