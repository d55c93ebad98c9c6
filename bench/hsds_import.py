"""HSDS figures: Ohana import rate, and HSDS API list latency (p50, p95) on that directory.

The Ohana sample (23 services) is copied ``--copies`` times with shifted ids into a
temporary folder, so the import writes a directory of a realistic size. Figures:

- ``ohana_read_validate_rate``: records/s to read the CSVs and validate every record
  against the HSDS 3.0 schemas (pure, no graph);
- ``ohana_import_rate``: records/s for the whole import (read, validate, write);
- ``ohana_raw_write_rate_baseline``: records/s of ``ingest.load`` writing the same node and
  relationship rows, and the ratio of the two (what validation and resolving cost);
- ``hsds_api_services_p50/p95``: GET /services?per_page=20 on random pages through the
  Flask test client, with ``hsds_api_search_p50`` and a baseline, the bare page-of-ids
  query, in the same process.

    .venv/bin/python bench/hsds_import.py [--copies 100] [--runs 200]
"""

from __future__ import annotations

import argparse
import csv
import random
import shutil
import tempfile
import time
from pathlib import Path

from harness import percentile, report, scratch_graph, timed

from graph.settings import load_settings
from ingest.hsds import directory as hsds_directory
from ingest.hsds.export import page_query
from ingest.hsds.ohana import import_ohana, read_ohana
from ingest.load import load_nodes, load_relationships

OHANA = Path(__file__).resolve().parents[2] / "shared" / "datasets" / "ohana-sample"
_ID_COLUMNS = {"organizations.csv": ("id",), "locations.csv": ("id", "organization_id"),
               "services.csv": ("id", "location_id"), "addresses.csv": ("id", "location_id"),
               "mail_addresses.csv": ("id", "location_id"),
               "phones.csv": ("id", "location_id", "organization_id", "service_id"),
               "regular_schedules.csv": ("id", "location_id", "service_id")}


def replicate(folder: Path, copies: int) -> None:
    """Write ``copies`` shifted copies of the Ohana sample into ``folder``."""
    shutil.copy(OHANA / "taxonomy.csv", folder / "taxonomy.csv")
    for name, columns in _ID_COLUMNS.items():
        with (OHANA / name).open(newline="") as handle:
            reader = csv.DictReader(handle)
            fields, rows = reader.fieldnames, list(reader)
        with (folder / name).open("w", newline="") as handle:
            writer = csv.DictWriter(handle, fieldnames=fields)
            writer.writeheader()
            for copy in range(copies):
                for row in rows:
                    writer.writerow({k: (f"{copy}-{v}" if k in columns and v else v)
                                     for k, v in row.items()})


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--copies", type=int, default=100)
    parser.add_argument("--runs", type=int, default=200)
    args = parser.parse_args()
    rng = random.Random(11)

    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "ohana"
        folder.mkdir()
        replicate(folder, args.copies)
        seconds_read, found = timed(read_ohana, folder)
        records = len(found.records)
        with scratch_graph("hsds_raw") as graph:
            nodes, rels = hsds_directory.graph_rows(graph, found)
            start = time.perf_counter()
            for label, rows in nodes.items():
                load_nodes(graph, label, rows)
            for type_name, rows in rels.items():
                load_relationships(graph, type_name, rows)
            seconds_raw = time.perf_counter() - start
            engine = graph.engine
        with scratch_graph("hsds_import") as graph:
            seconds_import, result = timed(import_ohana, graph, folder, Path(tmp) / "q.csv")
            assert not result.problems, result.problems[:3]
            api = _api_latency(graph, args.runs, rng)

    report("ohana_read_validate_rate", records / seconds_read, "records/s", 1, engine,
           records=records)
    report("ohana_import_rate", records / seconds_import, "records/s", 1, engine,
           records=records, services=result.nodes["Service"])
    report("ohana_raw_write_rate_baseline", records / seconds_raw, "records/s", 1, engine)
    report("ohana_import_vs_raw_write", seconds_import / seconds_raw, "ratio", 1, engine)
    for name, values in api.items():
        report(f"{name}_p50", percentile(values, 50), "ms", args.runs, engine,
               services=result.nodes["Service"])
        if name == "hsds_api_services":
            report(f"{name}_p95", percentile(values, 95), "ms", args.runs, engine)


def _api_latency(graph, runs: int, rng: random.Random) -> dict[str, list[float]]:
    from webapp import create_app

    settings = load_settings({"graph_database": graph.database})
    client = create_app({**settings}).test_client()
    pages = graph.read("MATCH (s:Service) RETURN count(s) AS n").single_value() // 20
    words = ["library", "senior", "meals", "counseling", "job", "medical", "free"]
    for _ in range(10):  # warm-up: JIT, caches, the app's first connection
        client.get("/services?per_page=20")
    timings: dict[str, list[float]] = {"hsds_api_services": [], "hsds_api_search": [],
                                       "page_ids_query_baseline": []}
    for _ in range(runs):
        page = rng.randint(1, pages)
        seconds, response = timed(client.get, f"/services?per_page=20&page={page}")
        assert response.status_code == 200
        timings["hsds_api_services"].append(seconds * 1000)
        seconds, response = timed(client.get, f"/services?per_page=20&search="
                                              f"{rng.choice(words)}")
        timings["hsds_api_search"].append(seconds * 1000)
        seconds, _ = timed(graph.read, page_query("Service"),
                           {"skip": (page - 1) * 20, "limit": 20})
        timings["page_ids_query_baseline"].append(seconds * 1000)
    return timings


if __name__ == "__main__":
    main()
