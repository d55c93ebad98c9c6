"""``minqing ingest`` and ``minqing demo-data``: build raw exports and load them into the graph."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import click

from graph.cli import FriendlyGroup, pass_app


@click.group(cls=FriendlyGroup)
def ingest():
    """Load data into the graph."""


@ingest.command("run")
@click.option("--raw", "raw_dir", type=click.Path(path_type=Path), default=None,
              help="Folder of subsystem exports [default: <data_dir>/demo/raw].")
@click.option("--as-of", "as_of", type=click.DateTime(["%Y-%m-%d"]), default=None,
              help="Reference date for ages and recency [default: today].")
@click.option("--sources", "mappings_dir", type=click.Path(path_type=Path, exists=True),
              default=None, help="Folder of mapping files [default: ingest/sources].")
@click.option("--restart", is_flag=True, help="Ignore the checkpoint; write every batch again.")
@click.option("--dry-run", is_flag=True,
              help="Validate, resolve and tag, write the reports, but not the graph.")
@click.option("--quiet", is_flag=True, help="No progress bars (CI).")
@click.option("--json", "as_json", is_flag=True, help="Print the report as JSON.")
@pass_app
def ingest_run(app, raw_dir, as_of, mappings_dir, restart, dry_run, quiet, as_json):
    """Validate, resolve and load every mapped source; print rows read/loaded/merged/quarantined."""
    from graph.schema import init_schema
    from ingest.pipeline import run_ingest

    raw_dir = raw_dir or app.settings.data_path / "demo" / "raw"
    as_of_date = as_of.date() if as_of else dt.date.today()
    graph = None if dry_run else app.graph
    if graph is not None:
        init_schema(graph)
    report = run_ingest(graph, raw_dir, app.settings.data_path / "ingest", as_of=as_of_date,
                        mappings_dir=mappings_dir, restart=restart, dry_run=dry_run,
                        progress=None if quiet else _tqdm())
    if as_json:
        click.echo(json.dumps(report.to_json(), ensure_ascii=False, indent=2))
        return
    verb = "Checked (dry run, nothing written)" if dry_run else "Ingested"
    click.echo(f"{verb} {raw_dir} as of {as_of_date} in {report.seconds['total']:.1f} s "
               f"({report.batches_written} batches written, {report.batches_skipped} already "
               "done).")
    click.echo(f"{'source':<30}{'read':>8}{'loaded':>8}{'merged':>8}{'quarant.':>9}"
               f"{'dupl.':>7}{'fields':>8}{'skipped':>8}")
    for s in report.sources:
        click.echo(f"{s.source:<30}{s.rows_read:>8}{s.loaded:>8}{s.merged:>8}"
                   f"{s.quarantined:>9}{s.duplicates:>7}{s.fields_dropped:>8}{s.skipped:>8}")
    click.echo("Nodes: " + ", ".join(f"{k} {v}" for k, v in report.nodes.items()))
    click.echo(f"Quarantine (file, row, field, reason): {report.quarantine_file}")


@ingest.command("fixture")
@pass_app
def ingest_fixture(app):
    """Load the small fixture graph (a dozen residents) through the ingest writer."""
    from graph.schema import init_schema
    from ingest.fixture_graph import load_fixture_graph

    init_schema(app.graph)
    written = load_fixture_graph(app.graph)
    click.echo("Loaded the fixture graph: " +
               ", ".join(f"{n} {label}" for label, n in written.items()))


@click.command("demo-data")
@click.argument("out_dir", type=click.Path(path_type=Path), required=False)
@click.option("--seed", default=20211, show_default=True, help="Random seed.")
@click.option("--residents", default=83_000, show_default=True,
              help="District size; everything scales with it (up to 1,000,000).")
@click.option("--quiet", is_flag=True, help="No progress output.")
@pass_app
def demo_data(app, out_dir, seed, residents, quiet):
    """Write a synthetic sub-district's raw exports (and its ground truth) to OUT_DIR."""
    from ingest.synthetic import generate_district

    out_dir = out_dir or app.settings.data_path / "demo" / "raw"
    summary = generate_district(out_dir, seed=seed, residents=residents, progress=not quiet)
    click.echo(f"Wrote {len(summary.files)} files for {residents} residents to {out_dir}")


def _tqdm():
    from tqdm import tqdm

    return lambda total, desc: tqdm(total=total, desc=desc, unit="step", leave=False)
