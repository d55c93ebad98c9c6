"""Read Open Referral HSDS 3.0 data — JSON documents or the tabular CSV layout — as records.

Accepted input: a full service document, a full organization document, a list of services
(a bare JSON array or an API page with ``contents``), a directory of such ``.json`` files,
or a directory in the HSDS CSV layout (``organizations.csv``, ``services.csv``, ...).
Nested objects are flattened into one record per HSDS object (see ``ingest.hsds.directory``).
"""

from __future__ import annotations

import csv
import json
from pathlib import Path

from graph.errors import IngestError
from ingest.hsds.directory import Directory, ImportReport, Record, import_directory
from ingest.hsds.schemas import property_types, typed_cell

SOURCE = "hsds"

# CSV layout: (parent table, nested field, child file, column naming the parent).
_CHILDREN = {
    "organization": [("phones", "phones.csv", "organization_id"),
                     ("funding", "funding.csv", "organization_id"),
                     ("programs", "programs.csv", "organization_id"),
                     ("organization_identifiers", "organization_identifiers.csv",
                      "organization_id")],
    "service": [("phones", "phones.csv", "service_id"),
                ("schedules", "schedules.csv", "service_id"),
                ("service_areas", "service_areas.csv", "service_id"),
                ("languages", "languages.csv", "service_id"),
                ("funding", "funding.csv", "service_id"),
                ("cost_options", "cost_options.csv", "service_id"),
                ("required_documents", "required_documents.csv", "service_id"),
                ("attributes", "attributes.csv", "link_id")],
    "location": [("addresses", "addresses.csv", "location_id"),
                 ("phones", "phones.csv", "location_id"),
                 ("schedules", "schedules.csv", "location_id"),
                 ("languages", "languages.csv", "location_id"),
                 ("accessibility", "accessibility.csv", "location_id")],
    "service_at_location": [("phones", "phones.csv", "service_at_location_id"),
                            ("schedules", "schedules.csv", "service_at_location_id")],
}
_TABLE_FILES = {"organization": "organizations.csv", "service": "services.csv",
                "location": "locations.csv", "service_at_location": "service_at_location.csv",
                "taxonomy_term": "taxonomy_terms.csv"}
_SCHEMA_OF_FILE = {
    "organizations.csv": "organization.json", "services.csv": "service.json",
    "locations.csv": "location.json", "service_at_location.csv": "service_at_location.json",
    "taxonomy_terms.csv": "taxonomy_term.json", "taxonomies.csv": "taxonomy.json",
    "phones.csv": "phone.json", "funding.csv": "funding.json", "programs.csv": "program.json",
    "organization_identifiers.csv": "organization_identifier.json",
    "schedules.csv": "schedule.json", "service_areas.csv": "service_area.json",
    "languages.csv": "language.json", "cost_options.csv": "cost_option.json",
    "required_documents.csv": "required_document.json", "attributes.csv": "attribute.json",
    "addresses.csv": "address.json", "accessibility.csv": "accessibility.json"}
# Tables left out: contacts name people (see directory.PERSONAL_FIELDS); the others describe
# the data set rather than the directory.
_NOT_IMPORTED = {"contacts.csv": "contacts (personal data)",
                 "metadata.csv": "metadata (change log naming editors)",
                 "meta_table_descriptions.csv": "meta_table_descriptions"}


def import_hsds(graph, path: Path, quarantine_file: Path | None = None) -> ImportReport:
    """Import HSDS 3.0 JSON or CSV from ``path`` (a file or a directory) into the graph."""
    return import_directory(graph, read_hsds(Path(path)), quarantine_file)


def read_hsds(path: Path) -> Directory:
    """Read HSDS 3.0 JSON or CSV at ``path`` into validated records (pure: no graph).

    Raises:
        IngestError: the path does not exist, holds no HSDS data, or a file is not JSON.
    """
    directory = Directory()
    path = Path(path)
    if not path.exists():
        raise IngestError(f"{path} does not exist; give an HSDS JSON file or directory")
    csv_folder = next((folder for folder in (path, path / "csv")
                       if path.is_dir() and (folder / "services.csv").exists()), None)
    if csv_folder is not None:
        read_csv_layout(csv_folder, directory)
    files = [path] if path.is_file() else sorted(path.glob("*.json"))
    for file in files:
        if file.name == "datapackage.json":
            continue
        read_json_file(file, directory)
    if not directory.files:
        raise IngestError(f"{path} holds no HSDS data: expected .json documents or "
                          "services.csv (the HSDS CSV layout)")
    return directory


def read_json_file(file: Path, directory: Directory) -> None:
    """Read one JSON file: a service, an organization, or a list or page of services."""
    try:
        data = json.loads(file.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as e:
        raise IngestError(f"{file} is not JSON: {e}") from e
    directory.files.append(str(file))
    name = file.name
    if isinstance(data, dict) and isinstance(data.get("contents"), list):
        items = [(f"contents[{i}]", item) for i, item in enumerate(data["contents"])]
    elif isinstance(data, list):
        items = [(f"[{i}]", item) for i, item in enumerate(data)]
    else:
        items = [("(document)", data)]
    for where, item in items:
        if not isinstance(item, dict):
            directory.problem(name, where, "(document)", "expected a JSON object", item)
        elif _is_service(item):
            add_service(directory, dict(item), name, where)
        else:
            add_organization(directory, dict(item), name, where)


def _is_service(doc: dict) -> bool:
    return "status" in doc or "service_at_locations" in doc or "organization" in doc


def add_service(directory: Directory, doc: dict, file: str, where: str) -> None:
    """Flatten a (full) service document into records: its organization, locations,
    service_at_locations and taxonomy terms, then the service itself."""
    organization = doc.pop("organization", None)
    if isinstance(organization, dict):
        doc.setdefault("organization_id", organization.get("id"))
        add_organization(directory, dict(organization), file, f"{where}.organization")
    program = doc.get("program")
    if isinstance(program, dict) and program.get("id"):
        doc.setdefault("program_id", program["id"])
    attributes = []
    for i, attribute in _objects(directory, doc.pop("attributes", None), file, where,
                                 "attributes"):
        term = attribute.pop("taxonomy_term", None)
        if isinstance(term, dict):
            attribute.setdefault("taxonomy_term_id", term.get("id"))
            _add(directory, "taxonomy_term", term, file, f"{where}.attributes[{i}].taxonomy_term")
        attributes.append(attribute)
    if attributes:
        doc["attributes"] = attributes
    links = _objects(directory, doc.pop("service_at_locations", None), file, where,
                     "service_at_locations")
    _add(directory, "service", doc, file, where)
    for i, link in links:
        location = link.pop("location", None)
        if isinstance(location, dict):
            link.setdefault("location_id", location.get("id"))
            _add(directory, "location", dict(location), file,
                 f"{where}.service_at_locations[{i}].location")
        link.setdefault("service_id", doc.get("id"))
        _add(directory, "service_at_location", link, file, f"{where}.service_at_locations[{i}]")


def add_organization(directory: Directory, doc: dict, file: str, where: str) -> None:
    """Flatten a (full) organization document: its services and locations become records."""
    services = _objects(directory, doc.pop("services", None), file, where, "services")
    locations = _objects(directory, doc.pop("locations", None), file, where, "locations")
    _add(directory, "organization", doc, file, where)
    for i, location in locations:
        location.setdefault("organization_id", doc.get("id"))
        _add(directory, "location", location, file, f"{where}.locations[{i}]")
    for i, service in services:
        service.setdefault("organization_id", doc.get("id"))
        add_service(directory, service, file, f"{where}.services[{i}]")


def _objects(directory: Directory, value, file: str, where: str,
             field_name: str) -> list[tuple[int, dict]]:
    """Return (index, copy) of each object in a nested list; note anything else as a problem.

    A list of something other than objects, or a text where a list belongs, used to end the
    import with a TypeError (found by tests/fuzz); now it is a quarantine entry by field.
    """
    if not value:
        return []
    if not isinstance(value, list):
        directory.problem(file, where, field_name, "expected a list of JSON objects", value)
        return []
    found = []
    for i, item in enumerate(value):
        if isinstance(item, dict):
            found.append((i, dict(item)))
        else:
            directory.problem(file, f"{where}.{field_name}[{i}]", field_name,
                              "expected a JSON object", item)
    return found


def _add(directory: Directory, table: str, doc: dict, file: str, where: str) -> None:
    directory.add(Record(table, doc, SOURCE, str(doc.get("id") or ""), file, where))


# -- the CSV layout -------------------------------------------------------------------------


def read_csv_layout(folder: Path, directory: Directory) -> None:
    """Read the HSDS 3.0 tabular layout: one CSV per table, children joined by id."""
    tables = {name: _read_typed(folder, name, directory) for name in _SCHEMA_OF_FILE
              if (folder / name).exists()}
    for name, label in _NOT_IMPORTED.items():
        if (folder / name).exists():
            with (folder / name).open(encoding="utf-8-sig", newline="") as handle:
                count = sum(1 for _ in csv.DictReader(handle))
            if count:
                directory.not_imported[label] += count
    directory.files.extend(str(folder / name) for name in tables)
    taxonomies = {row["id"]: row for _, row in tables.get("taxonomies.csv", [])}
    for table, file_name in _TABLE_FILES.items():
        for row_label, row in tables.get(file_name, []):
            doc = dict(row)
            for nested, child_file, column in _CHILDREN.get(table, []):
                children = [dict(child) for _, child in tables.get(child_file, [])
                            if child.get(column) and child.get(column) == doc.get("id")]
                if children:
                    doc[nested] = children
            if table == "taxonomy_term" and doc.get("taxonomy_id") in taxonomies:
                doc["taxonomy_detail"] = dict(taxonomies[doc["taxonomy_id"]])
            _add(directory, table, doc, file_name, row_label)


def _read_typed(folder: Path, name: str, directory: Directory) -> list[tuple[str, dict]]:
    """Rows of one CSV with cells typed by the table's schema; bad cells are reported and
    their row left out."""
    types = property_types(_SCHEMA_OF_FILE[name])
    rows = []
    with (folder / name).open(encoding="utf-8-sig", newline="") as handle:
        for number, raw in enumerate(csv.DictReader(handle), start=1):
            row, ok = {}, True
            for column, text in raw.items():
                if column is None or text in (None, ""):
                    continue
                try:
                    row[column] = typed_cell(types.get(column, "string"), text)
                except ValueError:
                    directory.problem(name, f"row {number}", column,
                                      f"{text!r} is not a {types.get(column)}", raw)
                    ok = False
            if ok:
                rows.append((f"row {number}", row))
    return rows
