"""The elevator-retrofit page: ranked walk-ups with their reasons, the evaluation, a map layer."""

from __future__ import annotations

from flask import Blueprint, Response, current_app, request

from graph.errors import NotFound, QueryError
from models.elevators import store
from models.elevators.features import FEATURES
from webapp.pages import page
from webapp.scope import keep_in_scope

bp = Blueprint("elevators", __name__)


def _stored():
    try:
        return store.load(current_app.config["MINQING_SETTINGS"])
    except NotFound as e:
        return {"missing": str(e)}


def _selected(document: dict) -> list[dict]:
    try:
        top = int(request.args.get("top", 100))
    except ValueError:
        raise QueryError(f"top must be a whole number, got {request.args['top']!r}") from None
    area = request.args.get("area") or None
    buildings = keep_in_scope(document["ranking"]["buildings"])  # an official: own areas
    if area:
        buildings = [b for b in buildings if area in (b["area_id"], b["area_name"])]
    return buildings[:max(top, 0)]


@page(bp, "/elevators", "elevators.html")
def ranking():
    """Show the stored ranking (filter by ?area=, cut at ?top=) and the model's evaluation."""
    document = _stored()
    if "missing" in document:
        return {"missing": document["missing"], "buildings": [], "evaluation": None,
                "ranking": None, "features": FEATURES}
    ranking = {k: v for k, v in document["ranking"].items() if k != "buildings"}
    return {"missing": None, "ranking": ranking, "evaluation": document["evaluation"],
            "buildings": _selected(document), "features": FEATURES,
            "area": request.args.get("area", ""), "top": request.args.get("top", "100")}


@bp.route("/elevators/map")
def ranking_map():
    """The ranked buildings on a folium map (the page embeds it in an iframe)."""
    from models.elevators.map import ranking_map as render
    from webapp.map_assets import map_options, with_nonce

    document = _stored()
    buildings = [] if "missing" in document else _selected(document)
    return Response(with_nonce(render(buildings, **map_options())), mimetype="text/html")
