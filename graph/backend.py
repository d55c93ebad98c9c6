"""The one door to the graph: a ``Graph`` wrapping the official ``neo4j`` driver over Bolt.

The same object talks to the embedded ArcadeDB server and to a Neo4j 5 server; only
``run_index_ddl`` differs by engine (ArcadeDB takes index DDL in its SQL over its loopback
HTTP API, Neo4j in Cypher).
"""

from __future__ import annotations

import base64
import json
import logging
import queue
import threading
import time
import urllib.error
import urllib.request
from concurrent.futures import Future
from typing import Any, Callable, Iterable, Sequence

import neo4j
from neo4j import GraphDatabase, READ_ACCESS, WRITE_ACCESS
from neo4j import exceptions as neo4j_errors

from graph.disk import recent_log_fault, server_fault_kind, storage_error
from graph.errors import GraphUnavailable, QueryError, StorageError
from graph.result import Result
from graph.settings import Settings
from graph.values import to_plain

ARCADEDB = "arcadedb"
NEO4J = "neo4j"

# Unconfigured, Python prints the driver's warnings ("Transaction failed and will be
# retried…", "<CONNECTION> error…") on stderr around the one-line error the CLI gives; an
# application that configures logging still receives them through the root logger.
logging.getLogger("neo4j").addHandler(logging.NullHandler())


class Graph:
    """A connection to one graph database; thread-safe, one per process or app.

    Args:
        driver: an open ``neo4j.Driver``.
        database: the database name to run every statement in.
        engine: ``"arcadedb"`` or ``"neo4j"``.
        settings: resolved settings (time and row limits, batch size).
        admin_http: for ArcadeDB, ``(base_url, user, password)`` of the loopback HTTP API
            used for index DDL.
    """

    def __init__(self, driver: neo4j.Driver, database: str, engine: str, settings: Settings,
                 admin_http: tuple[str, str, str] | None = None, uri: str = ""):
        self.driver = driver
        self.database = database
        self.engine = engine
        self.settings = settings
        self.uri = uri
        self._admin_http = admin_http

    # -- reading and writing -------------------------------------------------------------

    def read(self, cypher: str, params: dict[str, Any] | None = None, *,
             max_rows: int | None = None, timeout_ms: int | None = None) -> Result:
        """Run a read statement in a READ transaction and return its rows.

        Args:
            max_rows: keep at most this many rows and flag ``truncated``; None keeps all.
            timeout_ms: transaction time limit; defaults to the query_time_limit_ms setting.
        """
        timeout_ms = self.settings.query_time_limit_ms if timeout_ms is None else timeout_ms
        work = neo4j.unit_of_work(timeout=timeout_ms / 1000)(_collect)
        call = (self._session_call, READ_ACCESS, "execute_read", work, cypher, params or {},
                max_rows)
        limit_s = self.settings.graph_read_timeout_s
        if limit_s <= 0:
            return call[0](*call[1:])
        # The driver's sockets have no read timeout: a frozen server (stopped, swapping, or
        # behind a firewall that drops packets) keeps the connection open and a read waits
        # forever. So the read runs on a helper thread and the caller stops waiting; the
        # server's own time limit (timeout_ms) gets its chance first.
        limit_s = max(limit_s, timeout_ms / 1000)
        future = _WAITER.submit(*call)
        try:
            return future.result(timeout=limit_s)
        except TimeoutError:
            raise GraphUnavailable(
                f"The graph at {self.uri} did not answer within graph_read_timeout_s="
                f"{limit_s:g} s; it may be frozen or overloaded: run `minqing db status`, "
                "or raise the setting.") from None

    def write(self, cypher: str, params: dict[str, Any] | None = None) -> Result:
        """Run one write statement in its own WRITE transaction and return its rows."""
        return self._session_call(WRITE_ACCESS, "execute_write", _collect, cypher,
                                  params or {}, None)

    def write_batch(self, cypher: str, rows: Sequence[dict[str, Any]], *,
                    batch_size: int | None = None,
                    on_batch: Callable[[int], None] | None = None) -> int:
        """Run ``cypher`` (which reads ``$rows``) once per batch of rows; return rows sent.

        Each batch is its own transaction, so a statement written with MERGE on stable keys
        can be re-run after a crash without duplicating anything.
        """
        size = batch_size or self.settings.write_batch_size
        sent = 0
        for start in range(0, len(rows), size):
            batch = list(rows[start:start + size])
            self.write(cypher, {"rows": batch})
            sent += len(batch)
            if on_batch:
                on_batch(len(batch))
        return sent

    def _session_call(self, access_mode, method, work, cypher, params, max_rows) -> Result:
        try:
            with self.driver.session(database=self.database,
                                     default_access_mode=access_mode) as session:
                return getattr(session, method)(work, cypher, params, max_rows)
        except neo4j_errors.AuthError as e:
            raise GraphUnavailable(_auth_message(self)) from e
        except (neo4j_errors.ServiceUnavailable, neo4j_errors.SessionExpired, OSError) as e:
            raise GraphUnavailable(_unreachable_message(self, e)) from e
        except neo4j_errors.Neo4jError as e:
            raise _server_disk_error(self, e.message or str(e)) or \
                QueryError(_query_message(e)) from e
        except neo4j_errors.DriverError as e:
            raise QueryError(f"The graph driver refused the statement: {e}") from e

    # -- administration ------------------------------------------------------------------

    def ping(self) -> None:
        """Check that the database answers; raise GraphUnavailable with advice if not."""
        self.read("RETURN 1 AS ok", timeout_ms=30_000)

    def run_index_ddl(self, statements: Iterable[str]) -> None:
        """Run engine-specific schema statements (SQL on ArcadeDB, Cypher DDL on Neo4j)."""
        statements = list(statements)
        if self.engine == ARCADEDB:
            # One script, one round trip: ~10x faster than a request per statement.
            self._arcadedb_sql(";\n".join(statements), language="sqlscript")
            return
        for statement in statements:
            try:
                with self.driver.session(database=self.database) as session:
                    session.run(statement).consume()
            except neo4j_errors.Neo4jError as e:
                raise QueryError(f"Schema statement failed: {statement}\n{e}") from e

    def _arcadedb_sql(self, statement: str, language: str = "sql") -> dict:
        base_url, user, password = self._admin_http
        body = json.dumps({"language": language, "command": statement}).encode()
        request = urllib.request.Request(
            f"{base_url}/api/v1/command/{self.database}", data=body, method="POST",
            headers={"Content-Type": "application/json",
                     "Authorization": "Basic " + base64.b64encode(
                         f"{user}:{password}".encode()).decode()})
        try:
            with urllib.request.urlopen(request, timeout=600) as response:
                return json.loads(response.read())
        except urllib.error.HTTPError as e:
            detail = e.read().decode(errors="replace")[:500]
            raise _server_disk_error(self, detail) or QueryError(
                f"ArcadeDB refused schema statement {statement!r}: {detail}") from e
        except OSError as e:
            raise GraphUnavailable(f"Cannot reach ArcadeDB's HTTP API at {base_url}: {e}") from e

    def close(self) -> None:
        """Close the driver and its connection pool."""
        self.driver.close()

    def __enter__(self) -> "Graph":
        return self

    def __exit__(self, *exc) -> None:
        self.close()


class _Waiter:
    """Runs reads on reusable daemon threads, so a caller can stop waiting for one.

    Daemon threads, unlike ``ThreadPoolExecutor``'s, do not hold up the process's exit when
    one is stuck on a frozen server; a thread is added only when none is idle.
    """

    def __init__(self):
        self._tasks: queue.SimpleQueue = queue.SimpleQueue()
        self._idle = 0
        self._lock = threading.Lock()

    def submit(self, function, *args) -> Future:
        future: Future = Future()
        with self._lock:
            start = self._idle == 0
            if not start:
                self._idle -= 1
        if start:
            threading.Thread(target=self._work, name="minqing-graph-read", daemon=True).start()
        self._tasks.put((future, function, args))
        return future

    def _work(self) -> None:
        while True:
            future, function, args = self._tasks.get()
            if future.set_running_or_notify_cancel():
                try:
                    future.set_result(function(*args))
                except BaseException as e:  # handed to the caller, raised there
                    future.set_exception(e)
            del future, function, args
            with self._lock:
                self._idle += 1


_WAITER = _Waiter()


def batch_timeout_ms(settings) -> int:
    """The time limit of a batch read under ``settings``: a whole-district evaluation (at 350 k
    residents one silent group took up to 40 s on a busy machine) must not be cut at the
    interactive limit."""
    return max(settings.query_time_limit_ms, settings.batch_time_limit_ms)


def connect(settings: Settings) -> Graph:
    """Open the graph named by the settings, starting the embedded server when needed.

    Raises:
        GraphUnavailable: unreachable server, wrong credentials, or an embedded server that
            would not start; the message names the setting to change.
    """
    if settings.is_embedded:
        from graph import arcadedb_server

        info = arcadedb_server.ensure_running(settings)
        driver = GraphDatabase.driver(info.bolt_uri, auth=(info.user, info.password),
                                      **_driver_options(settings))
        graph = Graph(driver, settings.database, ARCADEDB, settings,
                      admin_http=(info.http_url, info.user, info.password), uri=info.bolt_uri)
        # Bolt listens a moment before the default database exists; wait for it.
        _wait_until_ready(graph, settings.arcadedb_start_timeout_s)
        return graph
    try:
        driver = GraphDatabase.driver(settings.graph_uri,
                                      auth=(settings.graph_user, settings.graph_password),
                                      **_driver_options(settings))
    except (ValueError, neo4j_errors.ConfigurationError) as e:
        raise GraphUnavailable(f"graph_uri={settings.graph_uri!r} is not a Bolt URI: {e}; "
                               "set MINQING_GRAPH_URI to e.g. bolt://localhost:7687") from e
    graph = Graph(driver, settings.database, NEO4J, settings, uri=settings.graph_uri)
    try:
        # Unlike a transaction, this does not retry: a refused connection fails at once.
        driver.verify_connectivity()
    except neo4j_errors.AuthError as e:
        driver.close()
        raise GraphUnavailable(_auth_message(graph)) from e
    except (neo4j_errors.DriverError, neo4j_errors.Neo4jError, OSError) as e:
        driver.close()
        raise GraphUnavailable(_unreachable_message(graph, e)) from e
    graph.ping()
    return graph


def _driver_options(settings: Settings) -> dict:
    timeout = settings.graph_connect_timeout_s
    # Bounded everywhere, so that no request waits forever on a graph that went away.
    return {"connection_timeout": timeout, "max_transaction_retry_time": timeout,
            "connection_acquisition_timeout": timeout + settings.query_time_limit_ms / 1000}


def _wait_until_ready(graph: Graph, timeout_s: float) -> None:
    deadline = time.monotonic() + timeout_s
    while True:
        try:
            graph.ping()
            return
        except (GraphUnavailable, QueryError):
            if time.monotonic() > deadline:
                graph.close()
                raise
            time.sleep(0.3)


def _collect(tx, cypher: str, params: dict, max_rows: int | None) -> Result:
    """Transaction function: run one statement and gather its rows as plain data."""
    cursor = tx.run(cypher, params)
    columns = list(cursor.keys())
    rows, truncated = [], False
    for record in cursor:
        if max_rows is not None and len(rows) >= max_rows:
            truncated = True
            break
        rows.append({key: to_plain(value) for key, value in record.items()})
    summary = cursor.consume()
    counters = {k: v for k, v in vars(summary.counters).items()
                if isinstance(v, int) and not isinstance(v, bool) and v}
    return Result(columns=columns, rows=rows, truncated=truncated, counters=counters)


def _auth_message(graph: Graph) -> str:
    if graph.engine == ARCADEDB:
        return ("The embedded ArcadeDB server refused the generated root password; it was "
                "started with another one. Run `minqing db stop` and try again.")
    return (f"Neo4j at {graph.uri} refused user {graph.settings.graph_user!r}; check "
            "graph_user and graph_password (MINQING_GRAPH_USER, MINQING_GRAPH_PASSWORD).")


def _unreachable_message(graph: Graph, error: Exception) -> str:
    # The driver's reasons run over several lines; the CLI shows one.
    error = " ".join(str(error).split())
    if graph.engine == ARCADEDB:
        return (f"The embedded ArcadeDB server at {graph.uri} is not answering ({error}); "
                "run `minqing db status`, or `minqing db stop` and retry.")
    return (f"Cannot reach the graph at graph_uri={graph.uri} ({error}); start Neo4j "
            "(`docker compose up -d neo4j`) or fix MINQING_GRAPH_URI.")


def _server_disk_error(graph: Graph, text: str) -> StorageError | None:
    """The StorageError for a server error that reports a full or read-only disk, else None."""
    kind = server_fault_kind(text)
    if graph.engine == ARCADEDB:
        from graph.arcadedb_server import server_home

        if kind is None and "server log" in text:
            # Production mode hides the cause from the client; the log has it.
            kind = recent_log_fault(server_home(graph.settings) / "server.log")
        folder = server_home(graph.settings) / "databases"
    else:
        folder = f"the data directory of the Neo4j server at {graph.uri}"
    return storage_error(kind, folder, f"graph database {graph.database}") if kind else None


def _query_message(error: neo4j_errors.Neo4jError) -> str:
    message = (error.message or str(error)).strip()
    return f"{error.code or 'Query failed'}: {message}"
