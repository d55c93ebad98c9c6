"""``minqing hsds import|export``: Open Referral HSDS 3.0 and Ohana directories in and out."""

from __future__ import annotations

import json
from pathlib import Path

import click

from graph.cli import FriendlyGroup, pass_app


@click.group(cls=FriendlyGroup)
def hsds():
    """Import and export Open Referral HSDS 3.0 directories (organizations, services, ...)."""


@hsds.command("import")
@click.argument("path", type=click.Path(path_type=Path, exists=True))
@click.option("--format", "fmt", type=click.Choice(["auto", "hsds", "ohana"]), default="auto",
              show_default=True, help="hsds: HSDS 3.0 JSON or CSV; ohana: the Ohana CSV "
              "layout; auto: ohana if PATH has Ohana's taxonomy.csv, else hsds.")
@click.option("--quarantine", "quarantine_file", type=click.Path(path_type=Path), default=None,
              help="Where to write problems [default: <data_dir>/ingest/hsds_quarantine.csv].")
@click.option("--json", "as_json", is_flag=True, help="Print the report as JSON.")
@pass_app
def hsds_import(app, path, fmt, quarantine_file, as_json):
    """Validate PATH against the HSDS 3.0 schemas and load it (safe to run again)."""
    from graph.schema import init_schema
    from ingest.hsds.importer import import_hsds
    from ingest.hsds.ohana import import_ohana

    if fmt == "auto":
        fmt = "ohana" if (path / "locations.csv").is_file() and \
            (path / "taxonomy.csv").is_file() else "hsds"
    quarantine_file = quarantine_file or app.settings.data_path / "ingest" / \
        "hsds_quarantine.csv"
    graph = app.graph
    init_schema(graph)
    importer = import_ohana if fmt == "ohana" else import_hsds
    report = importer(graph, path, quarantine_file)
    if as_json:
        click.echo(json.dumps(report.to_json(), ensure_ascii=False, indent=2))
        return
    click.echo(f"Imported {path} ({fmt}): "
               + ", ".join(f"{label} {n}" for label, n in report.nodes.items())
               + "; links: " + (", ".join(f"{t} {n}" for t, n in report.relationships.items())
                                or "none") + ".")
    if report.not_imported:
        click.echo("Not imported: " + ", ".join(f"{k} {v}"
                                               for k, v in report.not_imported.items()) + ".")
    click.echo(f"{len(report.problems)} problem(s)" + (
        f", written to {report.quarantine_file}:" if report.problems else "."))
    for problem in report.problems[:20]:
        click.echo(f"  {problem}")
    if len(report.problems) > 20:
        click.echo(f"  … and {len(report.problems) - 20} more in the quarantine file.")


@hsds.command("export")
@click.argument("out_dir", type=click.Path(path_type=Path, file_okay=False))
@pass_app
def hsds_export(app, out_dir):
    """Write the graph's directory as HSDS 3.0 JSON documents into OUT_DIR."""
    from ingest.hsds.export import export_directory

    counts = export_directory(app.graph, out_dir)
    click.echo(f"Wrote {counts['services']} services, {counts['organizations']} "
               f"organizations and {counts['taxonomy_terms']} taxonomy terms to {out_dir}.")
