"""Tag engine at Linfen's scale: 240 rules over the default district's 83,000 residents.

Baseline in the same process: 24 rules on the same table, so the ratio shows how the cost
grows with the number of rules (shared sub-conditions are computed once).

    .venv/bin/python bench/tag_engine.py [--residents 83000] [--rules 240] [--runs 5]
"""

from __future__ import annotations

import argparse

from harness import median, report

from ingest.synthetic.tag_table import benchmark


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--residents", type=int, default=83_000)
    parser.add_argument("--rules", type=int, default=240)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    many = [benchmark(args.residents, args.rules, seed=run)["seconds"] for run in range(args.runs)]
    few = [benchmark(args.residents, max(args.rules // 10, 1), seed=run)["seconds"]
           for run in range(args.runs)]
    report(f"tags_{args.rules}_rules", median(many), "s", args.runs, "-",
           residents=args.residents)
    report(f"tags_{max(args.rules // 10, 1)}_rules_baseline", median(few), "s", args.runs, "-",
           residents=args.residents)
    report("tags_rules_x10_cost_ratio", median(many) / median(few), "ratio", args.runs, "-")


if __name__ == "__main__":
    main()
