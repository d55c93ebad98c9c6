"""Load the named queries kept as ``queries/*.cypher`` files, each with a comment header.

Header format (``//`` comment lines at the top of the file)::

    // title: Graph counts by label
    // description: Number of nodes for every label.
    // param: building_id string  The building's id.
    // param: min_age int=60      Lowest age to include.
    // mode: read
    // engine: any

``param`` lines give a name, a type (string, int, float, bool, list) and optionally
``=default``; ``mode`` is ``read`` (the default; runs in a READ transaction) or ``write``;
``engine`` is ``any`` (the default) or ``neo4j`` for a query only Neo4j runs.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from graph.errors import NotFound, QueryError

QUERY_DIR = Path(__file__).resolve().parent
PARAM_TYPES = ("string", "int", "float", "bool", "list")
_HEADER = re.compile(r"^//\s*(\w+)\s*:\s*(.*)$")
_PARAM = re.compile(r"^(\w+)\s+(\w+)(?:=(\S*))?\s*(.*)$")


@dataclass(frozen=True)
class Param:
    """One declared query parameter."""

    name: str
    type: str
    default: Any = None
    description: str = ""

    @property
    def required(self) -> bool:
        return self.default is None


@dataclass(frozen=True)
class NamedQuery:
    """A query file: its name (the file stem), header fields and Cypher text."""

    name: str
    title: str
    description: str
    cypher: str
    params: tuple[Param, ...] = ()
    mode: str = "read"
    engine: str = "any"
    path: Path | None = field(default=None, compare=False)

    def bind(self, raw: dict[str, Any]) -> dict[str, Any]:
        """Check and convert raw values (e.g. strings from the CLI) to the declared types.

        Raises:
            QueryError: an unknown or missing parameter, or a value of the wrong type.
        """
        declared = {p.name: p for p in self.params}
        unknown = set(raw) - set(declared)
        if unknown:
            raise QueryError(f"Query {self.name} has no parameter {', '.join(sorted(unknown))};"
                             f" it takes: {', '.join(declared) or 'none'}")
        bound = {}
        for param in self.params:
            if param.name in raw:
                bound[param.name] = convert(param, raw[param.name])
            elif param.required:
                raise QueryError(f"Query {self.name} needs parameter {param.name} "
                                 f"({param.type}): {param.description}")
            else:
                bound[param.name] = param.default
        return bound


def convert(param: Param, value: Any) -> Any:
    """Convert one value to a parameter's declared type; strings are parsed."""
    if not isinstance(value, str):
        return value
    try:
        if param.type == "int":
            number = int(value)
            if not -2**63 <= number < 2**63:
                # Bolt carries 64-bit integers; the driver's OverflowError was a 500 on the
                # console (found by tests/fuzz).
                raise ValueError(value)
            return number
        if param.type == "float":
            return float(value)
        if param.type == "bool":
            if value.lower() in ("true", "1", "yes"):
                return True
            if value.lower() in ("false", "0", "no"):
                return False
            raise ValueError(value)
        if param.type == "list":
            return [item.strip() for item in value.split(",") if item.strip()]
    except ValueError:
        raise QueryError(f"Parameter {param.name} must be {param.type}, got {value!r}") from None
    return value


def parse_query_file(path: Path) -> NamedQuery:
    """Parse one ``.cypher`` file into a NamedQuery.

    Raises:
        QueryError: the header is malformed (names the file and line).
    """
    fields: dict[str, Any] = {"title": "", "description": "", "mode": "read", "engine": "any"}
    params: list[Param] = []
    body: list[str] = []
    in_header = True
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        match = _HEADER.match(line.strip()) if in_header else None
        if match:
            key, value = match.group(1), match.group(2).strip()
            if key == "param":
                params.append(_parse_param(value, path, number))
            elif key in fields:
                fields[key] = value
            else:
                raise QueryError(f"{path.name}:{number}: unknown header field {key!r}")
            continue
        if in_header and line.strip().startswith("//"):
            continue
        in_header = False
        body.append(line)
    if fields["mode"] not in ("read", "write"):
        raise QueryError(f"{path.name}: mode must be read or write, got {fields['mode']!r}")
    cypher = "\n".join(body).strip()
    if not cypher:
        raise QueryError(f"{path.name}: no Cypher after the header")
    return NamedQuery(name=path.stem, cypher=cypher, params=tuple(params), path=path,
                      **fields)


def _parse_param(text: str, path: Path, number: int) -> Param:
    match = _PARAM.match(text)
    if not match or match.group(2) not in PARAM_TYPES:
        raise QueryError(f"{path.name}:{number}: write params as 'name type[=default] "
                         f"description' with type one of {', '.join(PARAM_TYPES)}")
    name, type_, default, description = match.groups()
    param = Param(name, type_, None, description)
    if default is not None:
        param = Param(name, type_, convert(param, default), description)
    return param


def load_queries(directory: Path = QUERY_DIR) -> dict[str, NamedQuery]:
    """Return every named query in ``directory``, by name, sorted."""
    return {q.name: q for q in sorted((parse_query_file(p) for p in directory.glob("*.cypher")),
                                      key=lambda q: q.name)}


def get_query(name: str, directory: Path = QUERY_DIR) -> NamedQuery:
    """Return one named query, or raise NotFound listing the known names."""
    queries = load_queries(directory)
    if name not in queries:
        raise NotFound(f"No query named {name!r}; known: {', '.join(queries)}")
    return queries[name]


def run_query(graph, query: NamedQuery, raw_params: dict[str, Any],
              max_rows: int | None = None):
    """Bind parameters and run a named query on ``graph`` in a READ or WRITE transaction."""
    params = query.bind(raw_params)
    if query.engine != "any" and query.engine != graph.engine:
        raise QueryError(f"Query {query.name} runs only on {query.engine}; this graph is "
                         f"{graph.engine}")
    if query.mode == "write":
        return graph.write(query.cypher, params)
    return graph.read(query.cypher, params, max_rows=max_rows)
