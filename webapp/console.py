"""The analyst Cypher console pages: a statement box, the named queries as forms, results.

All views live in the one blueprint ``console`` so that login (issue 8 §4) can wrap it with
one role check. Statements go through ``queries.console.run_console`` (three layers, limits,
audit); the actor is ``g.user_name`` once login sets it, "anonymous" until then.

Results come as a table, as JSON (``/console/run.json``), as a CSV download (audited) and as
a graph of the returned nodes and relationships drawn on the server as SVG with a networkx
layout: no JavaScript library to vendor and keep up to date, it works with scripts off, and
Jinja escapes every label. Phone and ID numbers are masked in every output (unmasking per
record with a reason comes with roles, issue 8 §4).
"""

from __future__ import annotations

import csv
import io
import json
import math
import re
from typing import Any

from flask import Blueprint, Response, current_app, g, jsonify, render_template, request

from graph.errors import QueryError
from queries import audit
from queries.console import ConsoleResult, run_console
from queries.console_guard import StatementRefused
from queries.registry import load_queries
from webapp.masking import mask_id_number, mask_phone
from webapp.pages import page
from webapp.workflow import workflow_store

bp = Blueprint("console", __name__)

MAX_STATEMENT_CHARS = 20_000
GRAPH_VIEW_MAX_NODES = 150
EXAMPLE = "MATCH p = (r:Resident)-[:LIVES_IN]->(b:Building)\nRETURN p LIMIT 25"


def actor() -> str:
    """Who is asking: the logged-in user's name once login exists, else "anonymous"."""
    return g.get("user_name", "anonymous")


def named_queries() -> list[dict[str, Any]]:
    """The read-only named queries with their parameters, for the forms."""
    graph_engine = "neo4j" if not current_app.config["MINQING_SETTINGS"].is_embedded \
        else "arcadedb"
    return [{"name": q.name, "title": q.title, "description": q.description,
             "cypher": q.cypher,
             "params": [{"name": p.name, "type": p.type, "default": p.default,
                         "required": p.required, "description": p.description}
                        for p in q.params]}
            for q in load_queries().values()
            if q.mode == "read" and q.engine in ("any", graph_engine)]


@page(bp, "/console", "console.html")
def console():
    """Show the statement box and the named queries."""
    settings = current_app.config["MINQING_SETTINGS"]
    return {"statement": EXAMPLE, "params_text": "{}", "queries": named_queries(),
            "time_limit_ms": settings.console_time_limit_ms,
            "row_limit": settings.console_row_limit}


@bp.post("/console/run")
def run_html():
    """Run the posted statement and show the result (or the refusal) on the console page."""
    context = console()
    context["statement"] = request.form.get("statement", "")
    context["params_text"] = request.form.get("params", "{}") or "{}"
    try:
        result = _run_posted()
    except QueryError as e:
        status = 403 if isinstance(e, StatementRefused) else 400
        context["error"] = str(e)
        return render_template("console.html", **context), status
    context["result"] = _shown(result)
    context["svg"] = graph_svg(context["result"]["graph"])
    return render_template("console.html", **context)


@bp.post("/console/run.json")
def run_json():
    """Run the posted statement; the result as JSON, a refusal as the error shape (403)."""
    try:
        result = _run_posted()
    except StatementRefused as e:
        response = jsonify({"ok": False, "error": str(e), "status": 403,
                            "title": "Refused", "layer": e.layer})
        response.status_code = 403
        return response
    return jsonify({"ok": True, **_shown(result)})


@bp.post("/console/run.csv")
def run_csv():
    """Run the posted statement and download its rows as CSV (audited as an export)."""
    result = _run_posted()
    shown = _shown(result)
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(shown["columns"])
    for row in shown["rows"]:
        writer.writerow([_cell(row.get(column)) for column in shown["columns"]])
    with workflow_store() as conn:
        audit.record(conn, actor(), "console.export", "cypher", format="csv",
                     rows=len(shown["rows"]), statement=request.form.get("statement", "")[:4000])
    return Response(buffer.getvalue(), mimetype="text/csv; charset=utf-8",
                    headers={"Content-Disposition": "attachment; filename=console.csv"})


def _run_posted() -> ConsoleResult:
    """Read the statement (or a named query and its fields) from the form and run it."""
    settings = current_app.config["MINQING_SETTINGS"]
    name = request.form.get("query_name", "")
    if name:
        queries = {q["name"]: q for q in named_queries()}
        if name not in queries:
            raise QueryError(f"No read-only named query {name!r}; pick one from the list.")
        query = load_queries()[name]
        raw = {p.name: request.form[f"param_{p.name}"] for p in query.params
               if request.form.get(f"param_{p.name}", "") != ""}
        statement, params = query.cypher, query.bind(raw)
    else:
        statement = request.form.get("statement", "")
        params = _params(request.form.get("params", ""))
    if len(statement) > MAX_STATEMENT_CHARS:
        raise QueryError(f"The statement is longer than {MAX_STATEMENT_CHARS} characters.")
    with workflow_store() as conn:
        return run_console(statement, params, settings, actor=actor(), conn=conn)


def _params(text: str) -> dict[str, Any]:
    """Parse the parameters box: a JSON object, e.g. {"building_id": "B01"}."""
    if not text.strip():
        return {}
    try:
        value = json.loads(text)
    except json.JSONDecodeError as e:
        raise QueryError(f"Parameters must be a JSON object, e.g. {{\"building_id\": \"B01\"}}"
                         f": {e.msg} at line {e.lineno}, column {e.colno}.") from None
    if not isinstance(value, dict):
        raise QueryError("Parameters must be a JSON object, e.g. {\"building_id\": \"B01\"}.")
    for name, item in value.items():
        if _beyond_64_bits(item):
            # Bolt carries 64-bit integers; the driver's OverflowError was a 500 (tests/fuzz).
            raise QueryError(f"Parameter {name!r} holds a whole number beyond 64 bits; "
                             "Cypher integers run from -2^63 to 2^63-1.")
    return value


def _beyond_64_bits(value: Any) -> bool:
    """True if ``value`` is, or holds, an int outside Cypher's 64-bit range."""
    if isinstance(value, int) and not isinstance(value, bool):
        return not -2**63 <= value < 2**63
    if isinstance(value, list):
        return any(_beyond_64_bits(item) for item in value)
    if isinstance(value, dict):
        return any(_beyond_64_bits(item) for item in value.values())
    return False


# -- masking and drawing ------------------------------------------------------------------

# Personal numbers are also recognised by their shape, so renaming a column (`r.phone AS p`)
# or embedding one in a longer string does not unmask it: mainland ID numbers (17 digits and
# a check character), mobile numbers, and landlines with an area code.
_ID_NUMBER = re.compile(r"(?<!\d)\d{17}[\dXx](?!\d)")
_MOBILE = re.compile(r"(?<!\d)1[3-9]\d{9}(?!\d)")
_LANDLINE = re.compile(r"(?<!\d)0\d{2,3}-\d{7,8}(?!\d)")


def _mask_text(text: str) -> str:
    text = _ID_NUMBER.sub(lambda m: mask_id_number(m.group()), text)
    text = _MOBILE.sub(lambda m: mask_phone(m.group()), text)
    return _LANDLINE.sub(lambda m: mask_phone(m.group()), text)


def _mask(value: Any, key: str = "") -> Any:
    lowered = key.lower()
    if isinstance(value, str) and "phone" in lowered:
        return mask_phone(value)
    if isinstance(value, str) and "id_number" in lowered:
        return mask_id_number(value)
    if isinstance(value, str):
        return _mask_text(value)
    if isinstance(value, dict):
        return {k: _mask(v, k) for k, v in value.items()}
    if isinstance(value, list):
        return [_mask(v, key) for v in value]
    return value


def _shown(result: ConsoleResult) -> dict[str, Any]:
    """The result as shown and sent: phone and ID numbers masked."""
    data = result.as_dict()
    data["rows"] = [{column: _mask(row.get(column), column) for column in data["columns"]}
                    for row in data["rows"]]
    return data


def _cell(value: Any) -> str:
    if isinstance(value, (dict, list)):
        return json.dumps(value, ensure_ascii=False, sort_keys=True)
    return "" if value is None else str(value)


def graph_svg(graph: dict, width: int = 760, height: int = 460) -> dict | None:
    """Lay out the returned nodes and relationships for the SVG in the template.

    Returns None when there is nothing to draw; positions are in pixels.
    """
    import networkx as nx

    nodes = graph["nodes"][:GRAPH_VIEW_MAX_NODES]
    if not nodes:
        return None
    drawn = {n["id"] for n in nodes}
    G = nx.MultiDiGraph()
    G.add_nodes_from(drawn)
    edges = [r for r in graph["relationships"] if r["start"] in drawn and r["end"] in drawn]
    G.add_edges_from((r["start"], r["end"]) for r in edges)
    # A fixed seed: the same answer draws the same picture.
    positions = nx.spring_layout(G, seed=7, k=1.5 / math.sqrt(max(len(drawn), 1)))
    margin = 40

    def place(node_id):
        x, y = positions[node_id]
        return (margin + (x + 1) / 2 * (width - 2 * margin),
                margin + (y + 1) / 2 * (height - 2 * margin))

    placed = {n["id"]: place(n["id"]) for n in nodes}
    labels = sorted({n["labels"][0] if n["labels"] else "" for n in nodes})
    return {"width": width, "height": height,
            "nodes": [{**n, "x": placed[n["id"]][0], "y": placed[n["id"]][1],
                       "colour": labels.index(n["labels"][0] if n["labels"] else "") % 8}
                      for n in nodes],
            "edges": [{**r, "x1": placed[r["start"]][0], "y1": placed[r["start"]][1],
                       "x2": placed[r["end"]][0], "y2": placed[r["end"]][1]} for r in edges],
            "cut": len(graph["nodes"]) > len(nodes)}
