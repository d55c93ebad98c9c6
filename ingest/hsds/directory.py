"""HSDS records on their way into the graph: validation, quarantine, graph rows, the write.

Both readers (``importer`` for HSDS 3.0 JSON and CSV, ``ohana`` for the Ohana CSV layout)
turn their input into flat ``Record``s, one HSDS 3.0 object each (organization, service,
location, service_at_location, taxonomy_term) with nested one-to-many details such as
phones and schedules. This module validates each record against its HSDS schema, sets bad
ones aside with their file, row and field, and writes the rest through ``ingest.load``:

    (Organization)-[:PROVIDES]->(Service)-[:AT_LOCATION]->(Location)
    (Organization)-[:HAS_LOCATION]->(Location)
    (Service)-[:CLASSIFIED_AS]->(TaxonomyTerm)-[:BROADER_TERM]->(TaxonomyTerm)

Keys are prefixed by source (``hsds:<uuid>``, ``ohana:<id>``) so two directories never
collide; ``hsds_id`` is the UUID the HSDS API publishes and ``source_id`` the original id.
"""

from __future__ import annotations

import csv
import json
import uuid
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from graph import schema
from ingest.hsds.schemas import validate
from ingest.load import load_nodes, load_relationships

# A fixed namespace, so an Ohana id gets the same published UUID on every import.
OHANA_NAMESPACE = uuid.UUID("6f1c5e0a-3a8e-5d2b-9a51-4d696e71696e")

TABLE_LABELS = {"organization": "Organization", "service": "Service",
                "location": "Location", "taxonomy_term": "TaxonomyTerm"}
NODE_ORDER = ("taxonomy_term", "organization", "location", "service")

# Nested fields that become relationships (or are left out) rather than node details.
_LINK_FIELDS = {"organization", "service_at_locations", "services", "locations", "attributes",
                "taxonomy_detail", "location"}
# Contacts name people (a name, an e-mail, a direct line) and metadata is a change log naming
# who edited what: the directory is published openly, so both are counted and left out, at
# any depth, never stored.
PERSONAL_FIELDS = {"contacts": "contacts (personal data)",
                   "metadata": "metadata (change log naming editors)"}
# Graph-wide property names for coordinates (Venue, ServicePoint use lat/lon too).
_RENAMED = {"latitude": "lat", "longitude": "lon"}
DETAILS_PROPERTY = "hsds_details"


def published_id(source: str, table: str, source_id: str) -> str:
    """Return the HSDS id to publish: the original UUID for HSDS, a stable UUID otherwise.

    >>> published_id("ohana", "service", "1") == published_id("ohana", "service", "1")
    True
    """
    if source == "hsds":
        return source_id
    return str(uuid.uuid5(OHANA_NAMESPACE, f"{source}:{table}:{source_id}"))


@dataclass
class Record:
    """One HSDS 3.0 object read from a file, with where it came from."""

    table: str                 # organization | service | location | service_at_location | ...
    doc: dict                  # the HSDS object; doc["id"] is its published id
    source: str                # "hsds" or "ohana": the key prefix
    source_id: str             # the id in the source file
    file: str
    row: str                   # "row 3" in a CSV, a JSON path such as "contents[0]"
    extra: dict = field(default_factory=dict)  # source fields HSDS 3.0 lacks (keywords)

    @property
    def key(self) -> str:
        return f"{self.source}:{self.source_id}"


@dataclass(frozen=True)
class Problem:
    """Something wrong with one record: where it is, which field, what to change."""

    file: str
    row: str
    field: str
    message: str
    record: str = ""           # the record as JSON, so the quarantine file can be fixed

    def __str__(self) -> str:
        return f"{self.file} {self.row}, field {self.field}: {self.message}"


@dataclass
class Directory:
    """Records accepted so far, problems found, and what was deliberately not imported."""

    records: list[Record] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    not_imported: Counter = field(default_factory=Counter)
    files: list[str] = field(default_factory=list)

    def add(self, record: Record) -> bool:
        """Validate ``record`` against its HSDS schema; keep it, or quarantine it."""
        _strip_personal(record.doc, self.not_imported)
        problems = validate(record.table, record.doc)
        if problems:
            dump = json.dumps(record.doc, ensure_ascii=False, default=str)[:2000]
            self.problems += [Problem(record.file, record.row, p.field, p.message, dump)
                              for p in problems]
            return False
        self.records.append(record)
        return True

    def problem(self, file: str, row: str, field_name: str, message: str,
                record: Any = None) -> None:
        """Note a problem that is not a schema violation (a dangling reference, a bad time)."""
        dump = json.dumps(record, ensure_ascii=False, default=str)[:2000] if record else ""
        self.problems.append(Problem(file, row, field_name, message, dump))


def _strip_personal(value, counter: Counter) -> None:
    """Remove PERSONAL_FIELDS from a document and everything nested in it, counting them."""
    if isinstance(value, dict):
        for name, label in PERSONAL_FIELDS.items():
            dropped = value.pop(name, None)
            if dropped:
                counter[label] += len(dropped) if isinstance(dropped, list) else 1
        for nested in value.values():
            _strip_personal(nested, counter)
    elif isinstance(value, list):
        for nested in value:
            _strip_personal(nested, counter)


@dataclass
class ImportReport:
    """What an import wrote and what it set aside."""

    files: list[str]
    nodes: dict[str, int]
    relationships: dict[str, int]
    problems: list[Problem]
    not_imported: dict[str, int]
    quarantine_file: str | None = None

    def to_json(self) -> dict:
        """Return the report as plain data (for ``--json``)."""
        return {"files": self.files, "nodes": self.nodes, "relationships": self.relationships,
                "problems": [vars(p) | {"record": None} for p in self.problems],
                "not_imported": self.not_imported, "quarantine_file": self.quarantine_file}


def import_directory(graph, directory: Directory,
                     quarantine_file: Path | None = None) -> ImportReport:
    """Write a directory's valid records into the graph (idempotent) and report.

    Links to objects neither in this import nor already in the graph are reported as
    problems and left out; the objects themselves are still written.
    """
    nodes, rels = graph_rows(graph, directory)
    written_nodes = {label: load_nodes(graph, label, rows) for label, rows in nodes.items()}
    written_rels = {type_name: load_relationships(graph, type_name, rows)
                    for type_name, rows in rels.items()}
    if quarantine_file is not None:
        write_quarantine(quarantine_file, directory.problems)
    return ImportReport(directory.files, written_nodes, written_rels, directory.problems,
                        dict(directory.not_imported),
                        str(quarantine_file) if quarantine_file else None)


def write_quarantine(path: Path, problems: list[Problem]) -> None:
    """Write the problems, one row each with the record they concern, to a CSV file."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["file", "row", "field", "message", "record"])
        for p in problems:
            writer.writerow([p.file, p.row, p.field, p.message, p.record])


# -- records → graph rows -----------------------------------------------------------------


def graph_rows(graph, directory: Directory) -> tuple[dict[str, list[dict]], dict[str, list]]:
    """Turn records into node rows by label and relationship tuples by type (pure but for
    looking up, in ``graph``, ids that this import refers to but does not contain)."""
    merged: dict[str, dict[str, dict]] = {table: {} for table in NODE_ORDER}
    records_by_key: dict[tuple[str, str], Record] = {}
    for record in directory.records:
        if record.table in merged:
            # The same organization nested in every service of a list: one node, and a
            # summary (a list item) adds to a full document's details, never erases them.
            props = node_properties(record)
            into = merged[record.table].setdefault(record.key, {})
            details = json.loads(into.get(DETAILS_PROPERTY, "{}"))
            details.update(json.loads(props.pop(DETAILS_PROPERTY, "{}")))
            into.update(props)
            if details:
                into[DETAILS_PROPERTY] = json.dumps(details, ensure_ascii=False,
                                                    sort_keys=True)
            records_by_key[(record.table, record.key)] = record
    resolver = _Resolver(graph, directory.records)
    rels: dict[str, dict[tuple, dict]] = {name: {} for name in (
        "PROVIDES", "HAS_LOCATION", "AT_LOCATION", "CLASSIFIED_AS", "BROADER_TERM")}

    def link(type_name, start, end_table, end_id, record, field_name, props=None):
        end = resolver.key(end_table, end_id)
        if end is None:
            directory.problem(record.file, record.row, field_name,
                              f"{end_table} {end_id} is neither in this import nor in the "
                              f"graph; the link was left out")
            return
        rels[type_name][(start, end)] = props or {}

    for record in directory.records:
        doc = record.doc
        if record.table == "service":
            if doc.get("organization_id"):
                start = resolver.key("organization", doc["organization_id"])
                if start is None:
                    directory.problem(record.file, record.row, "organization_id",
                                      f"organization {doc['organization_id']} is neither in "
                                      "this import nor in the graph; the link was left out")
                else:
                    rels["PROVIDES"][(start, record.key)] = {}
            for attribute in doc.get("attributes") or []:
                if attribute.get("taxonomy_term_id"):
                    link("CLASSIFIED_AS", record.key, "taxonomy_term",
                         attribute["taxonomy_term_id"], record, "attributes.taxonomy_term_id")
        elif record.table == "location" and doc.get("organization_id"):
            start = resolver.key("organization", doc["organization_id"])
            if start is None:
                directory.problem(record.file, record.row, "organization_id",
                                  f"organization {doc['organization_id']} is neither in this "
                                  "import nor in the graph; the link was left out")
            else:
                rels["HAS_LOCATION"][(start, record.key)] = {}
        elif record.table == "taxonomy_term" and doc.get("parent_id"):
            link("BROADER_TERM", record.key, "taxonomy_term", doc["parent_id"], record,
                 "parent_id")
        elif record.table == "service_at_location":
            start = resolver.key("service", doc.get("service_id"))
            if start is None:
                directory.problem(record.file, record.row, "service_id",
                                  f"service {doc.get('service_id')} is neither in this import "
                                  "nor in the graph; the link was left out")
                continue
            link("AT_LOCATION", start, "location", doc.get("location_id"), record,
                 "location_id", _link_properties(doc))

    _add_search_text(merged, rels)
    nodes = {TABLE_LABELS[table]: [{schema.key_of(TABLE_LABELS[table]): key, **props}
                                   for key, props in sorted(rows.items())]
             for table, rows in merged.items() if rows}
    relationships = {name: [(s, e, p) for (s, e), p in sorted(found.items())]
                     for name, found in rels.items() if found}
    return nodes, relationships


def node_properties(record: Record) -> dict:
    """Node properties for one record: its scalar fields, the nested details as JSON, and
    where it came from."""
    props: dict[str, Any] = {"hsds_id": record.doc["id"], "source": record.source,
                             "source_id": record.source_id}
    details = {}
    for name, value in record.doc.items():
        if name == "id" or name in _LINK_FIELDS or value is None:
            continue
        if name == "organization_id" and record.table in ("service", "location"):
            continue  # a relationship
        if isinstance(value, (list, dict)):
            if value:
                details[name] = value
        else:
            props[_RENAMED.get(name, name)] = value
    if details:
        props[DETAILS_PROPERTY] = json.dumps(details, ensure_ascii=False, sort_keys=True)
    for name, value in record.extra.items():
        if value not in (None, "", []):
            props[name] = value
    if record.table == "location":
        address = _first_address(record.doc.get("addresses") or [])
        if address:
            props["address"] = address
    return props


def _link_properties(doc: dict) -> dict:
    props = {"hsds_id": doc["id"]}
    if doc.get("description"):
        props["description"] = doc["description"]
    details = {k: v for k, v in doc.items()
               if isinstance(v, list) and v and k not in _LINK_FIELDS}
    if details:
        props[DETAILS_PROPERTY] = json.dumps(details, ensure_ascii=False, sort_keys=True)
    return props


def _first_address(addresses: list[dict]) -> str:
    ordered = sorted(addresses, key=lambda a: a.get("address_type") != "physical")
    for a in ordered:
        parts = [a.get("address_1"), a.get("address_2"), a.get("city"),
                 " ".join(p for p in (a.get("state_province"), a.get("postal_code")) if p)]
        text = ", ".join(p for p in parts if p)
        if text:
            return text
    return ""


def _add_search_text(merged: dict[str, dict[str, dict]], rels: dict) -> None:
    """Fill search_text for the searchable labels: what a full-text or vector search reads."""
    term_names = {key: props.get("name", "") for key, props in merged["taxonomy_term"].items()}
    terms_of: dict[str, list[str]] = {}
    for (service, term) in rels["CLASSIFIED_AS"]:
        if term in term_names:
            terms_of.setdefault(service, []).append(term_names[term])
    for key, props in merged["service"].items():
        keywords = props.get("keywords") or []
        parts = [props.get("name"), props.get("alternate_name"), props.get("description"),
                 props.get("eligibility_description"), ", ".join(keywords),
                 ", ".join(terms_of.get(key, []))]
        props[schema.SEARCH_TEXT_PROPERTY] = "\n".join(p for p in parts if p)
    for props in merged["organization"].values():
        parts = [props.get("name"), props.get("alternate_name"), props.get("description")]
        props[schema.SEARCH_TEXT_PROPERTY] = "\n".join(p for p in parts if p)


class _Resolver:
    """Map an HSDS id to a graph key: from this import first, then from the graph."""

    def __init__(self, graph, records: list[Record]):
        self.graph = graph
        self.known = {(r.table, r.doc["id"]): r.key for r in records}
        self.looked_up: dict[tuple[str, str], str | None] = {}

    def key(self, table: str, hsds_id: str | None) -> str | None:
        if not hsds_id:
            return None
        if (table, hsds_id) in self.known:
            return self.known[(table, hsds_id)]
        if (table, hsds_id) not in self.looked_up:
            rows = self.graph.read(key_by_hsds_id(TABLE_LABELS[table]),
                                   {"hsds_id": hsds_id}).rows
            self.looked_up[(table, hsds_id)] = rows[0]["key"] if rows else None
        return self.looked_up[(table, hsds_id)]


def key_by_hsds_id(label_name: str) -> str:
    """Cypher: the key of the node of one label with a given published HSDS id."""
    lab = schema.node_label(label_name)
    return (f"MATCH (n:{lab.name}) WHERE n.hsds_id = $hsds_id "
            f"RETURN n.{lab.key} AS key LIMIT 1")
