"""The HSDS 3.0 API, read-only: /services, /services/<id>, /organizations, /organizations/<id>.

Shapes follow the Open Referral HSDS 3.0 API (``openapi.json``): lists are pages
``{total_items, total_pages, page_number, size, first_page, last_page, empty, contents}``
of one-to-one fields; by id, the fully nested document. ``search`` is a full-text search
over name, description and (for services) eligibility, keywords and taxonomy terms.
Every response of this blueprint, errors included, carries ``Access-Control-Allow-Origin: *``
(Open Referral UK requires it); errors use the app's JSON shape. Public directory data only:
no personal data is stored for these labels (ingest.hsds leaves contacts out).
"""

from __future__ import annotations

import re

from flask import Blueprint, jsonify, request

from graph.errors import MinqingError, NotFound
from ingest.hsds import export
from webapp.converters import bounded_int
from webapp.graph_handle import get_graph

bp = Blueprint("hsds_api", __name__)

MAX_PER_PAGE = 100
# Far past any directory's last page, and (page - 1) * per_page stays within the graph's
# 64-bit integers (a larger number was a 500, found by tests/fuzz in full mode).
MAX_PAGE = 1_000_000
DEFAULT_PER_PAGE = 20
MAX_SEARCH_CHARS = 200
_WORD = re.compile(r"\w+", re.UNICODE)


class BadParameter(MinqingError):
    """A query parameter of the HSDS API has a value it cannot use."""


@bp.after_request
def allow_any_origin(response):
    """Let any web page read the directory (CORS), as Open Referral UK requires."""
    response.headers["Access-Control-Allow-Origin"] = "*"
    return response


@bp.errorhandler(MinqingError)
def minqing_error(error: MinqingError):
    """Answer in JSON, whatever went wrong (a bad parameter, an unknown id, no graph)."""
    from webapp.errors import _STATUS

    status = 400 if isinstance(error, BadParameter) else next(
        (code for cls, code in _STATUS.items() if isinstance(error, cls)), 500)
    titles = {400: "Bad request", 404: "Not found", 503: "Graph unavailable"}
    return _error(status, titles.get(status, "Error"), str(error))


def _error(status: int, title: str, message: str):
    # The app's JSON error shape; these URLs have no .json suffix but are JSON only.
    response = jsonify({"ok": False, "error": message, "status": status, "title": title})
    response.status_code = status
    response.headers["Access-Control-Allow-Origin"] = "*"
    return response


@bp.get("/services")
def services():
    """A page of services, optionally full-text searched."""
    return jsonify(export.page_of(get_graph(), "Service", **_page_arguments()))


@bp.get("/services/<hsds_id>")
def service(hsds_id: str):
    """The fully nested service with this id."""
    document = export.full_service(get_graph(), hsds_id)
    if document is None:
        raise NotFound(f"No service with id {hsds_id!r}; list them at /services")
    return jsonify(document)


@bp.get("/organizations")
def organizations():
    """A page of organizations, optionally full-text searched."""
    return jsonify(export.page_of(get_graph(), "Organization", **_page_arguments()))


@bp.get("/organizations/<hsds_id>")
def organization(hsds_id: str):
    """The fully nested organization (its locations and services) with this id."""
    document = export.full_organization(get_graph(), hsds_id)
    if document is None:
        raise NotFound(f"No organization with id {hsds_id!r}; list them at /organizations")
    return jsonify(document)


def _page_arguments() -> dict:
    """Read search, page and per_page; raise BadParameter naming the parameter."""
    page = _positive_int("page", 1, MAX_PAGE)
    per_page = _positive_int("per_page", DEFAULT_PER_PAGE, MAX_PER_PAGE)
    return {"search": search_terms(request.args.get("search", "")), "page": page,
            "per_page": per_page}


def _positive_int(name: str, default: int, highest: int) -> int:
    text = request.args.get(name, "").strip()
    if not text:
        return default
    try:
        return bounded_int(text, name, 1, highest)
    except ValueError as e:
        raise BadParameter(str(e)) from None


def search_terms(text: str) -> str:
    """Keep the words of a search, so that Lucene operators or quotes in it are plain text.

    Words are lower-cased, because AND, OR and NOT in capitals are Lucene operators (the
    index lower-cases what it stores, so nothing is lost).

    >>> search_terms('Counselling AND (mental* "health")')
    'counselling and mental health'
    """
    return " ".join(_WORD.findall(text[:MAX_SEARCH_CHARS].lower()))
