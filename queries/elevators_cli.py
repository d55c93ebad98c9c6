"""``minqing elevators train|rank``: the elevator-retrofit propensity model and its ranking."""

from __future__ import annotations

import datetime as dt
import json

import click

from graph.cli import FriendlyGroup, pass_app


@click.group(cls=FriendlyGroup)
def elevators():
    """Elevator-retrofit propensity of walk-ups (docs/ELEVATORS.md)."""


def _date(value, what):
    from models.elevators.propensity import parse_date

    return parse_date(value, what) if value else None


@elevators.command("train")
@click.option("--cutoff", help="Cut-off of the time split, YYYY-MM-DD (default: setting "
                               "elevators_cutoff_date).")
@click.option("--as-of", help="Date the ranking is made on, YYYY-MM-DD; default today.")
@click.option("--model", type=click.Choice(["logistic", "gbm"]),
              help="Model that ranks (default: setting elevators_model); both are evaluated.")
@click.option("--without-applications", is_flag=True,
              help="Leave out the buildings' own applications on record (consultations).")
@click.option("--json", "as_json", is_flag=True, help="Print the evaluation as JSON.")
@pass_app
def train(app, cutoff, as_of, model, without_applications, as_json):
    """Evaluate both models on the time split, then rank today's walk-ups and store it."""
    from models.elevators import store
    from models.elevators.propensity import Options

    as_of = _date(as_of, "--as-of") or dt.date.today()
    opts = Options.from_settings(app.settings, cutoff=_date(cutoff, "--cutoff"), model=model,
                                 with_applications=not without_applications)
    evaluation, ranking, path = store.train_and_store(app.settings, app.graph, as_of, opts)
    if as_json:
        click.echo(json.dumps(evaluation, ensure_ascii=False, indent=2))
    else:
        _echo_evaluation(evaluation)
        click.echo(f"Ranked {len(ranking['buildings'])} walk-ups as of {ranking['as_of']} with "
                   f"{ranking['model']}; {len(ranking['excluded'])} refused for missing data. "
                   f"Stored in {path}; `minqing elevators rank` lists them.")


def _echo_evaluation(ev: dict) -> None:
    if "refused" in ev:
        click.echo(f"Metrics refused: {ev['refused']}")
        return
    click.echo(f"Time split at {ev['cutoff']}: trained on {ev['train_installs']} installs among "
               f"{ev['train_buildings']} walk-ups ({ev['train_window'][0]} – "
               f"{ev['train_window'][1]}); {ev['test_installs']} of {ev['test_buildings']} "
               f"installed in {ev['test_window'][0]} – {ev['test_window'][1]}.")
    click.echo(f"{'model':<26}{'hits/k':>9}{'prec@k':>8}{'rec@k':>8}{'AUC':>7}{'Brier':>8}")
    for name, m in ev["models"].items():
        brier = f"{m['brier']:.3f}" if "brier" in m else "—"
        click.echo(f"{name:<26}{m['hits']:>4}/{m['k']:<4}{m['precision_at_k']:>8.2f}"
                   f"{m['recall_at_k']:>8.2f}{m['roc_auc']:>7.3f}{brier:>8}")
    oracle = ev.get("oracle")
    if oracle:
        click.echo(f"{'oracle (ground truth)':<26}{oracle['oracle_hits']:>4}/{oracle['oracle_k']:<4}"
                   f"{oracle['oracle_precision_at_k']:>8.2f}{oracle['oracle_recall_at_k']:>8.2f}"
                   f"{oracle['roc_auc']:>7.3f}")
        click.echo("AUC / oracle AUC: " + ", ".join(
            f"{k.removesuffix('_auc_ratio')} {v:.3f}" for k, v in oracle.items()
            if k.endswith("_auc_ratio")))
    if ev.get("excluded"):
        click.echo(f"{len(ev['excluded'])} walk-ups refused: " + "; ".join(
            f"{e['building_id']} ({e['reason']})" for e in ev["excluded"][:10]))


@elevators.command("rank")
@click.option("--top", type=int, default=20, show_default=True, help="Buildings to show.")
@click.option("--json", "as_json", is_flag=True, help="Print the ranking as JSON.")
@pass_app
def rank_command(app, top, as_json):
    """List the stored ranking: the walk-ups most likely to retrofit, with reasons."""
    from models.elevators import store

    ranking = store.load(app.settings)["ranking"]
    shown = ranking["buildings"][:top]
    if as_json:
        click.echo(json.dumps({**ranking, "buildings": shown}, ensure_ascii=False, indent=2))
        return
    click.echo(f"Elevator propensity as of {ranking['as_of']} ({ranking['model']}, next "
               f"{ranking['horizon_days']} days); contributions in {ranking['contribution_unit']}:")
    for b in shown:
        reasons = ", ".join(f"{r['feature']}={r['value']:g} (+{r['contribution']:g})"
                            for r in b["reasons"]) or "—"
        click.echo(f"{b['rank']:>4}. {b['probability']:.2f}  {b['building_id']} "
                   f"{b['address'] or ''} [{b['area_name'] or b['area_id'] or '?'}]  {reasons}")
    if ranking["excluded"]:
        click.echo(f"Refused ({len(ranking['excluded'])}): " + "; ".join(
            f"{e['building_id']} {e['reason']}" for e in ranking["excluded"]))
