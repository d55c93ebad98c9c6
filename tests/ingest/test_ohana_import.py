"""The Ohana CSV sample (San Mateo County) into the HSDS graph model: counts, re-import,
problems reported by file, row and field, the CLI."""

import csv
import shutil
from pathlib import Path

from click.testing import CliRunner

from graph.cli import main
from graph.dump import canonical_dump
from ingest.hsds.ohana import import_ohana, parse_time, read_ohana

OHANA = Path(__file__).resolve().parents[3] / "shared" / "datasets" / "ohana-sample"


def rows(name, folder=OHANA):
    with (folder / name).open(newline="") as handle:
        return list(csv.DictReader(handle))


def count(graph, pattern):
    return graph.read(f"MATCH {pattern} RETURN count(*) AS n").single_value()


def test_counts_equal_the_valid_rows(empty_graph, tmp_path):
    report = import_ohana(empty_graph, OHANA, tmp_path / "q.csv")
    assert report.problems == []
    assert count(empty_graph, "(:Organization)") == len(rows("organizations.csv")) == 8
    assert count(empty_graph, "(:Location)") == len(rows("locations.csv")) == 22
    assert count(empty_graph, "(:Service)") == len(rows("services.csv")) == 23
    assert count(empty_graph, "(:TaxonomyTerm)") == len(rows("taxonomy.csv"))
    assert count(empty_graph, "(:Service)-[:AT_LOCATION]->(:Location)") == 23
    assert count(empty_graph, "(:Organization)-[:PROVIDES]->(:Service)") == 23
    assert count(empty_graph, "(:Organization)-[:HAS_LOCATION]->(:Location)") == 22
    assert count(empty_graph, "(:Service)-[:CLASSIFIED_AS]->(:TaxonomyTerm)") == 6
    with_parent = sum(1 for r in rows("taxonomy.csv") if r["parent_id"])
    assert count(empty_graph, "()-[:BROADER_TERM]->()") == with_parent
    # People and tables HSDS 3.0 lacks are counted, not silently dropped.
    assert report.not_imported == {
        "contacts (personal data)": len(rows("contacts.csv")),
        "phones of contacts (personal data)": sum(1 for r in rows("phones.csv")
                                                  if r["contact_id"]),
        "holiday_schedules (no HSDS 3.0 table)": len(rows("holiday_schedules.csv"))}
    people = {r["name"] for r in rows("contacts.csv") if r["name"]}
    stored = str(empty_graph.read("MATCH (n) RETURN properties(n) AS p").rows)
    assert not [name for name in people if name in stored]


def test_keys_are_prefixed_and_original_ids_kept(empty_graph, tmp_path):
    import_ohana(empty_graph, OHANA, tmp_path / "q.csv")
    row = empty_graph.read(
        "MATCH (s:Service {service_id: 'ohana:service:10'}) "
        "RETURN s.source_id AS source_id, s.hsds_id AS hsds_id, s.name AS name, "
        "s.keywords AS keywords, s.search_text AS text").rows[0]
    assert row["source_id"] == "service:10" and row["name"] == "Main Library"
    assert len(row["hsds_id"]) == 36 and row["keywords"]
    assert "Main Library" in row["text"]


def test_test_records_load_without_error(empty_graph, tmp_path):
    import_ohana(empty_graph, OHANA, tmp_path / "q.csv")
    statuses = {r["name"]: r["status"] for r in empty_graph.read(
        "MATCH (s:Service) WHERE s.source_id IN ['service:20', 'service:21'] "
        "RETURN s.name AS name, s.status AS status").rows}
    assert statuses == {"Service with blank fields": "defunct",
                        "Service for Admin Test Location": "inactive"}


def test_reimport_changes_nothing(empty_graph, tmp_path):
    import_ohana(empty_graph, OHANA, tmp_path / "q.csv")
    before = canonical_dump(empty_graph)
    import_ohana(empty_graph, OHANA, tmp_path / "q.csv")
    assert canonical_dump(empty_graph) == before


def _broken_copy(tmp_path):
    folder = tmp_path / "ohana"
    shutil.copytree(OHANA, folder)
    services = rows("services.csv", folder)
    services[2]["status"] = "open"              # not an HSDS status
    services[4]["email"] = "nobody at example"  # not an e-mail address
    _write(folder / "services.csv", services)
    locations = rows("locations.csv", folder)
    locations[5]["latitude"] = "north"          # not a number
    _write(folder / "locations.csv", locations)
    schedules = rows("regular_schedules.csv", folder)
    schedules[0]["closes_at"] = "late"
    _write(folder / "regular_schedules.csv", schedules)
    return folder


def _write(path, table):
    with path.open("w", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(table[0]))
        writer.writeheader()
        writer.writerows(table)


def test_broken_records_are_reported_by_file_row_field(empty_graph, tmp_path):
    folder = _broken_copy(tmp_path)
    report = import_ohana(empty_graph, folder, tmp_path / "q.csv")
    where = {(p.file, p.row, p.field) for p in report.problems}
    assert {("services.csv", "row 3", "status"), ("services.csv", "row 5", "email"),
            ("locations.csv", "row 6", "latitude"),
            ("regular_schedules.csv", "row 1", "closes_at")} <= where
    # The bad location's services lose their link (reported), the other rows all load.
    assert count(empty_graph, "(:Service)") == 23 - 2
    assert count(empty_graph, "(:Location)") == 22 - 1
    assert ("services.csv", "row 6", "location_id") in where
    with (tmp_path / "q.csv").open() as handle:
        quarantined = list(csv.DictReader(handle))
    assert len(quarantined) == len(report.problems)


def test_parse_time_reads_ohana_formats():
    assert [parse_time(t) for t in ("08:00", "4:00 PM", "3pm", "9am", "12am", "25:00")] == [
        "08:00:00", "16:00:00", "15:00:00", "09:00:00", "00:00:00", None]


def test_cli_import_and_export(settings, empty_graph, tmp_path, monkeypatch):
    for key, value in settings.items():
        monkeypatch.setenv(f"MINQING_{key.upper()}", str(value))
    monkeypatch.setenv("MINQING_GRAPH_DATABASE", empty_graph.database)
    runner = CliRunner()
    result = runner.invoke(main, ["hsds", "import", str(OHANA),
                                  "--quarantine", str(tmp_path / "q.csv")])
    assert result.exit_code == 0, result.output
    assert "Imported" in result.output and "(ohana)" in result.output
    assert "Service 23" in result.output and "0 problem(s)." in result.output
    result = runner.invoke(main, ["hsds", "export", str(tmp_path / "out")])
    assert result.exit_code == 0, result.output
    assert "Wrote 23 services, 8 organizations" in result.output
    assert len(list((tmp_path / "out" / "services").glob("*.json"))) == 23
    broken = runner.invoke(main, ["hsds", "import", str(_broken_copy(tmp_path)),
                                  "--format", "ohana", "--quarantine", str(tmp_path / "q.csv")])
    assert broken.exit_code == 0
    assert "services.csv row 3, field status" in broken.output
    missing = runner.invoke(main, ["hsds", "import", str(tmp_path), "--format", "ohana"])
    assert missing.exit_code == 1 and "Traceback" not in missing.output
    assert "not an Ohana CSV directory" in missing.output


def test_read_is_pure():
    directory = read_ohana(OHANA)
    assert {r.table for r in directory.records} == {
        "organization", "location", "service", "service_at_location", "taxonomy_term"}
