"""HSDS 3.0 import: JSON documents and the CSV layout into the graph, validation, export."""

import csv
import json
import shutil
from pathlib import Path

import pytest

from graph.cypher_lint import lint_queries
from graph.dump import canonical_dump
from graph.errors import IngestError
from ingest.hsds import directory, export
from ingest.hsds.importer import import_hsds, read_hsds
from ingest.hsds.schemas import SCHEMA_DIR, validate

HSDS = Path(__file__).resolve().parents[3] / "shared" / "datasets" / "hsds-3.0"
UPSTREAM_SCHEMAS = HSDS / "schema"
SERVICE_ID = "ac148810-d857-441c-9679-408f346de14b"
ORGANIZATION_ID = "d9d5e0f5-d3ce-4f73-9a2f-4dd0ecc6c610"


def count(graph, label):
    return graph.read(f"MATCH (n:{label}) RETURN count(n) AS n").single_value()


def test_shipped_schemas_are_the_upstream_ones():
    for path in SCHEMA_DIR.glob("*.json"):
        assert path.read_bytes() == (UPSTREAM_SCHEMAS / path.name).read_bytes(), path.name
    assert (SCHEMA_DIR / "LICENSE").read_text().startswith("The Human Services Data")


def test_full_service_document_lands_in_the_graph(empty_graph, tmp_path):
    report = import_hsds(empty_graph, HSDS / "example_service_full.json",
                         tmp_path / "quarantine.csv")
    # The spec's example term names a parent term the example does not contain: reported.
    assert [(p.row, p.field) for p in report.problems] == [
        ("(document).attributes[0].taxonomy_term", "parent_id")]
    assert report.not_imported == {"contacts (personal data)": 5,
                                   "metadata (change log naming editors)": 1}
    row = empty_graph.read(
        "MATCH (o:Organization)-[:PROVIDES]->(s:Service {service_id: $key})"
        "-[r:AT_LOCATION]->(l:Location) "
        "RETURN o.org_id AS org, s.hsds_id AS id, s.source_id AS source_id, "
        "s.search_text AS text, l.lat AS lat, r.hsds_id AS link",
        {"key": f"hsds:{SERVICE_ID}"}).rows
    assert row == [{"org": f"hsds:{ORGANIZATION_ID}", "id": SERVICE_ID,
                    "source_id": SERVICE_ID, "text": row[0]["text"], "lat": 100,
                    "link": "e94c9f38-1e8f-4564-91d4-d53501ab1765"}]
    assert "Counselling" in row[0]["text"]
    assert empty_graph.read("MATCH (:Service)-[:CLASSIFIED_AS]->(t:TaxonomyTerm) "
                            "RETURN count(t) AS n").single_value() == 1
    # Contacts and editors are people: nothing of theirs is stored anywhere.
    everything = json.dumps(empty_graph.read("MATCH (n) RETURN properties(n) AS p").rows)
    assert "Ann Persona" not in everything


def test_reimport_changes_nothing(empty_graph, tmp_path):
    import_hsds(empty_graph, HSDS, tmp_path / "q.csv")
    before = canonical_dump(empty_graph)
    import_hsds(empty_graph, HSDS, tmp_path / "q.csv")
    assert canonical_dump(empty_graph) == before
    # The JSON examples and the CSV layout describe the same service: one node.
    assert count(empty_graph, "Service") == len(
        {r.doc["id"] for r in read_hsds(HSDS).records if r.table == "service"})


def test_csv_layout_joins_children(empty_graph, tmp_path):
    report = import_hsds(empty_graph, HSDS / "csv", tmp_path / "q.csv")
    assert report.nodes == {"TaxonomyTerm": 1, "Organization": 1, "Location": 1, "Service": 1}
    details = json.loads(empty_graph.read(
        "MATCH (s:Service) RETURN s.hsds_details AS d").single_value())
    assert details["phones"][0]["number"] == '"+44 1234 234567"'
    assert details["cost_options"][0]["amount"] == 35
    # The example location names an organization that is not in the data set: reported.
    # So do the example term's parent: both reported, the nodes still loaded.
    assert [(p.file, p.row, p.field) for p in report.problems] == [
        ("locations.csv", "row 1", "organization_id"),
        ("taxonomy_terms.csv", "row 1", "parent_id")]


def test_bad_record_is_quarantined_with_file_row_field(empty_graph, tmp_path):
    folder = tmp_path / "csv"
    shutil.copytree(HSDS / "csv", folder)
    with (folder / "services.csv").open() as handle:
        rows = list(csv.DictReader(handle))
    second = dict(rows[0], id="5b8e2c9c-4c39-4b39-9b9f-0bd7a7a4d9a1", status="open",
                  email="not an email", name="Second service")
    with (folder / "services.csv").open("w", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows([rows[0], second])
    report = import_hsds(empty_graph, folder, tmp_path / "q.csv")
    bad = {(p.file, p.row, p.field) for p in report.problems}
    assert {("services.csv", "row 2", "status"), ("services.csv", "row 2", "email")} <= bad
    assert count(empty_graph, "Service") == 1
    with (tmp_path / "q.csv").open() as handle:
        quarantined = list(csv.DictReader(handle))
    assert {q["row"] for q in quarantined if q["file"] == "services.csv"} == {"row 2"}
    assert "Second service" in quarantined[0]["record"] + quarantined[-1]["record"]


def test_bad_cell_and_bad_json_are_reported(tmp_path):
    folder = tmp_path / "csv"
    shutil.copytree(HSDS / "csv", folder)
    text = (folder / "services.csv").read_text().replace(",12,100,", ",twelve,100,")
    (folder / "services.csv").write_text(text)
    found = read_hsds(folder)
    assert [(p.file, p.row, p.field) for p in found.problems] == [
        ("services.csv", "row 1", "minimum_age")]
    (tmp_path / "broken.json").write_text("{not json")
    with pytest.raises(IngestError, match="broken.json is not JSON"):
        read_hsds(tmp_path / "broken.json")
    (tmp_path / "empty").mkdir()
    with pytest.raises(IngestError, match="holds no HSDS data"):
        read_hsds(tmp_path / "empty")


def test_export_round_trip_validates(empty_graph, tmp_path):
    import_hsds(empty_graph, HSDS, tmp_path / "q.csv")
    counts = export.export_directory(empty_graph, tmp_path / "out")
    assert counts == {"services": count(empty_graph, "Service"),
                      "organizations": count(empty_graph, "Organization"),
                      "taxonomy_terms": count(empty_graph, "TaxonomyTerm")}
    service = json.loads((tmp_path / "out" / "services" / f"{SERVICE_ID}.json").read_text())
    assert validate("service", service, UPSTREAM_SCHEMAS) == []
    original = json.loads((HSDS / "example_service_full.json").read_text())
    for field in ("name", "description", "status", "minimum_age", "email"):
        assert service[field] == original[field]
    assert service["phones"] == original["phones"]
    assert service["organization"]["id"] == ORGANIZATION_ID
    assert "contacts" not in service
    for path in (tmp_path / "out" / "organizations").glob("*.json"):
        assert validate("organization", json.loads(path.read_text()), UPSTREAM_SCHEMAS) == []
    for term in json.loads((tmp_path / "out" / "taxonomy_terms.json").read_text()):
        assert validate("taxonomy_term", term, UPSTREAM_SCHEMAS) == []


def test_hsds_queries_pass_the_neo4j_lint():
    queries = {f"hsds export {name}": text for name, text in export.all_queries().items()}
    for label in directory.TABLE_LABELS.values():
        queries[f"hsds key_by_hsds_id[{label}]"] = directory.key_by_hsds_id(label)
    results = lint_queries(queries)
    assert {name: [str(e) for e in r.errors] for name, r in results.items() if r.errors} == {}
