"""The ingest pipeline end to end on a small generated district, against a real ArcadeDB."""

import datetime as dt
import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest

from graph.dump import canonical_dump
from graph.errors import IngestError
from ingest.mapping import SOURCES_DIR, load_mappings
from ingest.pipeline import run_ingest
from ingest.synthetic import generate_district
from ingest.synthetic.scoring import score_resolution
from tests.conftest import needs_two_databases, settings_env

AS_OF = dt.date(2025, 6, 30)


@pytest.fixture(scope="module")
def district(tmp_path_factory) -> Path:
    """A generated district of ~600 residents (raw exports plus ground truth)."""
    out = tmp_path_factory.mktemp("district")
    generate_district(out, seed=7, residents=600)
    return out


@pytest.fixture(scope="module")
def ingested(district, tmp_path_factory, settings, server):
    """The district ingested once into its own database: (graph, report, out_dir)."""
    from tests.conftest import _neo4j_state, _open_database

    _neo4j_state["dirty"] = True
    graph = _open_database(settings, server, "ingested_district")
    out = tmp_path_factory.mktemp("ingest")
    report = run_ingest(graph, district, out, as_of=AS_OF)
    yield graph, report, out
    graph.close()


def test_every_source_accounts_for_every_row(ingested):
    _, report, _ = ingested
    assert {s.source for s in report.sources} == {
        m.source for m in load_mappings() if m.feeds != "timeseries"}
    for s in report.sources:
        assert s.rows_read > 0, s
        assert s.loaded + s.quarantined + s.duplicates + s.skipped == s.rows_read, s


def test_graph_holds_the_district(ingested, district):
    graph, report, _ = ingested
    truth = json.loads((district / "ground_truth" / "manifest.json").read_text())
    counts = {r["label"]: r["nodes"] for r in graph.read(
        "MATCH (n) RETURN labels(n)[0] AS label, count(*) AS nodes").rows}
    assert counts["Building"] == truth["counts"]["buildings"]
    assert counts["ResidentialArea"] == truth["counts"]["areas"]
    people = truth["counts"]["persons"]
    assert people <= counts["Resident"] <= people * 1.02  # a few ID-less rows stay apart
    assert counts == {**counts, **report.nodes}


def test_entity_resolution_f1(ingested, district):
    _, _, out = ingested
    scores = score_resolution(district, out / "resolution.csv")
    assert scores["precision"] >= 0.99
    assert scores["f1"] >= 0.98


def test_impossible_dates_are_quarantined_with_file_row_field(ingested, district):
    _, _, out = ingested
    quarantine = pd.read_csv(out / "quarantine.csv", dtype=str, keep_default_na=False)
    assert set(quarantine.columns) >= {"file", "row", "field", "reason", "action"}
    defects = pd.read_csv(district / "ground_truth" / "defects.csv", dtype=str,
                          keep_default_na=False)
    impossible = defects[(defects["kind"] == "impossible_date") &
                         (defects["file"] == "service_centre_applications.csv") &
                         (defects["column"] == "SQSJ")]
    assert len(impossible) > 0
    found = quarantine[(quarantine["file"] == "service_centre_applications.csv") &
                       (quarantine["field"] == "applied_on")]
    assert set(impossible["row"]) <= set(found["row"])
    assert (found["action"] == "row quarantined").all()
    assert found["reason"].str.len().min() > 5


def test_bad_phones_are_dropped_not_the_rows(ingested):
    _, _, out = ingested
    quarantine = pd.read_csv(out / "quarantine.csv", dtype=str, keep_default_na=False)
    phones = quarantine[quarantine["field"] == "phone"]
    assert len(phones) > 0
    assert set(phones["action"]) == {"field dropped, row loaded"}


def test_second_run_changes_nothing(ingested, district, tmp_path):
    graph, _, _ = ingested
    before = canonical_dump(graph)
    report = run_ingest(graph, district, tmp_path, as_of=AS_OF, restart=True)
    assert report.batches_written > 0           # every batch was really written again…
    assert canonical_dump(graph) == before      # …and changed nothing


def test_checkpoint_skips_finished_work(ingested, district):
    graph, _, out = ingested
    report = run_ingest(graph, district, out, as_of=AS_OF)
    assert report.batches_written == 0 and report.batches_skipped > 0


@needs_two_databases
def test_interrupted_run_resumes_to_the_same_graph(ingested, district, empty_graph, tmp_path):
    with pytest.raises(IngestError, match="stopped after 5 batches"):
        run_ingest(empty_graph, district, tmp_path, as_of=AS_OF, stop_after_batches=5)
    resumed = run_ingest(empty_graph, district, tmp_path, as_of=AS_OF)
    assert resumed.batches_skipped == 5
    assert canonical_dump(empty_graph) == canonical_dump(ingested[0])


@needs_two_databases
def test_kill_9_and_restart_gives_the_same_graph(ingested, district, settings, server):
    """A real ``minqing ingest run`` process killed with SIGKILL mid-write, then rerun."""
    from tests.conftest import _open_database

    graph = _open_database(settings, server, "killed_ingest")
    env = {**os.environ, **settings_env(settings),
           "MINQING_GRAPH_DATABASE": graph.database, "MINQING_WRITE_BATCH_SIZE": "200"}
    command = [str(Path(sys.executable).parent / "minqing"), "ingest", "run",
               "--raw", str(district), "--as-of", str(AS_OF), "--quiet"]
    checkpoint = Path(settings.data_dir) / "ingest" / "checkpoint.json"
    checkpoint.unlink(missing_ok=True)
    child = subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and child.poll() is None:
        try:
            done = sum(json.loads(checkpoint.read_text())["done"].values())
        except (OSError, ValueError):
            done = 0
        if done >= 10:
            break
        time.sleep(0.05)
    assert child.poll() is None, child.stdout.read().decode()
    child.send_signal(signal.SIGKILL)
    child.wait()
    finished = subprocess.run(command, env=env, capture_output=True, text=True, timeout=300)
    assert finished.returncode == 0, finished.stdout + finished.stderr
    assert "already done" in finished.stdout
    assert canonical_dump(graph) == canonical_dump(ingested[0])
    graph.close()


@needs_two_databases
def test_a_twelfth_source_needs_only_a_mapping_file(district, empty_graph, tmp_path):
    """A subsystem the pipeline has never seen: a library's reader cards."""
    persons = pd.read_csv(district / "ground_truth" / "persons.csv", dtype=str).head(40)
    raw = tmp_path / "raw"
    shutil.copytree(district, raw, ignore=shutil.ignore_patterns("ground_truth"))
    pd.DataFrame({
        "读者证号": [f"LIB{i:05d}" for i in range(len(persons))],
        "读者姓名": persons["name"],
        "证件号": [n.lower() if i % 5 == 0 else n for i, n in enumerate(persons["id_number"])],
        "借阅次数": [str(i % 7) for i in range(len(persons))],
    }).to_csv(raw / "library_readers.csv", index=False)
    sources = tmp_path / "sources"
    shutil.copytree(SOURCES_DIR, sources)
    (sources / "library_readers.yaml").write_text(
        "source: library_readers\n"
        "title: 社区图书馆 reader cards\n"
        "file: library_readers.csv\n"
        "feeds: person\n"
        "fields:\n"
        "  library_card: {column: 读者证号, required: true}\n"
        "  name: {column: 读者姓名, type: name, required: true}\n"
        "  id_number: {column: 证件号, type: id_number}\n"
        "  loans: {column: 借阅次数, type: int}\n"
        "resident:\n"
        "  set: [library_card, loans]\n", encoding="utf-8")
    report = run_ingest(empty_graph, raw, tmp_path / "out", as_of=AS_OF, mappings_dir=sources)
    library = next(s for s in report.sources if s.source == "library_readers")
    assert library.rows_read == 40 and library.loaded == 40
    assert library.merged == 40  # every reader is an existing resident, none new
    rows = empty_graph.read("MATCH (r:Resident) WHERE r.library_card IS NOT NULL "
                            "RETURN r.id_number AS id, r.loans AS loans").rows
    assert {r["id"] for r in rows} == set(persons["id_number"])


@needs_two_databases
def test_mapping_naming_a_missing_column_is_a_clear_error(district, empty_graph, tmp_path):
    sources = tmp_path / "sources"
    shutil.copytree(SOURCES_DIR, sources)
    path = sources / "venues.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("column: capacity",
                                                             "column: seats"), encoding="utf-8")
    with pytest.raises(IngestError, match="venues.csv has no column.*seats.*venues.yaml"):
        run_ingest(empty_graph, district, tmp_path / "out", as_of=AS_OF, mappings_dir=sources)


@needs_two_databases
def test_missing_raw_folder_is_a_clear_error(empty_graph, tmp_path):
    with pytest.raises(IngestError, match="does not exist"):
        run_ingest(empty_graph, tmp_path / "nowhere", tmp_path / "out", as_of=AS_OF)


def test_tags_are_queryable(ingested):
    graph, _, _ = ingested
    rows = graph.read(
        "MATCH (t:Tag {tag_id: 'lone_elderly'})<-[:HAS_TAG]-(r:Resident) "
        "RETURN count(r) AS n").rows
    assert rows[0]["n"] > 0
    ages = graph.read(
        "MATCH (:Tag {tag_id: 'retired_woman_50_74'})<-[:HAS_TAG]-(r:Resident) "
        "RETURN DISTINCT r.sex AS sex").rows
    assert ages == [{"sex": "F"}]


def test_dry_run_checks_everything_and_writes_nothing(ingested, district, tmp_path):
    _, report, _ = ingested
    dry = run_ingest(None, district, tmp_path, as_of=AS_OF, dry_run=True)
    assert dry.nodes == report.nodes and dry.relationships == report.relationships
    assert dry.batches_written == 0
    assert (tmp_path / "quarantine.csv").exists() and not (tmp_path / "checkpoint.json").exists()
