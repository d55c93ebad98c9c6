"""The web app under a failing graph server, all real processes: a private ArcadeDB server,
``minqing serve`` (waitress) in a subprocess, HTTP clients with timeouts.

Faults: the server SIGKILLed while clients request pages and JSON twins; killed with requests
in flight; frozen (SIGSTOP) without dying; down before the app starts (embedded: the app
starts it; a graph_uri that does not answer: a clear message from ``minqing serve``, or 503s
from an app that connects lazily). Each answer must come within ``BOUND_S``, be a 200 with
real data or a clear "Graph unavailable" (503 page, or the JSON error shape), never a 500 or
a traceback; once the server is back the same app process serves correct data again.

Also the workflow store (SQLite) locked by another program while a page needs to write to
it: a clear 503 "Workflow store unavailable" once the store's busy timeout runs out
(``store_busy_timeout_s``: 30 s by default, 3 s here).
"""

from __future__ import annotations

import json
import re
import signal
import sqlite3
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.conftest import free_port
from tests.faults.conftest import repetitions
from tests.webapp.login_helpers import http_login
from tests.webapp.served_app import ServedApp

BOUND_S = 30  # no request may take longer than this, whatever the graph does
RECOVER_S = 60  # the app serves again within this after the server is back
PAGES = ("/", "/index.json", "/residents/R01", "/residents/R01.json")
_TOKEN = re.compile(r'name="csrf_token" value="([^"]+)"')
COUNT_RESIDENTS = "MATCH (r:Resident) RETURN count(r) AS n"
# A six-way cartesian product of the fixture graph's 32 nodes, about 10^9 rows filtered one
# by one as they stream (a filter over all six stops the engine from multiplying counts):
# minutes of work, no memory held.
LONG_STATEMENT = ("MATCH (a), (b), (c), (d), (e), (f) WHERE "
                  + " + ".join(f"size(coalesce({v}.name, ''))" for v in "abcdef")
                  + " >= 0 RETURN count(*) AS n")


@dataclass
class Answer:
    """One HTTP exchange as a client saw it."""

    path: str
    started: float
    seconds: float
    status: int | None  # None: no answer within the client timeout (a hang) or no connection
    body: str
    url: str = ""
    error: str = ""


def fetch(opener, base: str, path: str, data: bytes | None = None,
          timeout: float = BOUND_S) -> Answer:
    """Request ``path``; return what came back, a timeout or a refused connection."""
    started = time.monotonic()
    try:
        with opener.open(base + path, data=data, timeout=timeout) as response:
            status, body, url = response.status, response.read().decode(), response.geturl()
    except urllib.error.HTTPError as e:
        status, body, url = e.code, e.read().decode(errors="replace"), e.geturl()
    except OSError as e:  # URLError, TimeoutError, ConnectionError
        return Answer(path, started, time.monotonic() - started, None, "", error=repr(e))
    return Answer(path, started, time.monotonic() - started, status, body, url)


def assert_clear(answer: Answer) -> None:
    """An answer is in time, and either real data or a clear "Graph unavailable"."""
    assert answer.status is not None, f"{answer.path}: no answer ({answer.error})"
    assert answer.seconds < BOUND_S, f"{answer.path} took {answer.seconds:.1f} s"
    assert "Traceback" not in answer.body, answer.body[:2000]
    assert "/login" not in answer.url, f"{answer.path}: logged out ({answer.url})"
    if answer.status == 200:
        assert_real_data(answer)
        return
    assert answer.status == 503, f"{answer.path}: HTTP {answer.status}: {answer.body[:500]}"
    if answer.path.endswith(".json"):
        document = json.loads(answer.body)
        assert document["ok"] is False and document["status"] == 503
        assert document["title"] == "Graph unavailable"
        assert "not answering" in document["error"] or "graph_uri" in document["error"] \
            or "graph_read_timeout_s" in document["error"], document["error"]
    else:
        assert "<h1>Graph unavailable</h1>" in answer.body
        assert "Status 503" in answer.body


def assert_real_data(answer: Answer) -> None:
    """A 200 carries the fixture graph's data, not an empty or stale shell."""
    if answer.path == "/index.json":
        assert {"label": "Resident", "nodes": 12} in json.loads(answer.body)["labels"]
    elif answer.path == "/residents/R01.json":
        assert json.loads(answer.body)["resident"]["name"] == "Li Xiuying"
    elif answer.path == "/residents/R01":
        assert "Li Xiuying" in answer.body
    else:
        assert "Resident" in answer.body


class App(ServedApp):
    """``minqing serve`` (or a lazily connecting waitress app) in a subprocess."""

    def __init__(self, settings, log: Path, env: dict | None = None, lazy: bool = False):
        command, port = None, None
        if lazy:  # what a WSGI deployment of create_app() does: no graph at start-up
            port = free_port()
            command = [sys.executable, "-c", "import waitress; from webapp import create_app; "
                       f"waitress.serve(create_app(), host='127.0.0.1', port={port}, "
                       "threads=8, ident='minqing')"]
        super().__init__(settings, log=log, env=env, command=command, port=port)

    def wait_listening(self, timeout: float = 120) -> None:
        deadline = time.monotonic() + timeout
        while fetch(self.opener, self.base, "/login", timeout=5).status != 200:
            assert self.process.poll() is None, self.log.read_text()[-3000:]
            assert time.monotonic() < deadline, "the app did not listen in time"
            time.sleep(0.3)

    def log_in(self) -> None:
        http_login(self.opener, self.base, self.settings)

    def wait_serving(self, timeout: float = RECOVER_S) -> float:
        """Wait until every page answers 200 with real data; return how long it took."""
        started = time.monotonic()
        while True:
            answers = [fetch(self.opener, self.base, path) for path in PAGES]
            for answer in answers:
                assert_clear(answer)
            if all(a.status == 200 for a in answers):
                return time.monotonic() - started
            assert time.monotonic() - started < timeout, \
                f"the app did not recover within {timeout} s: {answers[0].body[:300]}"
            time.sleep(0.5)

    def console_token(self) -> str:
        return _TOKEN.search(fetch(self.opener, self.base, "/console").body).group(1)


class Load:
    """Client threads requesting PAGES round-robin until stopped, each answer recorded."""

    def __init__(self, app: App, clients: int = 6):
        self.app = app
        self.answers: list[Answer] = []
        self._stop = threading.Event()
        self._lock = threading.Lock()
        self._threads = [threading.Thread(target=self._run, args=(n,), daemon=True)
                         for n in range(clients)]

    def _run(self, number: int) -> None:
        turn = number
        while not self._stop.is_set():
            answer = fetch(self.app.opener, self.app.base, PAGES[turn % len(PAGES)])
            turn += 1
            with self._lock:
                self.answers.append(answer)

    def __enter__(self) -> "Load":
        for thread in self._threads:
            thread.start()
        return self

    def count(self, status: int | None = None, after: float = 0.0) -> int:
        with self._lock:
            return sum(1 for a in self.answers if a.started >= after
                       and (status is None or a.status == status))

    def __exit__(self, *exc) -> None:
        self._stop.set()
        for thread in self._threads:
            thread.join(timeout=BOUND_S + 5)
            assert not thread.is_alive(), "a client is still waiting: a request hangs"


def wait_for(condition, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.05)


@pytest.fixture(scope="module")
def _serve_process(killable_server, tmp_path_factory):
    """One ``minqing serve`` for the module's tests, logged in as an admin."""
    killable_server.start()
    app = App(killable_server.settings, tmp_path_factory.mktemp("serve") / "serve.log")
    try:
        app.wait_listening()
        app.log_in()
        yield app
    finally:
        app.stop()


@pytest.fixture
def served(killable_server, _serve_process):
    """The module's ``minqing serve``, with the server up and every page serving data."""
    killable_server.start()
    assert _serve_process.process.poll() is None, _serve_process.log.read_text()[-3000:]
    _serve_process.wait_serving()
    yield _serve_process
    killable_server.start()


def test_killed_while_serving_answers_503_then_recovers(killable_server, served):
    pid = served.process.pid
    for cycle in range(repetitions(1, 3)):
        with Load(served) as load:
            wait_for(lambda: load.count(200) >= 20, BOUND_S, "answers before the kill")
            killable_server.signal(signal.SIGKILL)
            killed_at = time.monotonic()
            wait_for(lambda: load.count(503, after=killed_at) >= 12, BOUND_S,
                     "503 answers after the kill")
        for answer in load.answers:
            assert_clear(answer)
        after = [a for a in load.answers if a.started >= killed_at]
        assert {a.status for a in after} == {503}, "data served from a dead server?"
        assert {a.path for a in after} == set(PAGES)  # pages and twins alike
        slowest = max(a.seconds for a in load.answers)
        killable_server.start()
        recovered_in = served.wait_serving()
        assert served.process.poll() is None and served.process.pid == pid  # no restart
        print(f"cycle {cycle}: {len(load.answers)} answers, {len(after)} after the kill "
              f"(all 503), slowest {slowest:.2f} s; recovered {recovered_in:.1f} s after "
              "the server was back")


def test_killed_with_requests_in_flight(killable_server, served):
    # Frozen first, so the requests are provably inside the graph call when it dies.
    with ThreadPoolExecutor(max_workers=len(PAGES) * 2) as pool:
        served.wait_serving()
        killable_server.signal(signal.SIGSTOP)
        futures = [pool.submit(fetch, served.opener, served.base, path)
                   for path in PAGES * 2]
        time.sleep(1.5)
        in_flight = sum(not f.done() for f in futures)
        killable_server.signal(signal.SIGKILL)
        answers = [f.result(timeout=BOUND_S + 5) for f in futures]
    assert in_flight == len(futures), "the requests were not waiting on the graph"
    for answer in answers:
        assert_clear(answer)
        assert answer.status == 503
    killable_server.start()
    served.wait_serving()


def test_statements_pass_neo4j_front_end():
    from graph.cypher_lint import lint_queries

    statements = {"count residents": COUNT_RESIDENTS, "long statement": LONG_STATEMENT}
    results = lint_queries(statements)
    assert {name: r.errors for name, r in results.items() if r.errors} == {}
    assert set(results) == set(statements)


def console_body(app: App, statement: str) -> bytes:
    return urllib.parse.urlencode({"csrf_token": app.console_token(), "statement": statement,
                                   "params": "{}"}).encode()


def test_killed_during_a_long_console_query(killable_server, served):
    # A first statement loads the console's statement checker, so the long one below is
    # already running on the server when it dies (not still being checked).
    warm = fetch(served.opener, served.base, "/console/run.json",
                 console_body(served, COUNT_RESIDENTS))
    assert warm.status == 200 and json.loads(warm.body)["rows"] == [{"n": 12}], warm.body
    body = console_body(served, LONG_STATEMENT)
    with ThreadPoolExecutor(max_workers=1) as pool:
        future = pool.submit(fetch, served.opener, served.base, "/console/run.json", body)
        time.sleep(3)
        assert not future.done(), f"the statement ended before the kill: {future.result()}"
        killable_server.signal(signal.SIGKILL)
        answer = future.result(timeout=BOUND_S + 5)
    assert_clear(answer)
    assert answer.status == 503
    assert json.loads(answer.body)["title"] == "Graph unavailable"
    killable_server.start()
    served.wait_serving()


def test_frozen_server_does_not_hang_requests(killable_server, served):
    killable_server.signal(signal.SIGSTOP)
    try:
        with ThreadPoolExecutor(max_workers=len(PAGES)) as pool:
            answers = list(pool.map(lambda path: fetch(served.opener, served.base, path),
                                    PAGES))
    finally:
        killable_server.signal(signal.SIGCONT)
    for answer in answers:
        assert_clear(answer)
        assert answer.status == 503
    served.wait_serving()
    print("frozen server: answers in", [round(a.seconds, 1) for a in answers], "s")


def test_frozen_server_read_gives_up_naming_the_setting(killable_server):
    from graph.backend import connect
    from graph.errors import GraphUnavailable

    killable_server.start()
    graph = connect(killable_server.settings)
    try:
        assert graph.read(COUNT_RESIDENTS).single_value() == 12
        killable_server.signal(signal.SIGSTOP)  # the pooled connection stays open, silent
        started = time.monotonic()
        try:
            with pytest.raises(GraphUnavailable, match="graph_read_timeout_s=4"):
                graph.read(COUNT_RESIDENTS)
        finally:
            killable_server.signal(signal.SIGCONT)
        waited = time.monotonic() - started
        assert 3.5 < waited < 9, waited
        assert graph.read(COUNT_RESIDENTS).single_value() == 12
    finally:
        graph.close()


def test_embedded_server_down_before_start_is_started_by_the_app(killable_server, tmp_path):
    from graph import arcadedb_server

    arcadedb_server.stop(killable_server.settings)
    assert not killable_server.is_running()
    app = App(killable_server.settings, tmp_path / "serve.log")
    try:
        app.wait_listening()
        app.log_in()
        app.wait_serving()
        assert killable_server.is_running()
    finally:
        app.stop()
        killable_server.start()


def test_unreachable_graph_uri_at_start_is_a_clear_message(killable_server, tmp_path):
    port = free_port()
    app = App(killable_server.settings, tmp_path / "serve.log",
              env={"MINQING_GRAPH_URI": f"bolt://127.0.0.1:{port}"})
    try:
        code = app.process.wait(timeout=BOUND_S)
    finally:
        app.stop()
    output = app.log.read_text()
    assert code != 0
    assert f"graph_uri=bolt://127.0.0.1:{port}" in output and "MINQING_GRAPH_URI" in output
    assert "Traceback" not in output


def test_lazy_app_serves_503_until_the_graph_comes_up(killable_server, tmp_path):
    # The private ArcadeDB server stands in for a Neo4j at graph_uri: both speak Bolt.
    from graph import arcadedb_server

    info = killable_server.start()
    arcadedb_server.stop(killable_server.settings)
    app = App(killable_server.settings, tmp_path / "lazy.log", lazy=True, env={
        "MINQING_GRAPH_URI": info.bolt_uri, "MINQING_GRAPH_USER": info.user,
        "MINQING_GRAPH_PASSWORD": info.password, "MINQING_GRAPH_DATABASE": "minqing"})
    try:
        app.wait_listening()
        with pytest.raises(urllib.error.HTTPError) as landing:
            app.log_in()  # logging in needs no graph; the home page it lands on does
        assert landing.value.code == 503 and landing.value.url == app.base + "/"
        answers = [fetch(app.opener, app.base, path) for path in PAGES]
        for answer in answers:
            assert_clear(answer)
            assert answer.status == 503
            if answer.path.endswith(".json"):
                assert "graph_uri" in json.loads(answer.body)["error"]
        killable_server.start()
        app.wait_serving()
        assert app.process.poll() is None
    finally:
        app.stop()


STORE_BUSY_S = 3  # the killable server's store_busy_timeout_s (30 s by default)


def test_locked_workflow_store_is_a_clear_503(killable_server, served):
    from queries.store import store_path

    # Another program holds the write lock (a stuck command, a backup tool): the profile
    # page must write its audit row and cannot.
    holder = sqlite3.connect(store_path(killable_server.settings), isolation_level=None)
    holder.execute("BEGIN EXCLUSIVE")
    try:
        with ThreadPoolExecutor(max_workers=2) as pool:
            answers = list(pool.map(
                lambda path: fetch(served.opener, served.base, path,
                                   timeout=STORE_BUSY_S + 20),
                ("/residents/R01", "/residents/R01.json")))
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    page, twin = answers
    for answer in answers:
        assert answer.status == 503, (answer.status, answer.body[:500])
        assert answer.seconds < STORE_BUSY_S + 15
        assert "Traceback" not in answer.body
    assert "<h1>Workflow store unavailable</h1>" in page.body
    document = json.loads(twin.body)
    assert document["title"] == "Workflow store unavailable"
    assert "database is locked" in document["error"] and "MINQING_DATA_DIR" in document["error"]
    served.wait_serving()
