"""``minqing ingest``: raw subsystem exports → validated rows → residents → the graph.

Phases: read and validate every source (bad rows to quarantine), build places and
organizations, resolve people across sources, derive meter facts and tags, then write
everything with the one writer. Writing is checkpointed batch by batch: a run killed at any
point and started again skips what is done and converges on exactly the graph an
uninterrupted run gives (every write is a MERGE on a stable key, so a batch replayed after
a crash changes nothing).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import time
from collections import Counter
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Callable

import pandas as pd

from graph import cypher, schema
from graph.disk import disk_faults
from graph.errors import IngestError
from ingest.entities import Entities
from ingest.load import (batches, group_by_start, load_nodes, load_relationships,
                         relationship_batches)
from ingest.mapping import SourceMapping, load_mappings
from ingest.meters import water_facts
from ingest.people import People, build_people, resident_node
from ingest.read import read_table, source_path
from ingest.resident_table import resident_table
from ingest.validate import Issue, ValidatedSource, validate_table, write_quarantine

NODE_ORDER = ("ResidentialArea", "Building", "Organization", "ServicePoint", "Venue",
              "Official", "Volunteer", "Program", "Household", "Resident", "Tag", "Event")


@dataclass
class SourceReport:
    """What happened to one source's rows."""

    source: str
    file: str
    rows_read: int = 0
    loaded: int = 0
    merged: int = 0
    quarantined: int = 0
    duplicates: int = 0
    fields_dropped: int = 0
    skipped: int = 0


@dataclass
class IngestReport:
    """The outcome of one run: per-source counts, graph counts, timings, where files went."""

    sources: list[SourceReport]
    nodes: dict[str, int]
    relationships: dict[str, int]
    issues_by_reason: dict[str, int]
    seconds: dict[str, float]
    quarantine_file: str
    resolution_file: str
    batches_written: int = 0
    batches_skipped: int = 0
    write_seconds: dict[str, float] = field(default_factory=dict)

    def to_json(self) -> dict:
        return asdict(self)


@dataclass
class _Plan:
    steps: list[tuple[str, str, str, list]] = field(default_factory=list)  # (step, kind, name, rows)

    def nodes(self, label: str, rows: list) -> None:
        if rows:
            self.steps.append((f"nodes:{label}", "nodes", label, rows))

    def relationships(self, type_name: str, rows: list) -> None:
        if rows:
            self.steps.append((f"rels:{type_name}", "rels", type_name, rows))


class Checkpoint:
    """Which write batches are done, for one set of inputs; saved atomically after each."""

    def __init__(self, path: Path, fingerprint: str, restart: bool = False):
        self.path = path
        self.fingerprint = fingerprint
        self.done: dict[str, int] = {}
        if not restart and path.exists():
            try:
                state = json.loads(path.read_text())
            except ValueError:
                state = {}
            if state.get("fingerprint") == fingerprint:
                self.done = state.get("done", {})

    def mark(self, step: str, batch_index: int) -> None:
        self.done[step] = batch_index + 1
        temporary = self.path.with_suffix(".tmp")
        temporary.write_text(json.dumps({"fingerprint": self.fingerprint, "done": self.done}))
        os.replace(temporary, self.path)


def run_ingest(graph, raw_dir: Path, out_dir: Path, *, as_of: dt.date,
               mappings_dir: Path | None = None, restart: bool = False,
               progress: Callable | None = None,
               stop_after_batches: int | None = None, dry_run: bool = False) -> IngestReport:
    """Ingest every mapped source in ``raw_dir`` into ``graph``; write reports to ``out_dir``.

    Args:
        as_of: the reference date (ages, "in the last two years", dates in the future).
        restart: ignore the checkpoint and write every batch again.
        progress: ``progress(total=..., desc=...)`` returning a tqdm-like bar, or None.
        stop_after_batches: stop after writing this many batches (tests simulate a crash).
        dry_run: do everything but write the graph (check a delivery of exports first);
            the report's counts are what a real run would write.

    Raises:
        IngestError: a missing file or column, or a broken mapping — named in the message.
        StorageError: ``out_dir`` (reports, checkpoint) or the graph's disk is full or
            read-only; the batches written so far stay checkpointed.
    """
    # A full or read-only disk is an operator's problem, not a bug: one line naming the
    # folder instead of a traceback from deep inside pandas or json.
    with disk_faults(out_dir, "ingest reports and checkpoint"):
        return _run_ingest(graph, raw_dir, out_dir, as_of=as_of, mappings_dir=mappings_dir,
                           restart=restart, progress=progress,
                           stop_after_batches=stop_after_batches, dry_run=dry_run)


def _run_ingest(graph, raw_dir: Path, out_dir: Path, *, as_of: dt.date,
                mappings_dir: Path | None, restart: bool, progress: Callable | None,
                stop_after_batches: int | None, dry_run: bool) -> IngestReport:
    raw_dir, out_dir = Path(raw_dir), Path(out_dir)
    if not raw_dir.is_dir():
        raise IngestError(f"Raw data folder {raw_dir} does not exist; run `minqing demo-data "
                          f"{raw_dir}` or point --raw at the exports")
    out_dir.mkdir(parents=True, exist_ok=True)
    # The quarantine and resolution files hold personal data (names, ID numbers, phones):
    # only the owner may read them.
    out_dir.chmod(0o700)
    bar = progress or _no_progress
    seconds: dict[str, float] = {}
    started = time.perf_counter()
    mappings = load_mappings(mappings_dir)

    validated: list[ValidatedSource] = []
    timeseries: list[SourceMapping] = []
    with bar(total=len(mappings), desc="read and validate") as b:
        for mapping in mappings:
            if mapping.feeds == "timeseries":
                timeseries.append(mapping)
            elif mapping.optional and not source_path(mapping, raw_dir).exists():
                pass
            else:
                table = read_table(mapping, raw_dir)
                validated.append(validate_table(mapping, table,
                                                source_path(mapping, raw_dir).name, as_of))
            b.update(1)
    seconds["read_validate"] = _lap(started)

    entities = Entities()
    for source in validated:
        if source.mapping.feeds == "entity":
            for row in source.rows():
                entities.add_row(source.mapping, row, source.file)
    people = build_people([s for s in validated if s.mapping.is_person], entities)
    entities.resolve_links()
    for source in validated:
        source.release_rows()
    seconds["resolve"] = _lap(started) - sum(seconds.values())

    water = None
    for mapping in timeseries:
        water = water_facts(mapping, raw_dir)
        for row in water.to_dict("records"):
            household = people.households.get(row["household_id"])
            if household is not None:
                household.update({k: v for k, v in row.items() if k != "household_id"})
    table = resident_table(people, entities, water, as_of)
    tag_rows, tag_nodes = _tags(table, as_of)
    del table, water  # the plan below holds what the graph needs (GBs at 1 M residents)
    seconds["meters_tags"] = _lap(started) - sum(seconds.values())

    plan = _plan(entities, people, tag_nodes, tag_rows)
    issues = [i for s in validated for i in s.issues] + entities.issues
    write_quarantine(issues, out_dir / "quarantine.csv")
    resolution_file = out_dir / "resolution.csv"
    pd.DataFrame(people.resolution, columns=["source", "file", "sheet", "row", "resident_id"]) \
        .to_csv(resolution_file, index=False)

    seconds["plan_reports"] = _lap(started) - sum(seconds.values())
    step_seconds: dict[str, float] = {}
    written = skipped = 0
    if not dry_run:
        checkpoint = Checkpoint(out_dir / "checkpoint.json",
                                _fingerprint(raw_dir, mappings, as_of), restart=restart)
        written, skipped = _write(graph, plan, checkpoint, bar, stop_after_batches,
                                  step_seconds)
    if skipped and not _graph_has_plan(graph, plan):
        # The checkpoint says done but the graph disagrees (a wiped or different
        # database): write everything again; MERGE keeps it exact.
        checkpoint = Checkpoint(checkpoint.path, checkpoint.fingerprint, restart=True)
        written, skipped = _write(graph, plan, checkpoint, bar, stop_after_batches,
                                  step_seconds)
    seconds["write"] = _lap(started) - sum(seconds.values())
    seconds["total"] = _lap(started)

    planned_nodes = {name: len(rows) for step, kind, name, rows in plan.steps if kind == "nodes"}
    planned_rels = {name: len(rows) for step, kind, name, rows in plan.steps if kind == "rels"}
    report = IngestReport(
        sources=_source_reports(validated, people, entities.issues),
        nodes=planned_nodes, relationships=planned_rels,
        issues_by_reason=_by_reason(issues), seconds={k: round(v, 2) for k, v in seconds.items()},
        quarantine_file=str(out_dir / "quarantine.csv"), resolution_file=str(resolution_file),
        batches_written=written, batches_skipped=skipped, write_seconds=step_seconds)
    (out_dir / "report.json").write_text(json.dumps(report.to_json(), ensure_ascii=False,
                                                    indent=2))
    return report


def _plan(entities: Entities, people: People, tag_nodes: list, tag_rows: list) -> _Plan:
    plan = _Plan()
    for label in NODE_ORDER:
        if label == "Household":
            rows = [dict(h) for _, h in sorted(people.households.items())]
            for row in rows:
                row.pop("building_id", None)
        elif label == "Resident":
            rows = [resident_node(r) for _, r in sorted(people.residents.items())]
        elif label == "Tag":
            rows = tag_nodes
        elif label == "Event":
            rows = [{"event_id": k, **v} for k, v in sorted(people.events.items())]
        else:
            rows = entities.node_rows(label)
        plan.nodes(label, rows)
    for rel in schema.REL_TYPES:
        if rel.name == "HAS_TAG":
            rows = tag_rows
        else:
            rows = entities.relationship_rows(rel.name) + [
                (s, e, p) for (s, e), p in sorted(people.relationships[rel.name].items())]
        plan.relationships(rel.name, rows)
    return plan


def _write(graph, plan: _Plan, checkpoint: Checkpoint, bar, stop_after: int | None,
           step_seconds: dict[str, float]):
    size = graph.settings.write_batch_size

    def number_of_batches(kind: str, rows: list) -> int:
        if kind == "nodes":
            return len(batches(rows, size))
        return len(relationship_batches(group_by_start(rows), size))

    counts = {step: number_of_batches(kind, rows) for step, kind, _, rows in plan.steps}
    written = skipped = 0
    with bar(total=sum(counts.values()), desc="write graph") as b:
        for step, kind, name, rows in plan.steps:
            done = min(checkpoint.done.get(step, 0), counts[step])
            skipped += done
            b.update(done)

            def on_batch(index: int, count: int, step=step) -> None:
                nonlocal written
                checkpoint.mark(step, index)
                written += 1
                b.update(1)
                if stop_after is not None and written >= stop_after:
                    raise _Stopped()

            step_started = time.perf_counter()
            try:
                if kind == "nodes":
                    load_nodes(graph, name, rows, on_batch=on_batch, skip_batches=done)
                else:
                    load_relationships(graph, name, rows, on_batch=on_batch, skip_batches=done)
            except _Stopped:
                raise IngestError(f"stopped after {written} batches, as asked") from None
            step_seconds[step] = round(time.perf_counter() - step_started, 2)
    return written, skipped


def _graph_has_plan(graph, plan: _Plan) -> bool:
    """True if the graph holds at least the planned number of nodes of every label."""
    for _, kind, name, rows in plan.steps:
        if kind == "nodes":
            have = graph.read(cypher.count_label(name)).single_value()
            if have < len(rows):
                return False
    return True


class _Stopped(Exception):
    pass


def _tags(table: pd.DataFrame, as_of: dt.date) -> tuple[list, list]:
    """Compute tags over the resident table: HAS_TAG rows and the Tag nodes."""
    from ingest.tags import compute_tags, load_catalogue, tag_rows

    rules = load_catalogue()
    tagged = compute_tags(table, rules, as_of)
    # Plain pairs: a props dict each would cost ~1 GB at 1 M residents (12 M tags).
    rows = list(zip(tagged["resident_id"], tagged["tag_id"]))
    return rows, tag_rows(rules)


def _fingerprint(raw_dir: Path, mappings: list[SourceMapping], as_of: dt.date) -> str:
    """A hash of every input file, every mapping and the as-of date."""
    digest = hashlib.sha256(str(as_of).encode())
    for mapping in mappings:
        digest.update(mapping.path.read_bytes())
        path = source_path(mapping, raw_dir)
        if path.exists():
            with open(path, "rb") as f:
                for chunk in iter(lambda: f.read(1 << 20), b""):
                    digest.update(chunk)
    return digest.hexdigest()


def _source_reports(validated: list[ValidatedSource], people: People,
                    entity_issues: list[Issue]) -> list[SourceReport]:
    skipped = Counter(i.source for i in entity_issues if i.action == "row skipped")
    reports = []
    for s in validated:
        dropped = sum(1 for i in s.issues if i.action == "field dropped, row loaded")
        loaded = s.rows_kept - skipped[s.mapping.source]
        reports.append(SourceReport(
            source=s.mapping.source, file=s.file + (f"[{s.mapping.sheet}]" if s.mapping.sheet
                                                    else ""),
            rows_read=s.rows_read, loaded=loaded, merged=people.merged_rows[s.mapping.source],
            quarantined=s.rows_quarantined, duplicates=s.duplicates, fields_dropped=dropped,
            skipped=skipped[s.mapping.source]))
    return reports


def _by_reason(issues: list[Issue]) -> dict[str, int]:
    """Count issues by kind of reason (the reason's text up to its first colon or quote)."""
    counts: Counter = Counter()
    for issue in issues:
        reason = issue.reason.split(":")[0].split("'")[0].split("(")[0].strip()
        counts[f"{issue.action}: {issue.field or '-'}: {reason}"] += 1
    return dict(counts.most_common())


def _lap(started: float) -> float:
    return time.perf_counter() - started


class _no_progress:
    def __init__(self, total=None, desc=None):
        pass

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False

    def update(self, n=1):
        pass
