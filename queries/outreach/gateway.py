"""A fake SMS / outbound-call gateway: a real HTTP process for the demo, tests and benchmarks.

    python -m queries.outreach.gateway --port 8025 --data gateway.sqlite3 \\
        [--mode ok|500|slow] [--fail-rate 0.1] [--delay-ms 0] [--reply-rate 0.0]

It behaves like a commercial gateway in the ways that matter to Minqing:

- ``POST /messages`` with an ``Idempotency-Key`` header accepts a message (202). The message
  is committed to the data file *before* the answer, so a client that times out may still
  have been heard; a repeated key gets the first answer and is counted as a duplicate,
  never sent again.
- ``POST /messages/status`` with ``{"keys": [...]}`` reports delivery (``delivered``, or
  ``failed`` for a number that is not 11 digits) and any reply.
- ``POST /messages/<key>/reply`` simulates the resident replying; ``--reply-rate`` makes
  some replies up at random ("1" = wants to book).
- ``--mode 500`` answers every send with HTTP 500 (nothing recorded), ``--mode slow`` records
  the message and then waits ``--delay-ms`` (default 3000) before answering, ``--fail-rate``
  fails that share of sends with HTTP ``--fail-status`` (503; 500, or 429 with Retry-After),
  before recording them, or after with ``--fail-after-record`` (the gateway has the message
  but the client hears an error). ``POST /admin/mode`` changes these while running; killing
  the process and starting it again on the same ``--data`` is the gateway being down.
- ``GET /messages`` lists everything received, with how many times each key was posted.
"""

from __future__ import annotations

import argparse
import random
import sqlite3
import threading
import time
from pathlib import Path

from flask import Flask, jsonify, request

SCHEMA = """
CREATE TABLE IF NOT EXISTS gateway_message (
    key TEXT PRIMARY KEY,
    to_number TEXT NOT NULL,
    body TEXT NOT NULL,
    kind TEXT NOT NULL,
    received_at REAL NOT NULL,
    posts INTEGER NOT NULL DEFAULT 1,
    status TEXT NOT NULL,
    reply TEXT
);
"""
MODES = ("ok", "500", "slow")


def create_gateway(data: Path, mode: str = "ok", fail_rate: float = 0.0, delay_ms: int = 0,
                   reply_rate: float = 0.0, seed: int | None = None, fail_status: int = 503,
                   fail_after_record: bool = False) -> Flask:
    """Return the gateway's Flask app, recording into the SQLite file ``data``."""
    app = Flask("minqing-fake-gateway")
    state = {"mode": mode, "fail_rate": fail_rate, "delay_ms": delay_ms,
             "reply_rate": reply_rate, "fail_status": fail_status,
             "fail_after_record": fail_after_record}
    rng = random.Random(seed)
    lock = threading.Lock()  # one writer at a time keeps "first answer wins" simple
    conn = sqlite3.connect(data, check_same_thread=False, isolation_level=None)
    conn.row_factory = sqlite3.Row
    conn.execute("PRAGMA journal_mode=WAL")
    conn.executescript(SCHEMA)

    @app.post("/messages")
    def receive():
        key = request.headers.get("Idempotency-Key", "").strip()
        payload = request.get_json(silent=True) or {}
        if not key or not payload.get("to") or not payload.get("body"):
            return jsonify(error="need an Idempotency-Key header and JSON to, body"), 400
        if state["mode"] == "500":
            return jsonify(error="gateway is down (mode 500)"), 500
        with lock:
            fail = rng.random() < state["fail_rate"]
            if fail and not state["fail_after_record"]:
                return _failure(state["fail_status"])
            known = conn.execute("SELECT key FROM gateway_message WHERE key = ?",
                                 (key,)).fetchone()
            if known:
                conn.execute("UPDATE gateway_message SET posts = posts + 1 WHERE key = ?", (key,))
            else:
                number = str(payload["to"])
                status = "delivered" if number.isdigit() and len(number) == 11 else "failed"
                reply = "1" if status == "delivered" and rng.random() < state["reply_rate"] \
                    else None
                conn.execute("INSERT INTO gateway_message (key, to_number, body, kind, "
                             "received_at, status, reply) VALUES (?,?,?,?,?,?,?)",
                             (key, number, payload["body"], payload.get("kind", "sms"),
                              time.time(), status, reply))
        if fail:  # recorded, but the answer is lost to an error: the client must retry
            return _failure(state["fail_status"])
        if state["mode"] == "slow":
            time.sleep((state["delay_ms"] or 3000) / 1000)
        elif state["delay_ms"]:
            time.sleep(state["delay_ms"] / 1000)
        return jsonify(id=key, duplicate=bool(known), status="accepted"), 202

    @app.post("/messages/status")
    def statuses():
        keys = (request.get_json(silent=True) or {}).get("keys") or []
        found = {}
        for start in range(0, len(keys), 500):
            chunk = keys[start:start + 500]
            marks = ",".join("?" * len(chunk))
            for row in conn.execute(f"SELECT key, status, reply FROM gateway_message "
                                    f"WHERE key IN ({marks})", chunk):
                found[row["key"]] = {"status": row["status"], "reply": row["reply"]}
        return jsonify(messages=found)

    @app.post("/messages/<key>/reply")
    def reply(key):
        text = (request.get_json(silent=True) or {}).get("text") or "1"
        with lock:
            cursor = conn.execute("UPDATE gateway_message SET reply = ? WHERE key = ?",
                                  (text, key))
        if not cursor.rowcount:
            return jsonify(error=f"no message {key}"), 404
        return jsonify(ok=True)

    @app.get("/messages")
    def listing():
        rows = conn.execute("SELECT * FROM gateway_message ORDER BY received_at").fetchall()
        return jsonify(messages=[dict(row) for row in rows])

    @app.post("/admin/mode")
    def set_mode():
        changes = request.get_json(silent=True) or {}
        if changes.get("mode", state["mode"]) not in MODES:
            return jsonify(error=f"mode must be one of {', '.join(MODES)}"), 400
        if changes.get("fail_status", state["fail_status"]) not in (429, 500, 503):
            return jsonify(error="fail_status must be 429, 500 or 503"), 400
        state.update({k: v for k, v in changes.items() if k in state})
        return jsonify(state)

    @app.get("/health")
    def health():
        return jsonify(ok=True, **state)

    return app


def _failure(status: int):
    """An intermittent failure's answer; a 429 says when to come back, as gateways do."""
    response = jsonify(error=f"temporary failure (fail-rate, HTTP {status})")
    response.status_code = status
    if status == 429:
        response.headers["Retry-After"] = "1"
    return response


def serve(port: int, data: Path, host: str = "127.0.0.1", **options) -> None:
    """Serve the gateway with waitress until interrupted."""
    from waitress import serve as waitress_serve

    app = create_gateway(Path(data), **options)
    print(f"Fake gateway on http://{host}:{port}/ (data {data}, mode {options.get('mode', 'ok')})",
          flush=True)
    waitress_serve(app, host=host, port=port, threads=8, _quiet=True)


def start_gateway(port: int, data: Path, *, mode: str = "ok", delay_ms: int = 0,
                  fail_rate: float = 0.0, reply_rate: float = 0.0, timeout_s: float = 20.0,
                  seed: int | None = None):
    """Start the gateway as its own process and wait until it answers; return the Popen.

    Raises:
        RuntimeError: it exited or did not answer within ``timeout_s``.
    """
    import subprocess
    import sys

    import requests

    process = subprocess.Popen(
        [sys.executable, "-m", "queries.outreach.gateway", "--port", str(port), "--data",
         str(data), "--mode", mode, "--delay-ms", str(delay_ms), "--fail-rate", str(fail_rate),
         "--reply-rate", str(reply_rate),
         *(["--seed", str(seed)] if seed is not None else [])],
        cwd=Path(__file__).resolve().parents[2], stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE)
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"fake gateway exited: {process.stderr.read().decode()[-500:]}")
        try:
            requests.get(f"http://127.0.0.1:{port}/health", timeout=1).raise_for_status()
            return process
        except requests.RequestException:
            time.sleep(0.1)
    process.kill()
    raise RuntimeError(f"fake gateway did not answer on port {port} within {timeout_s} s")


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(description="Minqing's fake SMS/call gateway.")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--data", required=True, help="SQLite file recording received messages")
    parser.add_argument("--mode", choices=MODES, default="ok")
    parser.add_argument("--fail-rate", type=float, default=0.0)
    parser.add_argument("--delay-ms", type=int, default=0)
    parser.add_argument("--reply-rate", type=float, default=0.0)
    parser.add_argument("--seed", type=int, default=None)
    parser.add_argument("--fail-status", type=int, choices=(429, 500, 503), default=503,
                        help="HTTP status of a --fail-rate failure")
    parser.add_argument("--fail-after-record", action="store_true",
                        help="record a failing message before answering the error")
    return parser


def main(argv: list[str] | None = None) -> None:
    """Parse the command line and serve."""
    args = _parser().parse_args(argv)
    serve(args.port, Path(args.data), mode=args.mode, fail_rate=args.fail_rate,
          delay_ms=args.delay_ms, reply_rate=args.reply_rate, seed=args.seed,
          fail_status=args.fail_status, fail_after_record=args.fail_after_record)


if __name__ == "__main__":
    main()
