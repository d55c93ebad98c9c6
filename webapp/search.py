"""The search page: one box for a demand in plain words, the parse (correctable), and the
proposal — venue, volunteers, organizations, residents to invite — with reasons."""

from __future__ import annotations

import json
import threading
import time
from datetime import date

from flask import Blueprint, abort, current_app, render_template, request

from webapp.graph_handle import get_graph
from webapp.masking import mask_phone
from webapp.pages import page
from webapp.scope import current_scope, residents_in_scope

bp = Blueprint("search", __name__)

MAX_DEMANDS = 20  # one line per demand; a week's worth, solved jointly
GAZETTEER_TTL_S = 600  # places and tags change with an ingest, not between two searches
_lock = threading.Lock()


def gazetteer():
    """The app's gazetteer, rebuilt from the graph every GAZETTEER_TTL_S seconds."""
    from models.demand import warm_up
    from models.gazetteer import Gazetteer

    cached = current_app.extensions.get("minqing_gazetteer")
    if cached and time.monotonic() - cached[0] < GAZETTEER_TTL_S:
        return cached[1]
    with _lock:
        built = Gazetteer.from_graph(get_graph())
        warm_up(built)
        current_app.extensions["minqing_gazetteer"] = (time.monotonic(), built)
    return built


def _today() -> date:
    value = request.values.get("today")
    if not value:
        return date.today()
    try:
        return date.fromisoformat(value)
    except ValueError:
        abort(400, f"today must be a date YYYY-MM-DD, got {value!r}")


def _proposals(demands) -> list[dict]:
    """Propose for ``demands`` jointly (no room or volunteer in two overlapping demands)."""
    from models.embeddings import get_embedder
    from models.proposal import propose_all

    started = time.perf_counter()
    # Invitees are chosen inside the official's areas (so the list is full, not cut short),
    # and checked again against the scope before anything is shown.
    documents = [p.to_json() for p in propose_all(
        get_graph(), get_embedder(current_app.config["MINQING_SETTINGS"]), demands,
        areas=current_scope())]
    _scope_participants(documents)
    for document in documents:
        for group in ("volunteers", "participants"):
            for match in document[group]:
                match["phone"] = mask_phone(match.get("phone"))
        document["total_ms"] = round((time.perf_counter() - started) * 1000, 1)
    return documents


def _scope_participants(documents: list[dict]) -> None:
    """Keep only invitees the user may see: none for partners (resources only), those of
    their own areas for officials, all for analysts and admins."""
    if current_scope() is None:
        return
    allowed = residents_in_scope(get_graph(), (m["key"] for d in documents
                                               for m in d["participants"]))
    for document in documents:
        document["participants"] = [m for m in document["participants"]
                                    if m["key"] in allowed]
        document["participants_scoped"] = True


def _proposal(demand) -> dict:
    return _proposals([demand])[0]


@page(bp, "/search", "search.html")
def search():
    """Parse ``q`` and propose resources for it; an empty ``q`` shows the box.

    Several lines are several demands (e.g. a week's), assigned jointly.
    """
    from models.demand import parse_demand

    text = request.args.get("q", "")
    lines = [line for line in text.splitlines() if line.strip()]
    if not lines:
        return {"q": "", "demand": None, "proposal": None, "demand_json": "", "others": []}
    today, places = _today(), gazetteer()
    demands = [parse_demand(line, today=today, gazetteer=places) for line in lines[:MAX_DEMANDS]]
    proposals = _proposals(demands)
    others = [{"demand": d.to_json(), "proposal": p}
              for d, p in zip(demands[1:], proposals[1:])]
    return {"q": text, "demand": demands[0].to_json(), "proposal": proposals[0],
            "demand_json": json.dumps(demands[0].to_json(), ensure_ascii=False, indent=1),
            "others": others}


@bp.post("/search")
def corrected():
    """Propose again from a parse the user corrected (form field ``demand``, JSON)."""
    from models.demand import Demand, DemandError

    raw = request.form.get("demand", "")
    try:
        demand = Demand.from_json(json.loads(raw))
    except (ValueError, DemandError) as e:
        abort(400, f"The corrected demand cannot be read: {e}")
    return render_template("search.html", q=demand.text, demand=demand.to_json(),
                           proposal=_proposal(demand), demand_json=raw, corrected=True,
                           others=[])
