"""Turn the graph's directory (Service, Organization, Location, TaxonomyTerm) into HSDS 3.0
documents: paginated lists, fully nested services and organizations, and a file export.

Only schema fields are published: properties Minqing adds (search_text, embedding, source,
Ohana's keywords) stay in the graph. The documents validate against ``schema/*.json``.
"""

from __future__ import annotations

import json
import math
from pathlib import Path

from graph import schema
from ingest.hsds.directory import DETAILS_PROPERTY, published_id
from ingest.hsds.schemas import property_types

_SCHEMA_FILES = {"Service": "service.json", "Organization": "organization.json",
                 "Location": "location.json", "TaxonomyTerm": "taxonomy_term.json"}
_RENAMED_BACK = {"lat": "latitude", "lon": "longitude"}
_NOT_PUBLISHED = {"id", "organization_id", "service_id", "location_id"}


# -- Cypher (pure builders; linted in tests/ingest/test_hsds_import.py) ---------------------


def count_query(label_name: str) -> str:
    """Count a label's nodes that have a published HSDS id."""
    lab = schema.node_label(label_name)
    return f"MATCH (n:{lab.name}) WHERE n.hsds_id IS NOT NULL RETURN count(n) AS total"


def page_query(label_name: str) -> str:
    """Published ids of one page of a label, by name."""
    lab = schema.node_label(label_name)
    return (f"MATCH (n:{lab.name}) WHERE n.hsds_id IS NOT NULL "
            f"RETURN n.hsds_id AS id ORDER BY n.name, n.hsds_id SKIP $skip LIMIT $limit")


def search_query(label_name: str) -> str:
    """Published ids matching a full-text search of a searchable label, best first."""
    lab = schema.node_label(label_name)
    return ("CALL db.index.fulltext.queryNodes($index, $search) YIELD node, score "
            f"WHERE node:{lab.name} AND node.hsds_id IS NOT NULL "
            "RETURN node.hsds_id AS id, score ORDER BY score DESC, id")


SERVICES_QUERY = (
    f"UNWIND $ids AS id "
    f"MATCH (s:{schema.label('Service')} {{hsds_id: id}}) "
    f"OPTIONAL MATCH (o:{schema.label('Organization')})-[:{schema.rel_type('PROVIDES')}]->(s) "
    "RETURN properties(s) AS service, properties(o) AS organization")

SERVICE_LINKS_QUERY = (
    f"MATCH (s:{schema.label('Service')} {{hsds_id: $id}}) "
    f"OPTIONAL MATCH (s)-[r:{schema.rel_type('AT_LOCATION')}]->(l:{schema.label('Location')}) "
    "WITH s, collect(CASE WHEN l IS NULL THEN NULL ELSE "
    "{link: properties(r), location: properties(l)} END) AS places "
    f"OPTIONAL MATCH (s)-[:{schema.rel_type('CLASSIFIED_AS')}]->"
    f"(t:{schema.label('TaxonomyTerm')}) "
    "RETURN places, collect(properties(t)) AS terms")

ORGANIZATIONS_QUERY = (
    f"UNWIND $ids AS id MATCH (o:{schema.label('Organization')} {{hsds_id: id}}) "
    "RETURN properties(o) AS organization")

ORGANIZATION_LINKS_QUERY = (
    f"MATCH (o:{schema.label('Organization')} {{hsds_id: $id}}) "
    f"OPTIONAL MATCH (o)-[:{schema.rel_type('HAS_LOCATION')}]->(l:{schema.label('Location')}) "
    "WITH o, collect(properties(l)) AS locations "
    f"OPTIONAL MATCH (o)-[:{schema.rel_type('PROVIDES')}]->(s:{schema.label('Service')}) "
    "RETURN locations, collect(properties(s)) AS services")

TERMS_QUERY = (f"MATCH (t:{schema.label('TaxonomyTerm')}) WHERE t.hsds_id IS NOT NULL "
               "RETURN properties(t) AS term ORDER BY t.hsds_id")


def all_queries() -> dict[str, str]:
    """Every Cypher text this module sends, by name (for the lint test)."""
    queries = {"services": SERVICES_QUERY, "service_links": SERVICE_LINKS_QUERY,
               "organizations": ORGANIZATIONS_QUERY,
               "organization_links": ORGANIZATION_LINKS_QUERY, "terms": TERMS_QUERY}
    for label_name in ("Service", "Organization"):
        queries[f"count[{label_name}]"] = count_query(label_name)
        queries[f"page[{label_name}]"] = page_query(label_name)
        queries[f"search[{label_name}]"] = search_query(label_name)
    return queries


# -- node properties → HSDS objects ---------------------------------------------------------


def to_hsds(label_name: str, props: dict | None, *, details: bool = False) -> dict | None:
    """Return the HSDS object for a node's properties: its schema fields, and with
    ``details`` its nested one-to-many fields (phones, schedules, ...)."""
    if not props:
        return None
    fields = property_types(_SCHEMA_FILES[label_name])
    doc = {"id": props["hsds_id"]}
    for name, value in props.items():
        name = _RENAMED_BACK.get(name, name)
        if name in fields and name not in _NOT_PUBLISHED and fields[name] != "array" \
                and not isinstance(value, (list, dict)):
            doc[name] = value
    if details and props.get(DETAILS_PROPERTY):
        doc.update(json.loads(props[DETAILS_PROPERTY]))
    return doc


def service_list_items(graph, ids: list[str]) -> list[dict]:
    """Services with their one-to-one fields and organization, in the order of ``ids``."""
    rows = graph.read(SERVICES_QUERY, {"ids": ids}).rows
    found = {}
    for row in rows:
        doc = to_hsds("Service", row["service"])
        organization = to_hsds("Organization", row["organization"])
        if organization:
            doc["organization_id"] = organization["id"]
            doc["organization"] = organization
        found[doc["id"]] = doc
    return [found[i] for i in ids if i in found]


def full_service(graph, hsds_id: str) -> dict | None:
    """The fully nested service with this published id, or None."""
    items = service_list_items(graph, [hsds_id])
    if not items:
        return None
    doc = items[0]
    row = graph.read(SERVICES_QUERY, {"ids": [hsds_id]}).rows[0]
    doc.update({k: v for k, v in to_hsds("Service", row["service"], details=True).items()
                if k not in doc})
    links = graph.read(SERVICE_LINKS_QUERY, {"id": hsds_id}).rows[0]
    doc["service_at_locations"] = []
    for place in sorted((p for p in links["places"] if p), key=lambda p: p["link"]["hsds_id"]):
        link, location = place["link"], to_hsds("Location", place["location"], details=True)
        entry = {"id": link["hsds_id"], "service_id": hsds_id, "location_id": location["id"]}
        if link.get("description"):
            entry["description"] = link["description"]
        if link.get(DETAILS_PROPERTY):
            entry.update(json.loads(link[DETAILS_PROPERTY]))
        entry["location"] = location
        doc["service_at_locations"].append(entry)
    doc["attributes"] = []
    for term in sorted(links["terms"], key=lambda t: t["hsds_id"]):
        term_doc = to_hsds("TaxonomyTerm", term, details=True)
        doc["attributes"].append({
            "id": published_id("minqing", "attribute", f"{hsds_id}:{term_doc['id']}"),
            "link_id": hsds_id, "link_entity": "service",
            "taxonomy_term_id": term_doc["id"], "taxonomy_term": term_doc})
    return doc


def organization_list_items(graph, ids: list[str]) -> list[dict]:
    """Organizations with their one-to-one fields, in the order of ``ids``."""
    rows = graph.read(ORGANIZATIONS_QUERY, {"ids": ids}).rows
    found = {doc["id"]: doc for doc in (to_hsds("Organization", r["organization"])
                                        for r in rows)}
    return [found[i] for i in ids if i in found]


def full_organization(graph, hsds_id: str) -> dict | None:
    """The fully nested organization with this published id (its locations and services),
    or None."""
    rows = graph.read(ORGANIZATIONS_QUERY, {"ids": [hsds_id]}).rows
    if not rows:
        return None
    doc = to_hsds("Organization", rows[0]["organization"], details=True)
    links = graph.read(ORGANIZATION_LINKS_QUERY, {"id": hsds_id}).rows[0]
    doc["locations"] = sorted(({**to_hsds("Location", p, details=True),
                                "organization_id": hsds_id} for p in links["locations"]),
                              key=lambda d: d["id"])
    doc["services"] = sorted(({**to_hsds("Service", p), "organization_id": hsds_id}
                              for p in links["services"]), key=lambda d: d["id"])
    return doc


# -- pages and files ------------------------------------------------------------------------


def page_of(graph, label_name: str, *, search: str = "", page: int = 1,
            per_page: int = 20) -> dict:
    """One HSDS API page of services or organizations, optionally full-text searched.

    Returns ``{total_items, total_pages, page_number, size, first_page, last_page, empty,
    contents}``; ``size`` is the number of items on this page, as in the spec's example.
    """
    items_of = service_list_items if label_name == "Service" else organization_list_items
    skip = (page - 1) * per_page
    if search:
        hits = graph.read(search_query(label_name),
                          {"index": schema.fulltext_index_name(label_name),
                           "search": search}).rows
        ids = list(dict.fromkeys(hit["id"] for hit in hits))
        total, page_ids = len(ids), ids[skip:skip + per_page]
    else:
        total = graph.read(count_query(label_name)).single_value() or 0
        page_ids = [row["id"] for row in graph.read(
            page_query(label_name), {"skip": skip, "limit": per_page}).rows]
    contents = items_of(graph, page_ids) if page_ids else []
    total_pages = max(1, math.ceil(total / per_page))
    return {"total_items": total, "total_pages": total_pages, "page_number": page,
            "size": len(contents), "first_page": page == 1, "last_page": page >= total_pages,
            "empty": not contents, "contents": contents}


def export_directory(graph, out_dir: Path) -> dict[str, int]:
    """Write every published service and organization as a fully nested HSDS 3.0 JSON file
    (``services/<id>.json``, ``organizations/<id>.json``) and the taxonomy terms as
    ``taxonomy_terms.json``; return how many of each were written."""
    out_dir = Path(out_dir)
    counts = {}
    for folder, label_name, full in (("services", "Service", full_service),
                                     ("organizations", "Organization", full_organization)):
        (out_dir / folder).mkdir(parents=True, exist_ok=True)
        ids = [row["id"] for row in graph.read(page_query(label_name),
                                               {"skip": 0, "limit": 10_000_000}).rows]
        for hsds_id in ids:
            document = full(graph, hsds_id)
            (out_dir / folder / f"{hsds_id}.json").write_text(
                json.dumps(document, ensure_ascii=False, indent=2), encoding="utf-8")
        counts[folder] = len(ids)
    terms = [to_hsds("TaxonomyTerm", row["term"], details=True)
             for row in graph.read(TERMS_QUERY).rows]
    (out_dir / "taxonomy_terms.json").write_text(
        json.dumps(terms, ensure_ascii=False, indent=2), encoding="utf-8")
    counts["taxonomy_terms"] = len(terms)
    return counts
