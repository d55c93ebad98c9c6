"""The analyst Cypher console: run one read-only statement behind three independent layers.

1. Parser (``queries/console_guard.py``): Neo4j's Cypher parser classifies the statement;
   anything but one read query is refused before it reaches the graph.
2. Transaction (here): the statement runs in an explicit READ transaction that is always
   rolled back, never committed. On Neo4j an ``EXPLAIN`` runs first and only query type
   ``'r'`` goes on; ArcadeDB's Bolt plugin answers ``'w'`` to every ``EXPLAIN`` (measured,
   ArcadeDB 26.10.2), so there the check is on the summary of the run itself
   (``query_type == 'r'``, no updates) before the rollback that undoes any write.
3. Database user (``graph/arcadedb_reader.py``): the console logs in as a user that may only
   read (ArcadeDB ``console_reader`` group; on Neo4j ``console_graph_user`` with the reader
   role, see docs/CONSOLE.md). The server refuses a write from it whatever layers 1-2 did.

Limits: ``console_row_limit`` rows (more are cut and flagged) and ``console_time_limit_ms``,
enforced here by cancelling the run (the async driver then closes its connection) and on
ArcadeDB also by the reader group's server-side ``readTimeout``. Bolt transaction timeouts
are not honoured by ArcadeDB, and a cancelled client does not stop ArcadeDB's work (both
measured; docs/CONSOLE.md). Every run and every refusal is written to the audit log.
"""

from __future__ import annotations

import asyncio
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

import neo4j
from neo4j import AsyncGraphDatabase
from neo4j import exceptions as neo4j_errors
from neo4j.graph import Node, Path, Relationship

from graph.errors import GraphUnavailable, QueryError
from graph.settings import Settings
from graph.values import to_plain
from queries import audit
from queries.console_guard import CypherClassifier, StatementRefused, check_statement

ARCADEDB = "arcadedb"
NEO4J = "neo4j"


@dataclass(frozen=True)
class ReaderTarget:
    """Where and as whom the console connects."""

    uri: str
    user: str
    password: str = field(repr=False)
    database: str
    engine: str


@dataclass
class ConsoleResult:
    """Rows of one console statement, plus the nodes and relationships they hold."""

    columns: list[str]
    rows: list[dict[str, Any]]
    truncated: bool
    elapsed_ms: float
    nodes: dict[str, dict] = field(default_factory=dict)
    relationships: dict[str, dict] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        """Return the result as plain data (the page's JSON twin)."""
        return {"columns": self.columns, "rows": self.rows, "truncated": self.truncated,
                "elapsed_ms": round(self.elapsed_ms, 1),
                "graph": {"nodes": list(self.nodes.values()),
                          "relationships": list(self.relationships.values())}}


def reader_target(settings: Settings) -> ReaderTarget:
    """Return the console's read-only login for the configured engine.

    Raises:
        GraphUnavailable: the embedded server is not running or has no reader user yet.
    """
    if not settings.is_embedded:
        user = settings.console_graph_user or settings.graph_user
        password = settings.console_graph_password if settings.console_graph_user \
            else settings.graph_password
        return ReaderTarget(settings.graph_uri, user, password, settings.database, NEO4J)
    from graph import arcadedb_reader, arcadedb_server

    info = arcadedb_server.ensure_running(settings)
    home = arcadedb_server.server_home(settings)
    if not (home / arcadedb_reader.PASSWORD_FILE).exists():
        raise GraphUnavailable("The embedded ArcadeDB server was started before the console's "
                               "read-only user existed; run `minqing db stop` and try again.")
    return ReaderTarget(info.bolt_uri, arcadedb_reader.READER_USER,
                        arcadedb_reader.reader_password(home), settings.database, ARCADEDB)


def run_console(statement: str, params: dict[str, Any] | None, settings: Settings, *,
                actor: str, conn, target: ReaderTarget | None = None,
                classifier: CypherClassifier | None = None) -> ConsoleResult:
    """Check, run and audit one console statement.

    Args:
        actor: who runs it (the logged-in user; "anonymous" until login exists).
        conn: the workflow store connection the audit row goes to.

    Raises:
        StatementRefused: a layer refused the statement (``.layer`` says which).
        QueryError: the statement failed or exceeded a limit (the message names the setting).
        GraphUnavailable: the graph cannot be reached.
    """
    params = dict(params or {})
    verdict = check_statement(statement, classifier)
    if not verdict.allowed:
        _audit(conn, actor, "console.refused", statement, params, layer="parser",
               reasons=verdict.reasons)
        raise StatementRefused("Refused: " + " ".join(verdict.reasons), "parser")
    target = target or reader_target(settings)
    try:
        result = run_read_only(target, statement, params,
                               time_limit_ms=settings.console_time_limit_ms,
                               row_limit=settings.console_row_limit)
    except StatementRefused as e:
        _audit(conn, actor, "console.refused", statement, params, layer=e.layer,
               reasons=[str(e)])
        raise
    except QueryError as e:
        _audit(conn, actor, "console.query", statement, params, outcome="error", error=str(e))
        raise
    _audit(conn, actor, "console.query", statement, params, outcome="ok",
           rows=len(result.rows), truncated=result.truncated,
           elapsed_ms=round(result.elapsed_ms, 1))
    return result


def _run_in_own_loop(coroutine):
    # A fresh thread has no event loop, so asyncio.run works there even when the caller's
    # thread runs one (an async server, or Playwright's sync API in the same test process).
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="minqing-console") as pool:
        return pool.submit(asyncio.run, coroutine).result()


def run_read_only(target: ReaderTarget, statement: str, params: dict[str, Any], *,
                  time_limit_ms: int, row_limit: int) -> ConsoleResult:
    """Run ``statement`` as ``target``'s user in a READ transaction that is rolled back.

    This is layers 2 and 3 without layer 1; tests call it directly to show each layer
    refuses a write on its own.
    """
    if time_limit_ms <= 0 or row_limit <= 0:
        raise QueryError("console_time_limit_ms and console_row_limit must be positive.")
    started = time.monotonic()
    try:
        result = _run_in_own_loop(asyncio.wait_for(
            _run(target, statement, params, row_limit), timeout=time_limit_ms / 1000))
    except asyncio.TimeoutError:
        raise QueryError(f"The statement ran longer than console_time_limit_ms={time_limit_ms}"
                         "; add a LIMIT or a narrower MATCH, or raise the setting "
                         "(MINQING_CONSOLE_TIME_LIMIT_MS).") from None
    except neo4j_errors.AuthError as e:
        raise GraphUnavailable(f"The graph refused the console's login {target.user!r}; on the"
                               " embedded engine run `minqing db stop` and retry, on Neo4j "
                               "check console_graph_user/console_graph_password.") from e
    except (neo4j_errors.ServiceUnavailable, neo4j_errors.SessionExpired, OSError) as e:
        raise GraphUnavailable(f"The graph at {target.uri} is not answering ({e}).") from e
    except neo4j_errors.Neo4jError as e:
        raise _translate(e, time_limit_ms) from e
    result.elapsed_ms = (time.monotonic() - started) * 1000
    return result


async def _run(target: ReaderTarget, statement: str, params: dict, row_limit: int):
    # A driver per statement: cancelling the run closes its connection, and nothing else
    # shares that connection.
    driver = AsyncGraphDatabase.driver(target.uri, auth=(target.user, target.password),
                                       connection_timeout=5, max_connection_pool_size=1)
    try:
        async with driver.session(database=target.database,
                                  default_access_mode=neo4j.READ_ACCESS,
                                  fetch_size=row_limit + 1) as session:
            tx = await session.begin_transaction()
            cancelled = False
            try:
                if target.engine == NEO4J:
                    explained = await (await tx.run("EXPLAIN " + statement, params)).consume()
                    if explained.query_type != "r":
                        raise StatementRefused(
                            f"Refused: the graph's EXPLAIN says this statement is of type "
                            f"{explained.query_type!r}, not a read ('r').", "explain")
                cursor = await tx.run(statement, params)
                columns = list(cursor.keys())
                records, truncated = [], False
                async for record in cursor:
                    if len(records) >= row_limit:
                        truncated = True
                        break
                    records.append(record)
                summary = await cursor.consume()
                # A cut result ends with a discard, whose summary ArcadeDB leaves without a
                # query type (measured); the rollback below still undoes whatever ran.
                known_read = summary.query_type == "r" or (truncated and
                                                           summary.query_type is None)
                if not known_read or summary.counters.contains_updates:
                    raise StatementRefused(
                        f"Refused: the graph reports this statement as type "
                        f"{summary.query_type!r} with updates; it was rolled back.",
                        "transaction")
            except asyncio.CancelledError:
                # The time limit: the driver kills the connection, which ends the transaction
                # without a commit; waiting for a rollback here would outlast the limit.
                cancelled = True
                raise
            finally:
                # Never commit: whatever the statement did is undone.
                if not cancelled and not tx.closed():
                    await tx.rollback()
    finally:
        await driver.close()
    return _result(columns, records, truncated)


def _result(columns: list[str], records, truncated: bool) -> ConsoleResult:
    result = ConsoleResult(columns=columns, rows=[], truncated=truncated, elapsed_ms=0)
    for record in records:
        result.rows.append({key: to_plain(value) for key, value in record.items()})
        for value in record.values():
            _collect_graph(value, result)
    return result


def _collect_graph(value: Any, result: ConsoleResult) -> None:
    """Gather the nodes and relationships in a returned value, for the graph view."""
    if isinstance(value, Node):
        result.nodes.setdefault(value.element_id, {
            "id": value.element_id, "labels": sorted(value.labels),
            "caption": _caption(value)})
    elif isinstance(value, Relationship):
        for end in (value.start_node, value.end_node):
            if end is not None:
                _collect_graph(end, result)
        if value.start_node is not None and value.end_node is not None:
            result.relationships.setdefault(value.element_id, {
                "id": value.element_id, "type": value.type,
                "start": value.start_node.element_id, "end": value.end_node.element_id})
    elif isinstance(value, Path):
        for node in value.nodes:
            _collect_graph(node, result)
        for relationship in value.relationships:
            _collect_graph(relationship, result)
    elif isinstance(value, (list, tuple)):
        for item in value:
            _collect_graph(item, result)
    elif isinstance(value, dict):
        for item in value.values():
            _collect_graph(item, result)


def _caption(node: Node) -> str:
    """A short name for a node in the graph view; ids, never phone numbers."""
    for key in ("name", "title", "building_id", "area_id", "resident_id", "household_id"):
        if node.get(key):
            return str(node.get(key))[:24]
    return sorted(node.labels)[0] if node.labels else "node"


def _translate(error: neo4j_errors.Neo4jError, time_limit_ms: int) -> QueryError:
    code = error.code or ""
    if code.endswith("Security.Forbidden"):
        return StatementRefused("Refused by the graph: the console's read-only database user "
                                "may not write or change the schema.", "database user")
    if code.endswith("TransactionTimedOut"):
        return QueryError(f"The graph stopped the statement at its read timeout "
                          f"(console_time_limit_ms={time_limit_ms}); add a LIMIT or a narrower"
                          " MATCH, or raise the setting and restart the graph server.")
    message = (error.message or str(error)).strip()
    if "Check the server log" in message:
        message = "the graph could not run it (a statement ArcadeDB does not support?)"
    return QueryError(f"The statement failed: {code or 'error'}: {message}")


def _audit(conn, actor: str, action: str, statement: str, params: dict, **detail) -> None:
    audit.record(conn, actor, action, "cypher", statement=statement[:4000], params=params,
                 **detail)
