"""``minqing embed``: compute search text and embeddings for the searchable nodes."""

from __future__ import annotations

import json

import click

from graph.cli import pass_app


def tqdm_progress():
    """Return a ``progress(label, total)`` factory drawing one tqdm bar per label."""
    from tqdm import tqdm

    def start(label_name: str, total: int):
        bar = tqdm(total=total, desc=f"embed {label_name}", unit="node", leave=False)

        def tick(done: int) -> None:
            bar.update(done)
            if bar.n >= total:
                bar.close()
        return tick
    return start


def run_embed(settings, graph, labels=(), force: bool = False, quiet: bool = False):
    """Embed what changed with the configured model; return the EmbedReport."""
    from ingest.embed import embed_graph
    from models.embeddings import get_embedder

    return embed_graph(graph, get_embedder(settings), labels or None, force=force,
                       progress=None if quiet else tqdm_progress())


@click.command("embed")
@click.option("--label", "labels", multiple=True, metavar="LABEL",
              help="Only this searchable label (repeatable); default: all of them.")
@click.option("--all", "force", is_flag=True,
              help="Re-embed every node, even those whose text did not change.")
@click.option("--quiet", is_flag=True, help="No progress bar.")
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
@pass_app
def embed(app, labels, force, quiet, as_json):
    """Write search text and embeddings onto searchable nodes whose text changed."""
    report = run_embed(app.settings, app.graph, labels, force=force, quiet=quiet or as_json)
    if as_json:
        click.echo(json.dumps(report.as_dict(), ensure_ascii=False, indent=2))
        return
    click.echo(f"Embedded {report.embedded} node(s) with {report.model}.")
    for name, counts in report.labels.items():
        click.echo(f"{name:>16}  {counts.nodes:>6} nodes  {counts.embedded:>6} embedded")
