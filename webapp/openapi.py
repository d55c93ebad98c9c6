"""The OpenAPI 3.1 document of the JSON API, generated from the app's url_map, and /api.

Every ``.json`` twin, the ``/api/`` endpoints and the HSDS directory (``/services``,
``/organizations``) are described: path parameters from the rule's converters, query
parameters from a table kept next to the views' names, and one response schema per page
family (blueprint) — detailed where the family's JSON is fixed (dashboard, profiles, HSDS
pages, event intake), an open object with ``ok`` elsewhere. Errors share one schema.
"""

from __future__ import annotations

import re
from typing import Any

from flask import Blueprint, current_app, jsonify, render_template

bp = Blueprint("openapi", __name__)

OPENAPI_VERSION = "3.1.0"
_CONVERTER_TYPES = {"int": {"type": "integer"}, "float": {"type": "number"},
                    "path": {"type": "string"}, "uuid": {"type": "string", "format": "uuid"}}
_ARGUMENT = re.compile(r"<(?:(?P<converter>[a-zA-Z_]+)(?:\([^)]*\))?:)?(?P<name>[a-zA-Z_]+)>")


def _query(name: str, description: str, schema: dict | None = None) -> dict[str, Any]:
    return {"name": name, "in": "query", "required": False, "description": description,
            "schema": schema or {"type": "string"}}


_PAGING = [_query("search", "Full-text search terms."),
           _query("page", "Page number, from 1.", {"type": "integer", "minimum": 1}),
           _query("per_page", "Items per page.", {"type": "integer", "minimum": 1})]

# Query parameters the views read, by endpoint (the HTML endpoint's name for a .json twin).
QUERY_PARAMETERS: dict[str, list[dict[str, Any]]] = {
    "search.search": [_query("q", "The demand in plain words; one demand per line.")],
    "alerts.alert_list": [_query("official", "Only alerts routed to this official id."),
                          _query("status", "open, or an outcome (visited_ok, away, ...).")],
    "programs.program_area": [_query("skip", "Members to skip (paging).",
                                     {"type": "integer", "minimum": 0})],
    "inbox.official_inbox": [_query("status", "Filter the inbox by status.")],
    "elevators.ranking": [_query("top", "How many buildings.", {"type": "integer"}),
                                _query("area", "Only this residential area id.")],
    "emergency.emergency": [_query("building", "Building id (repeatable)."),
                            _query("area", "Residential area id."),
                            _query("near", "LAT,LON of a centre."),
                            _query("radius_m", "Radius around near, in m.", {"type": "number"}),
                            _query("skills", "Volunteer skills, comma-separated."),
                            _query("as_of", "Reference date (YYYY-MM-DD).")],
    "admin.audit_page": [_query(name, f"Audit filter: {name}.")
                         for name in ("actor", "action", "target", "since", "until")],
    "hsds_api.services": _PAGING,
    "hsds_api.organizations": _PAGING,
}

# -- schemas ---------------------------------------------------------------------------------

_NUM = {"type": ["number", "null"]}
_INT = {"type": "integer"}
_STR_OR_NULL = {"type": ["string", "null"]}
_GRAPH = {
    "type": "object", "required": ["nodes", "edges"],
    "properties": {
        "nodes": {"type": "array", "items": {
            "type": "object", "required": ["id", "label", "key", "hop", "x", "y"],
            "properties": {"id": {"type": "string"}, "label": {"type": "string"},
                           "key": {"type": "string"}, "caption": _STR_OR_NULL,
                           "hop": {"type": "integer", "minimum": 0, "maximum": 2},
                           "x": {"type": "number"}, "y": {"type": "number"}}}},
        "edges": {"type": "array", "items": {
            "type": "object", "required": ["source", "target", "type"],
            "properties": {"source": {"type": "string"}, "target": {"type": "string"},
                           "type": {"type": "string"}}}},
        "truncated": {"type": "boolean"}},
}

SCHEMAS: dict[str, dict[str, Any]] = {
    "Error": {"type": "object", "required": ["ok", "error", "status"],
              "properties": {"ok": {"const": False}, "error": {"type": "string"},
                             "status": {"type": "integer"}, "title": {"type": "string"},
                             "problems": {"type": "array", "items": {"type": "string"}}}},
    "Page": {"type": "object", "required": ["ok"], "properties": {"ok": {"const": True}},
             "additionalProperties": True,
             "description": "A page's data: the same dict its HTML template receives."},
    "Dashboard": {
        "type": "object",
        "required": ["ok", "computed_at", "programs", "residents_covered", "alerts",
                     "campaigns", "volunteers", "service_coverage", "age_s", "refresh_s"],
        "properties": {
            "ok": {"const": True}, "computed_at": {"type": "string"},
            "age_s": {"type": "number", "minimum": 0}, "refresh_s": _INT, "cache_s": _INT,
            "residents_covered": {"type": "integer", "minimum": 0},
            "programs": {"type": "array", "items": {
                "type": "object",
                "required": ["program_id", "name", "covered", "silent", "coverage_rate"],
                "properties": {"program_id": {"type": "string"}, "name": {"type": "string"},
                               "covered": _INT, "silent": {"type": ["integer", "null"]},
                               "eligible": {"type": ["integer", "null"]},
                               "coverage_rate": _NUM}}},
            "alerts": {"type": "object", "required": ["open", "age_buckets"],
                       "properties": {"open": _INT, "median_age_days": _NUM,
                                      "oldest_age_days": _NUM,
                                      "age_buckets": {"type": "array", "items": {
                                          "type": "object", "required": ["label", "count"],
                                          "properties": {"label": {"type": "string"},
                                                         "count": _INT}}}}},
            "campaigns": {"type": "array", "items": {
                "type": "object", "required": ["campaign_id", "name", "contacted",
                                               "booked_after_contact", "take_up_rate"],
                "properties": {"campaign_id": _INT, "name": {"type": "string"},
                               "program_id": _STR_OR_NULL, "contacted": _INT,
                               "booked_after_contact": _INT, "take_up_rate": _NUM}}},
            "volunteers": {"type": "object", "required": ["volunteers", "hours", "by_skill"],
                           "properties": {"volunteers": _INT, "hours": {"type": "number"},
                                          "by_skill": {"type": "array", "items": {
                                              "type": "object",
                                              "required": ["skill", "hours"]}}}},
            "service_coverage": {"type": "object",
                                 "required": ["buildings", "points", "any_share", "by_type"],
                                 "properties": {"buildings": _INT, "points": _INT,
                                                "any_share": _NUM,
                                                "by_type": {"type": "array", "items": {
                                                    "type": "object",
                                                    "required": ["type", "share"]}}}}}},
    "ResidentProfile": {
        "type": "object",
        "required": ["ok", "resident", "building", "area", "tags", "household", "events",
                     "neighbourhood"],
        "properties": {
            "ok": {"const": True},
            "resident": {"type": "object", "required": ["resident_id"],
                         "properties": {"resident_id": {"type": "string"},
                                        "phone": {"type": ["string", "null"],
                                                  "pattern": r"\*\*\*\*"}}},
            "building": {"type": "object"}, "area": {"type": "object"},
            "household_id": _STR_OR_NULL,
            "tags": {"type": "array", "items": {"type": "object", "required": ["tag_id"]}},
            "household": {"type": "array", "items": {"type": "object",
                                                     "required": ["resident_id"]}},
            "programs": {"type": "array"}, "silent_groups": {"type": "array"},
            "events": {"type": "array", "items": {"type": "object", "required": ["event_id"]}},
            "neighbourhood": {"$ref": "#/components/schemas/NeighbourhoodGraph"}}},
    "BuildingProfile": {
        "type": "object", "required": ["ok", "building", "elevator", "area", "residents",
                                       "neighbourhood"],
        "properties": {
            "ok": {"const": True},
            "building": {"type": "object", "required": ["building_id"]},
            "elevator": {"type": "string"}, "area": {"type": "object"},
            "residents": {"type": "array", "items": {
                "type": "object", "required": ["resident_id", "phone"],
                "properties": {"phone": {"type": ["string", "null"],
                                         "pattern": r"\*\*\*\*"}}}},
            "neighbourhood": {"$ref": "#/components/schemas/NeighbourhoodGraph"}}},
    "NeighbourhoodGraph": _GRAPH,
    "HsdsPage": {"type": "object",
                 "required": ["total_items", "total_pages", "page_number", "contents"],
                 "properties": {"total_items": _INT, "total_pages": _INT,
                                "page_number": _INT, "size": _INT, "first_page": {},
                                "last_page": {}, "empty": {},
                                "contents": {"type": "array", "items": {"type": "object"}}}},
    "HsdsRecord": {"type": "object", "required": ["id"], "properties": {
        "id": {"type": "string"}}},
    "IntakeResult": {"type": "object", "required": ["status"],
                     "properties": {"ok": {"type": "boolean"}, "status": _INT,
                                    "created": _INT, "rejected": _INT},
                     "additionalProperties": True},
    "OpenApi": {"type": "object", "required": ["openapi", "paths"]},
}

# Which schema a 200 answer of an endpoint follows; anything else is a Page.
RESPONSE_SCHEMAS = {"dashboard.dashboard": "Dashboard", "profiles.resident": "ResidentProfile",
                    "profiles.building": "BuildingProfile", "hsds_api.services": "HsdsPage",
                    "hsds_api.organizations": "HsdsPage", "hsds_api.service": "HsdsRecord",
                    "hsds_api.organization": "HsdsRecord", "openapi.openapi_document_view": "OpenApi"}


def is_api_rule(rule: str) -> bool:
    """True for the URLs the document describes.

    >>> [is_api_rule(r) for r in ("/alerts.json", "/api/events", "/services/<x>", "/alerts")]
    [True, True, True, False]
    """
    return (rule.endswith(".json") or rule.startswith("/api/")
            or rule.split("/")[1] in ("services", "organizations"))


def _base_endpoint(endpoint: str) -> str:
    return endpoint[:-len("_json")] if endpoint.endswith("_json") else endpoint


def _summary(app, endpoint: str) -> str:
    view = app.view_functions.get(_base_endpoint(endpoint)) or app.view_functions[endpoint]
    doc = (view.__doc__ or "").strip()
    return doc.splitlines()[0] if doc else endpoint


def _json(schema_name: str, description: str) -> dict[str, Any]:
    return {"description": description, "content": {"application/json": {
        "schema": {"$ref": f"#/components/schemas/{schema_name}"}}}}


def _operation(app, rule, method: str) -> dict[str, Any]:
    endpoint = rule.endpoint
    base = _base_endpoint(endpoint)
    path_params = [{"name": m["name"], "in": "path", "required": True,
                    "schema": dict(_CONVERTER_TYPES.get(m["converter"] or "", {"type": "string"}))}
                   for m in _ARGUMENT.finditer(rule.rule)]
    operation: dict[str, Any] = {
        "operationId": f"{endpoint}_{method.lower()}".replace(".", "_"),
        "summary": _summary(app, endpoint),
        "tags": [endpoint.split(".")[0]],
        "parameters": path_params + QUERY_PARAMETERS.get(base, []),
        "responses": {"200": _json(RESPONSE_SCHEMAS.get(base, "Page"), "The data."),
                      "default": _json("Error", "An error: the app's one JSON error shape.")},
    }
    if endpoint == "intake.post_events":
        operation["security"] = [{"intakeToken": []}]
        operation["requestBody"] = {"required": True, "content": {"application/json": {
            "schema": {"oneOf": [{"type": "object"},
                                 {"type": "array", "items": {"type": "object"}}]}}}}
        operation["responses"] = {"200": _json("IntakeResult", "All events known already."),
                                  "201": _json("IntakeResult", "Events stored."),
                                  "400": _json("IntakeResult", "Some events rejected."),
                                  "default": _json("Error", "Not allowed or failed.")}
    elif method == "POST":
        operation["requestBody"] = {"content": {"application/x-www-form-urlencoded": {
            "schema": {"type": "object", "properties": {"csrf_token": {"type": "string"}}}}}}
    return operation


def openapi_document(app) -> dict[str, Any]:
    """Build the OpenAPI 3.1 document of ``app``'s JSON API from its url_map."""
    paths: dict[str, dict[str, Any]] = {}
    for rule in sorted(app.url_map.iter_rules(), key=lambda r: r.rule):
        if not is_api_rule(rule.rule):
            continue
        path = _ARGUMENT.sub(lambda m: "{" + m["name"] + "}", rule.rule)
        for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"}):
            paths.setdefault(path, {})[method.lower()] = _operation(app, rule, method)
    return {
        "openapi": OPENAPI_VERSION,
        "info": {"title": "Minqing JSON API", "version": "1",
                 "description": "Every page's .json twin, the event intake and the HSDS "
                                "directory. Pages behind login answer 401 in the error shape."},
        "servers": [{"url": "/"}],
        "paths": paths,
        "components": {"schemas": SCHEMAS, "securitySchemes": {
            "intakeToken": {"type": "http", "scheme": "bearer",
                            "description": "The intake token (setting intake_token)."}}},
    }


@bp.get("/openapi.json")
def openapi_document_view():
    """The OpenAPI 3.1 document of the JSON API."""
    return jsonify(openapi_document(current_app))


@bp.get("/api")
def api_page():
    """List the JSON API's endpoints for people."""
    document = openapi_document(current_app)
    operations = [{"path": path, "method": method.upper(), "summary": op["summary"],
                   "tag": op["tags"][0],
                   "parameters": [p["name"] for p in op["parameters"]],
                   "schema": op["responses"].get("200", op["responses"].get("201", {}))
                   .get("content", {}).get("application/json", {}).get("schema", {})
                   .get("$ref", "").rsplit("/", 1)[-1]}
                  for path, methods in document["paths"].items()
                  for method, op in methods.items()]
    return render_template("api.html", operations=operations, version=document["openapi"])
