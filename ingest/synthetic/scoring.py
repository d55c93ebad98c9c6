"""Score an ingest's entity resolution against the generator's ground truth.

Only tests and benchmarks call this; the ingest itself never reads ``ground_truth/``.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from ingest.resolve import pairwise_scores


def score_resolution(raw_dir: Path, resolution_file: Path | str) -> dict:
    """Pairwise precision, recall and F1 of ``resolution.csv`` against the true persons.

    A person-bearing row the ingest did not resolve (it was quarantined) counts as a
    person of its own, so it costs recall. Adds ``unresolved_rows``.
    """
    resolution = pd.read_csv(resolution_file, dtype=str, keep_default_na=False)
    truth = pd.read_csv(Path(raw_dir) / "ground_truth" / "person_rows.csv", dtype=str,
                        keep_default_na=False)
    merged = truth.merge(resolution, on=["file", "sheet", "row"], how="left")
    unresolved = merged["resident_id"].isna()
    merged.loc[unresolved, "resident_id"] = [f"unresolved{i}" for i in range(unresolved.sum())]
    scores = pairwise_scores(list(merged["resident_id"]), list(merged["person_id"]))
    scores["unresolved_rows"] = int(unresolved.sum())
    return scores
