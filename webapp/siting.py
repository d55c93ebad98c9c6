"""Service points and site selection pages: the coverage map, table and chart, and proposals.

``/sites`` shows one service type's coverage (``.json`` twin: the numbers); ``/sites/locate``
runs a location-allocation from the form's GET parameters and draws the proposal (``.json``
twin: the proposal). The map is the same folium document the CLI writes, embedded with
``srcdoc``; the chart is a matplotlib SVG drawn on the server from the twin's numbers.
"""

from __future__ import annotations

import io

from flask import Blueprint, current_app, jsonify, render_template, request

from models.siting import SitingError
from models.siting.locate import MODELS
from webapp.graph_handle import get_graph

bp = Blueprint("siting", __name__)
DEFAULT_TYPE = "dining_hall"


@bp.errorhandler(SitingError)
def siting_error(error: SitingError):
    """Bad site-selection input is the caller's to fix: 400, in the app's one error shape."""
    from webapp.errors import _respond

    return _respond(400, "Cannot select sites", str(error))


def _settings():
    return current_app.config["MINQING_SETTINGS"]


def _number(name: str, kind):
    text = (request.args.get(name) or "").strip()
    if not text:
        return None
    try:
        return kind(text)
    except ValueError:
        raise SitingError(f"{name} must be a {'whole ' if kind is int else ''}number, "
                          f"got {text!r}") from None


def _coverage_doc(graph, service_type: str, group: str | None):
    from models.siting.plan import coverage_for
    from models.siting.sites import service_types

    cov = coverage_for(graph, _settings(), service_type, group=group)
    return cov, {"service_type": service_type, "service_types": service_types(graph),
                 "models": MODELS, "coverage": cov.to_json()}


def _map_html(graph, cov, demand=None, proposal=None) -> str:
    from models.siting.demand import building_demand
    from models.siting.mapping import coverage_map, map_html
    from models.siting.plan import detour_factor
    from webapp.map_assets import map_options, with_nonce

    demand = demand if demand is not None else building_demand(graph, cov.group, cov.as_of)
    return with_nonce(map_html(coverage_map(cov, demand, proposal=proposal,
                                            detour_factor=detour_factor(_settings()),
                                            **map_options())))


def coverage_chart_svg(coverage: dict) -> str:
    """Draw demand in scope against capacity per point, as an SVG string."""
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib.figure import Figure

    points = coverage["points"]
    fig = Figure(figsize=(max(4.0, 0.6 * len(points) + 2), 3.2))
    ax = fig.subplots()
    ids = [p["point_id"] for p in points]
    xs = range(len(ids))
    ax.bar([x - 0.2 for x in xs], [p["demand_in_scope"] for p in points], width=0.4,
           label="demand in scope", color="#7c3aed")
    ax.bar([x + 0.2 for x in xs], [p["capacity"] or 0 for p in points], width=0.4,
           label="capacity", color="#2563eb")
    ax.set_xticks(list(xs), ids, rotation=45, ha="right", fontsize=8)
    ax.set_ylabel(coverage["group"])
    ax.set_title(f"{coverage['service_type']}: {coverage['share_covered']:.0%} of demand "
                 f"within reach", fontsize=10)
    ax.legend(fontsize=8)
    fig.tight_layout()
    out = io.StringIO()
    fig.savefig(out, format="svg")
    text = out.getvalue()
    return text[text.index("<svg"):]


def _register(rule: str, endpoint: str, template: str, view):
    def html_view():
        return render_template(template, **view(with_map=True))

    def json_view():
        return jsonify({"ok": True, **view(with_map=False)})

    bp.add_url_rule(rule, endpoint, html_view)
    bp.add_url_rule(rule + ".json", endpoint + "_json", json_view)


def sites_view(with_map: bool):
    """One service type's coverage: table, chart and map (the numbers in the twin)."""
    graph = get_graph()
    service_type = request.args.get("type") or DEFAULT_TYPE
    cov, doc = _coverage_doc(graph, service_type, request.args.get("group") or None)
    if with_map:
        doc["map_html"] = _map_html(graph, cov)
        doc["chart_svg"] = coverage_chart_svg(doc["coverage"])
    return doc


def locate_view(with_map: bool):
    """Run a location-allocation from the form and show the proposal on the map."""
    from models.siting.plan import locate_for

    graph = get_graph()
    service_type = request.args.get("type") or DEFAULT_TYPE
    model = request.args.get("model") or "mclp"
    group = request.args.get("group") or None
    run = locate_for(graph, _settings(), service_type, model, p=_number("p", int),
                     radius_m=_number("radius_m", float), group=group,
                     new_capacity=_number("new_capacity", int),
                     keep_existing=request.args.get("ignore_existing") != "1")
    cov, doc = _coverage_doc(graph, service_type, run.group)
    doc["proposal"] = {"candidates": run.candidates, **run.proposal.to_json()}
    doc["form"] = {"model": model, "p": request.args.get("p", ""),
                   "radius_m": request.args.get("radius_m", ""),
                   "new_capacity": request.args.get("new_capacity", ""),
                   "ignore_existing": request.args.get("ignore_existing") == "1"}
    if with_map:
        doc["map_html"] = _map_html(graph, cov, run.demand, run.proposal)
    return doc


_register("/sites", "sites", "sites.html", sites_view)
_register("/sites/locate", "locate", "sites_locate.html", locate_view)
