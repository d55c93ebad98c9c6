"""The console's first line of defence: Neo4j's Cypher parser decides what a statement is.

``graph/cypher_classify.mjs`` parses the statement with Neo4j's own Cypher parser (the
generated ANTLR parser of npm ``@neo4j-cypher/language-support``) and returns the parse tree; ``check_tree`` walks it and
lists every reason to refuse. Working on the tree, not the text, means comments, string
contents, unicode escapes and backticks cannot hide a write or fake one: ``CREATE`` inside a
comment is no clause, ``MATCH (n:`createClause`)`` is a label, and a clause is what the
parser says it is.

The rule is an allow-list: a statement is one query (no schema or admin command, no
``EXPLAIN``/``PROFILE``/``CYPHER`` prefix, no ``USE``, no local ``DEFINE``) made only of the
clauses ``MATCH``, ``OPTIONAL MATCH``, ``WITH``, ``UNWIND``, ``RETURN``, ``ORDER BY``/``SKIP``/
``LIMIT``, ``FINISH``, ``FILTER``, ``LET``, ``FOR``, ``CALL { … }`` (not ``IN TRANSACTIONS``)
and ``CALL`` of the read procedures in ``READ_PROCEDURES``; functions are the built-in ones
(no namespace, or one of ``FUNCTION_NAMESPACES``). ``SHOW …`` is refused too: it reads, but
``SHOW TRANSACTIONS`` would show other people's statements and ``SHOW USERS`` the security
set-up, and the procedures below give the schema an analyst needs.
"""

from __future__ import annotations

import atexit
import itertools
import json
import shutil
import subprocess
import threading
from dataclasses import dataclass, field
from pathlib import Path

from graph.errors import QueryError

_SCRIPT = Path(__file__).resolve().parent.parent / "graph" / "cypher_classify.mjs"
_REPO_ROOT = _SCRIPT.parent.parent
_INSTALL_HINT = "run `npm ci` in the repository root"

ALLOWED_CLAUSES = frozenset({
    "matchClause", "withClause", "unwindClause", "returnClause", "orderBySkipLimitClause",
    "finishClause", "filterClause", "letClause", "forListClause", "callClause",
    "subqueryClause",
})
# Names of the clauses the parser knows, for messages ("refused: SET").
_CLAUSE_WORDS = {
    "createClause": "CREATE", "insertClause": "INSERT", "mergeClause": "MERGE",
    "setClause": "SET", "deleteClause": "DELETE", "removeClause": "REMOVE",
    "foreachClause": "FOREACH", "loadCSVClause": "LOAD CSV", "useClause": "USE",
    "composableCommandClauses": "SHOW/TERMINATE",
}
READ_PROCEDURES = frozenset({
    "db.labels", "db.relationshiptypes", "db.propertykeys", "db.schema.visualization",
    "db.schema.nodetypeproperties", "db.schema.reltypeproperties",
    "db.index.vector.querynodes", "db.index.fulltext.querynodes",
})
FUNCTION_NAMESPACES = frozenset({
    "", "point", "vector", "date", "datetime", "localdatetime", "localtime", "time",
    "duration",
})


@dataclass
class Verdict:
    """What the parser layer thinks of one statement: ``reasons`` to refuse (empty: allowed)."""

    statement: str
    reasons: list[str] = field(default_factory=list)
    procedures: list[str] = field(default_factory=list)

    @property
    def allowed(self) -> bool:
        return not self.reasons


class StatementRefused(QueryError):
    """The console refused a statement before (or instead of) running it."""

    def __init__(self, message: str, layer: str):
        super().__init__(message)
        self.layer = layer


# -- the pure part: a parse tree in, reasons out ------------------------------------------

def _children(node: dict) -> list[dict]:
    return node.get("c", [])


def _walk(node: dict):
    yield node
    for child in _children(node):
        yield from _walk(child)


def _rules(node: dict, name: str):
    return (n for n in _walk(node) if n.get("r") == name)


def _text(node: dict) -> str:
    """The tokens under a node joined as written, without the spaces between them."""
    return "".join(n["t"] for n in _walk(node) if "t" in n)


def _words(node: dict, most: int = 60) -> str:
    """The tokens under a node joined by spaces, for messages."""
    text = " ".join(n["t"] for n in _walk(node) if "t" in n)
    return text if len(text) <= most else text[:most] + " …"


def _dotted_name(node: dict) -> str:
    """A procedure or function name as the server resolves it: backticks off, lower case."""
    return _text(node).replace("`", "").lower()


def check_tree(tree: dict) -> tuple[list[str], list[str]]:
    """Return (reasons to refuse, procedures called) for a ``cypher_classify.mjs`` tree.

    >>> check_tree({"r": "statementsOrCommands", "c": [{"t": "<EOF>"}]})[0]
    ['There is no statement to run.']
    """
    reasons: list[str] = []
    if any("e" in n for n in _walk(tree)):
        return ["Not valid Cypher: the parser could not place every word."], []
    statements = [c for c in _children(tree) if c.get("r") == "statementOrCommand"]
    if not statements:
        return ["There is no statement to run."], []
    if len(statements) > 1:
        reasons.append(f"Send one statement at a time; this text holds {len(statements)} "
                       "(separated by ';').")
    for statement in statements:
        for node in _children(statement):
            if node.get("r") == "consoleCommand":
                reasons.append(f"Console commands such as {_words(node)!r} are not Cypher.")
    for node in _rules(tree, "preparserOption"):
        reasons.append(f"Leave out the {_words(node).split()[0].upper()} prefix: the console "
                       "checks and runs the statement itself.")
    for node in _rules(tree, "command"):
        reasons.append(f"Schema and administration commands are refused: {_words(node)!r}.")
    for node in _rules(tree, "localDefinition"):
        reasons.append("DEFINE of local procedures or functions is refused.")
    for node in _rules(tree, "clause"):
        kinds = [c.get("r") for c in _children(node) if "r" in c]
        for kind in kinds:
            if kind not in ALLOWED_CLAUSES:
                word = _CLAUSE_WORDS.get(kind, kind)
                reasons.append(f"{word} is refused: the console only reads.")
    # Belt and braces: these never belong in a read, wherever the grammar lets them appear.
    for kind, word in _CLAUSE_WORDS.items():
        if any(_children(n) for n in _rules(tree, kind)) and \
                not any(word in r for r in reasons):
            reasons.append(f"{word} is refused: the console only reads.")
    for node in _rules(tree, "subqueryInTransactionsParameters"):
        reasons.append("CALL { … } IN TRANSACTIONS is refused: it commits on its own.")
    procedures = []
    for node in _rules(tree, "callClause"):
        name_node = next((c for c in _children(node) if c.get("r") == "procedureName"), None)
        name = _dotted_name(name_node) if name_node else "?"
        procedures.append(name)
        if name not in READ_PROCEDURES:
            reasons.append(f"CALL {name} is refused: the console calls only the read "
                           "procedures db.labels, db.relationshipTypes, db.propertyKeys, "
                           "db.schema.* and the index queries (docs/CONSOLE.md).")
    for node in _rules(tree, "functionName"):
        name = _dotted_name(node)
        namespace = name.rpartition(".")[0]
        if namespace not in FUNCTION_NAMESPACES:
            reasons.append(f"Function {name} is refused: the console uses built-in functions "
                           "only.")
    return list(dict.fromkeys(reasons)), procedures


# -- the Node worker ----------------------------------------------------------------------

class CypherClassifier:
    """A long-running ``cypher_classify.mjs`` process; thread-safe, started on first use.

    Loading the Cypher front-end takes seconds and one parse milliseconds, so a process per
    statement would make every console query seconds slower.
    """

    def __init__(self, timeout_s: float = 60):
        self.timeout_s = timeout_s
        self._process: subprocess.Popen | None = None
        self._lock = threading.Lock()
        self._ids = itertools.count(1)

    def parse(self, statement: str) -> dict:
        """Return the worker's answer for ``statement`` (``tree`` and syntax ``errors``).

        Raises:
            QueryError: Node or the npm package is missing, or the worker failed.
        """
        with self._lock:
            process = self._ensure_process()
            request_id = next(self._ids)
            try:
                process.stdin.write(json.dumps({"id": request_id, "query": statement}) + "\n")
                process.stdin.flush()
                line = _readline(process, self.timeout_s)
            except (OSError, TimeoutError) as e:
                self._stop()
                raise QueryError(f"The Cypher parser stopped answering ({e}); the statement "
                                 "was not run.") from e
            if not line:
                error = process.stderr.read() if process.poll() is not None else ""
                self._stop()
                if "is not installed" in error:
                    raise QueryError(f"The console needs @neo4j-cypher/language-support; "
                                     f"{_INSTALL_HINT}.")
                raise QueryError(f"The Cypher parser exited ({error.strip()[:200]}); the "
                                 "statement was not run.")
            answer = json.loads(line)
            if answer.get("id") != request_id or "fatal" in answer:
                self._stop()
                raise QueryError(f"The Cypher parser failed: {answer.get('fatal', answer)}; "
                                 "the statement was not run.")
            return answer

    def check(self, statement: str) -> Verdict:
        """Classify one statement: a Verdict whose ``reasons`` say why it is refused."""
        verdict = Verdict(statement)
        if not statement.strip():
            verdict.reasons = ["There is no statement to run."]
            return verdict
        answer = self.parse(statement)
        if answer["errors"]:
            verdict.reasons = [f"Not valid Cypher: {e['message'][:200]} (line {e['line']}, "
                               f"column {e['column']})." for e in answer["errors"][:3]]
            return verdict
        verdict.reasons, verdict.procedures = check_tree(answer["tree"])
        return verdict

    def _ensure_process(self) -> subprocess.Popen:
        if self._process is not None and self._process.poll() is None:
            return self._process
        node = shutil.which("node")
        if node is None:
            raise QueryError(f"The console needs `node` (Node.js 20+) on PATH to parse Cypher;"
                             f" install it, then {_INSTALL_HINT}.")
        self._process = subprocess.Popen(
            [node, str(_SCRIPT)], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
            stderr=subprocess.PIPE, encoding="utf-8", cwd=_REPO_ROOT, bufsize=1)
        return self._process

    def _stop(self) -> None:
        if self._process is not None:
            if self._process.poll() is None:
                self._process.kill()
            self._process.wait()
            for stream in (self._process.stdin, self._process.stdout, self._process.stderr):
                stream.close()
            self._process = None

    def close(self) -> None:
        """Stop the worker process."""
        with self._lock:
            self._stop()


def _readline(process: subprocess.Popen, timeout_s: float) -> str:
    """Read one line from the worker, giving up after ``timeout_s``."""
    result: list[str] = []
    reader = threading.Thread(target=lambda: result.append(process.stdout.readline()),
                              daemon=True)
    reader.start()
    reader.join(timeout_s)
    if reader.is_alive():
        raise TimeoutError(f"no answer within {timeout_s:.0f} s")
    return result[0]


_shared: CypherClassifier | None = None
_shared_lock = threading.Lock()


def shared_classifier() -> CypherClassifier:
    """Return the process-wide classifier (one Node worker per Python process)."""
    global _shared
    with _shared_lock:
        if _shared is None:
            _shared = CypherClassifier()
            atexit.register(_shared.close)
        return _shared


def check_statement(statement: str, classifier: CypherClassifier | None = None) -> Verdict:
    """Classify ``statement`` with the shared (or given) classifier."""
    return (classifier or shared_classifier()).check(statement)
