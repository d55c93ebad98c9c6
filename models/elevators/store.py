"""The last elevator ranking and evaluation, kept as one JSON file for the app and `rank`.

Training takes seconds on the district, too long for a page view; ``minqing elevators
train`` writes ``<data_dir>/elevators/ranking.json`` atomically and the page reads it.
The file holds buildings and addresses, no personal data.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

from graph.errors import NotFound


def ranking_path(settings) -> Path:
    """Where the ranking lives: ``<data_dir>/elevators/ranking.json``."""
    return settings.data_path / "elevators" / "ranking.json"


def save(settings, document: dict) -> Path:
    """Write ``document`` atomically (a reader never sees half a file); return its path."""
    path = ranking_path(settings)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".json.tmp")
    tmp.write_text(json.dumps(document, ensure_ascii=False, indent=1), encoding="utf-8")
    os.replace(tmp, path)
    return path


def load(settings) -> dict:
    """Read the stored ranking.

    Raises:
        NotFound: nothing trained yet.
    """
    path = ranking_path(settings)
    if not path.is_file():
        raise NotFound(f"No elevator ranking at {path}; run `minqing elevators train` first.")
    return json.loads(path.read_text(encoding="utf-8"))


def train_and_store(settings, graph, as_of, opts) -> tuple[dict, dict, Path]:
    """Evaluate both models on the time split, rank the walk-ups as of ``as_of`` with
    ``opts``' model and store both; return (evaluation, ranking, path).

    An evaluation the history cannot support is stored as its refusal, not as numbers.
    """
    from models.elevators.features import load_raw
    from models.elevators.propensity import NotEnoughHistory, evaluate, rank

    raw = load_raw(graph, until=as_of)
    try:
        evaluation = evaluate(raw, opts)
    except NotEnoughHistory as e:
        evaluation = {"refused": str(e), "cutoff": opts.cutoff.isoformat()}
    ranking = rank(raw, as_of, opts)
    return evaluation, ranking, save(settings, {"evaluation": evaluation, "ranking": ranking})
