"""Command line: ``python -m crm_core sample|check|evaluate|report|prepare ...``.

Every sub-command prints a clear message and exits 0 (usable) or 2 (not usable); none
ends in a traceback.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path


def _sample(argv: list[str]) -> int:
    from crm_core.sample import SampleConfig, write_sample, write_sample_shards

    parser = argparse.ArgumentParser(prog="python -m crm_core sample", description="Generate the Bank A sample.")
    parser.add_argument("--customers", type=int, default=SampleConfig.n_customers, help="customers to generate")
    parser.add_argument("--seed", type=int, default=SampleConfig.seed, help="random seed")
    parser.add_argument("--months", type=int, default=SampleConfig.months, help="months of activity")
    parser.add_argument("--out", type=Path, required=True, help="output folder")
    parser.add_argument(
        "--shards", type=int, default=0, help="write folders of N part files, one shard in memory at a time"
    )
    args = parser.parse_args(argv)
    if args.customers < 1 or args.months < 1 or not 0 <= args.shards <= args.customers:
        print("--customers and --months must be positive whole numbers, --shards at most --customers.", file=sys.stderr)
        return 2
    started = time.perf_counter()
    config = SampleConfig(n_customers=args.customers, seed=args.seed, months=args.months)
    paths = write_sample_shards(args.out, config, args.shards) if args.shards else write_sample(args.out, config)
    for table, path in paths.items():
        size = sum(p.stat().st_size for p in path.glob("*.parquet")) if path.is_dir() else path.stat().st_size
        print(f"{table:<10} {path}  ({size / 1e6:.1f} MB)")
    print(f"generated {args.customers:,} customers in {time.perf_counter() - started:.1f} s")
    return 0


def _check(argv: list[str]) -> int:
    from crm_core.loading.cli import check_main

    return check_main(argv)


def _evaluate(argv: list[str]) -> int:
    from crm_core.loyalty.cli import evaluate_main

    return evaluate_main(argv)


def _report(argv: list[str]) -> int:
    from crm_core.report.cli import report_main

    return report_main(argv)


def _prepare(argv: list[str]) -> int:
    from crm_core.prepare_cli import prepare_main

    return prepare_main(argv)


COMMANDS = {"sample": _sample, "check": _check, "evaluate": _evaluate, "report": _report, "prepare": _prepare}


def main(argv: list[str] | None = None) -> int:
    """Dispatch a sub-command; return the process exit code."""
    argv = sys.argv[1:] if argv is None else argv
    if not argv or argv[0] not in COMMANDS:
        print("usage: python -m crm_core {" + ",".join(COMMANDS) + "} [options]   (--help after a command)")
        return 2
    return COMMANDS[argv[0]](argv[1:])


if __name__ == "__main__":
    sys.exit(main())
