"""The home page: what the graph holds, counted by label and relationship type."""

from __future__ import annotations

from flask import Blueprint, current_app

from queries.registry import get_query, run_query
from webapp.graph_handle import get_graph
from webapp.pages import page

bp = Blueprint("home", __name__)


@page(bp, "/", "home.html", json_rule="/index.json")
def index():
    """Show node counts by label and relationship counts by type."""
    graph = get_graph()
    labels = run_query(graph, get_query("counts_by_label"), {}).rows
    relationships = run_query(graph, get_query("counts_by_relationship"), {}).rows
    settings = current_app.config["MINQING_SETTINGS"]
    return {
        "engine": graph.engine,
        "database": graph.database,
        "labels": labels,
        "relationships": relationships,
        "total_nodes": sum(row["nodes"] for row in labels),
        "data_dir": settings.data_dir if graph.engine == "arcadedb" else None,
    }
