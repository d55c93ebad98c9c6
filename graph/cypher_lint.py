"""Cypher linter: checks queries with Neo4j's own Cypher front-end, no database needed.

The checking is done by the npm package ``@neo4j-cypher/language-support``
(pinned in the repository's ``package.json``) through the Node script
``cypher_lint.mjs`` next to this file. One Node process lints every query
passed in a call, because loading the front-end takes about a second and each
query afterwards only milliseconds.

Errors are what Neo4j 5 would reject (syntax errors, undefined variables,
removed syntax such as ``exists(n.prop)``, wrong arguments or YIELD columns
for the procedures the script knows). Warnings are reported but are not
failures: deprecations (``id(n)``) and calls to procedures the script has no
signature for. Labels, relationship types, properties and ``$parameters`` are
never flagged, as there is no live database to compare them against.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

_SCRIPT = Path(__file__).resolve().with_name("cypher_lint.mjs")
_REPO_ROOT = _SCRIPT.parent.parent
_PACKAGE_DIR = _REPO_ROOT / "node_modules" / "@neo4j-cypher" / "language-support"
_INSTALL_HINT = "run `npm ci` in the repository root"
# Exit status the script uses when the npm package cannot be imported.
_EXIT_PACKAGE_MISSING = 2
_TIMEOUT_SECONDS = 300


class CypherLintUnavailable(RuntimeError):
    """Node or the Cypher language-support package is not installed."""


@dataclass(frozen=True)
class LintIssue:
    """One diagnostic; ``line`` and ``column`` are 1-based."""

    message: str
    line: int
    column: int

    def __str__(self) -> str:
        return f"{self.line}:{self.column}: {self.message}"


@dataclass
class LintResult:
    """Diagnostics for one query: errors fail a check, warnings do not."""

    errors: list[LintIssue] = field(default_factory=list)
    warnings: list[LintIssue] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors


def lint_queries(queries: dict[str, str]) -> dict[str, LintResult]:
    """Lint each query (name -> Cypher text); returns name -> LintResult.

    Raises CypherLintUnavailable when Node or the npm package is missing,
    and RuntimeError if the linter itself fails.
    """
    if not queries:
        return {}
    node = shutil.which("node")
    if node is None:
        raise CypherLintUnavailable(
            f"`node` (Node.js 20+) is not on PATH; install it, then {_INSTALL_HINT}"
        )
    # Checked here too so the common case gets a clear message without
    # starting Node; the script reports the same condition with exit status 2.
    if not (_PACKAGE_DIR / "package.json").is_file():
        raise CypherLintUnavailable(
            f"@neo4j-cypher/language-support is not installed; {_INSTALL_HINT}"
        )

    payload = json.dumps([{"name": n, "query": q} for n, q in queries.items()])
    proc = subprocess.run(
        [node, str(_SCRIPT)],
        input=payload,
        capture_output=True,
        encoding="utf-8",
        cwd=_REPO_ROOT,
        timeout=_TIMEOUT_SECONDS,
        check=False,
    )
    if proc.returncode == _EXIT_PACKAGE_MISSING:
        raise CypherLintUnavailable(proc.stderr.strip() or _INSTALL_HINT)
    if proc.returncode != 0:
        raise RuntimeError(
            f"cypher_lint.mjs failed (exit {proc.returncode}): {proc.stderr.strip()}"
        )
    try:
        raw = json.loads(proc.stdout)
    except json.JSONDecodeError as exc:
        raise RuntimeError(f"cypher_lint.mjs printed invalid JSON: {exc}") from exc

    return {
        item["name"]: LintResult(
            errors=[LintIssue(**e) for e in item["errors"]],
            warnings=[LintIssue(**w) for w in item["warnings"]],
        )
        for item in raw
    }
