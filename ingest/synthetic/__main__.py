"""Command-line entry: ``python -m ingest.synthetic OUT_DIR [--seed N] [--residents N]``."""

from __future__ import annotations

import argparse
from pathlib import Path

from .generate import generate_district


def main(argv: list[str] | None = None) -> int:
    """Generate a district into OUT_DIR and print what was written."""
    parser = argparse.ArgumentParser(prog="python -m ingest.synthetic", description=main.__doc__)
    parser.add_argument("out_dir", type=Path)
    parser.add_argument("--seed", type=int, default=20211)
    parser.add_argument("--residents", type=int, default=83_000)
    parser.add_argument("--quiet", action="store_true", help="do not print stage timings")
    args = parser.parse_args(argv)
    summary = generate_district(args.out_dir, seed=args.seed, residents=args.residents, progress=not args.quiet)
    print(f"{summary.residents:,} residents, {summary.households:,} households, {summary.buildings:,} buildings "
          f"in {summary.seconds:.1f}s → {summary.out_dir}")
    for name in summary.files:
        size = (summary.out_dir / name).stat().st_size
        print(f"  {name:45s} {size / 1e6:8.2f} MB")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
