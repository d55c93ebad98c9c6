"""Time `minqing db backup` and `minqing db restore` on whatever database the settings name.

Builds nothing: point MINQING_DATA_DIR (and the ports) at a loaded embedded database, e.g.

    MINQING_DATA_DIR=/tmp/d5k MINQING_ARCADEDB_BOLT_PORT=17690 MINQING_ARCADEDB_HTTP_PORT=12490 \
        .venv/bin/python bench/backup_restore.py [--runs 3]

Each run backs the database up online into a temporary folder, then restores that set into a
fresh data dir on free ports (restore = ArcadeDB's restore tool + server start + count check
against the manifest) and stops that server again. Per-step medians: backup counts (before
and after the snapshot), graph (BACKUP DATABASE + move), store; restore check (SHA-256, zip
CRCs), graph (restore tool), store, start_and_count. Baseline in the same process: copying the
finished backup set with ``shutil.copytree`` (what the disk alone costs for the same bytes).
Do not point it at a server others rely on for timing-sensitive work: a backup reads it all.
"""

from __future__ import annotations

import argparse
import shutil
import socket
import tempfile
from pathlib import Path

from harness import median, report, timed

from graph import arcadedb_server, backup
from graph.settings import SETTINGS, load_settings


def _setting_default(name: str):
    return next(s.default for s in SETTINGS if s.name == name)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    settings = load_settings()
    if not settings.is_embedded:
        raise SystemExit("graph_uri is set: this benchmark times the embedded engine only")
    if Path(settings.data_dir).resolve() == Path(_setting_default("data_dir")).resolve():
        # run_all.py runs every script with default settings: never back up the demo's
        # data (and write into its store) unasked.
        print("skipped: set MINQING_DATA_DIR (and the ports) to a database of your own")
        return

    backups, restores, copies, sizes = [], [], [], []
    backup_phases, restore_phases = [], []
    nodes = 0
    with tempfile.TemporaryDirectory(prefix="minqing-bench-backup-") as scratch:
        scratch = Path(scratch)
        for run in range(args.runs):
            seconds, made = timed(backup.backup, settings, scratch / f"sets{run}",
                                  actor="bench")
            backups.append(seconds)
            backup_phases.append(made.manifest["phases_s"])
            sizes.append(made.size_bytes)
            nodes = sum(made.manifest["counts"]["nodes"].values())
            seconds, _ = timed(shutil.copytree, made.path, scratch / f"copy{run}")
            copies.append(seconds)
            target = settings.replace(data_dir=str(scratch / f"restored{run}"),
                                      arcadedb_bolt_port=_free_port(),
                                      arcadedb_http_port=_free_port())
            try:
                seconds, done = timed(backup.restore, made.path, target, actor="bench")
                restores.append(seconds)
                restore_phases.append(done.phases)
            finally:
                arcadedb_server.stop(target)
            shutil.rmtree(scratch / f"restored{run}", ignore_errors=True)
            shutil.rmtree(scratch / f"copy{run}", ignore_errors=True)

    n, engine = args.runs, "arcadedb"
    rows = [
        report("backup_s", median(backups), "s", n, engine, nodes=nodes),
        report("restore_s", median(restores), "s", n, engine, nodes=nodes),
        *(report(f"backup_{k}_s", median(p[k] for p in backup_phases), "s", n, engine)
          for k in backup_phases[0]),
        *(report(f"restore_{k}_s", median(p[k] for p in restore_phases), "s", n, engine)
          for k in restore_phases[0]),
        report("backup_set_mib", median(sizes) / 2**20, "MiB", n, engine),
        report("copy_set_s_baseline", median(copies), "s", n, engine),
        report("backup_vs_copy", median(backups) / max(median(copies), 1e-9), "ratio", n,
               engine),
        report("restore_vs_copy", median(restores) / max(median(copies), 1e-9), "ratio", n,
               engine),
    ]
    print(f"\n{'figure':<28}{'median':>12}  unit   (n={n}, {nodes} nodes)")
    for row in rows:
        print(f"{row['name']:<28}{row['value']:>12.3f}  {row['unit']}")


if __name__ == "__main__":
    main()
