"""Benchmark: how well, and how fast, the person linkage does on a generated drop.

    uv run python benchmarks/linkage_quality.py                      # scale 1, default seed
    uv run python benchmarks/linkage_quality.py --scale 0.1 --start 2023-04-01 --end 2024-03-31
    uv run python benchmarks/linkage_quality.py --warehouse W --truth DROP.truth   # reuse

Generates a drop, ingests it into a scratch warehouse, links its person records with the
Splink model (`linkage/settings/`) and with exact matching on all three tokens (the
baseline), and prints pairwise and cluster precision/recall of each against the
generator's truth, with the time each took. Figures are printed, never asserted here (the
tests assert them on a small drop).
"""

from __future__ import annotations

import argparse
import tempfile
import time
from datetime import date
from pathlib import Path

import duckdb
import pandas as pd

from ingest.load import ingest_landing
from linkage.model import exact_match_links, link_records, load_settings
from linkage.quality import LinkageQuality, score_linkage
from linkage.records import collect_person_records
from synthetic.generate import generate
from synthetic.truth import load_truth


def _line(name: str, q: LinkageQuality, seconds: float) -> str:
    return (
        f"{name:<14} pairwise precision={q.pairwise_precision:.4f} "
        f"recall={q.pairwise_recall:.4f}  cluster precision={q.cluster_precision:.4f} "
        f"recall={q.cluster_recall:.4f}  links={q.predicted_pairs:>9,} "
        f"time={seconds:7.2f} s"
    )


def _generated(tmp: Path, args: argparse.Namespace) -> tuple[Path, Path]:
    """Generate and ingest a drop; returns (warehouse, truth folder)."""
    landing = tmp / "landing"
    t0 = time.perf_counter()
    generate(landing, seed=args.seed, scale=args.scale, start=args.start, end=args.end)
    print(f"generate  seed={args.seed} scale={args.scale} {args.start}..{args.end} "
          f"time={time.perf_counter() - t0:.1f} s")
    warehouse = tmp / "warehouse.duckdb"
    con = duckdb.connect(str(warehouse))
    t0 = time.perf_counter()
    ingest_landing(con, landing)
    con.close()
    print(f"ingest    time={time.perf_counter() - t0:.1f} s")
    return warehouse, Path(f"{landing}.truth")


def _score(warehouse: Path, truth_dir: Path) -> None:
    settings = load_settings()
    t0 = time.perf_counter()
    con = duckdb.connect(str(warehouse), read_only=True)
    records = collect_person_records(con)
    con.close()
    by_source = ", ".join(f"{k} {v:,}" for k, v in records.groupby("source").size().items())
    print(f"records   {len(records):,} ({by_source}); without tokens "
          f"{int((~records['has_tokens']).sum()):,}; time={time.perf_counter() - t0:.1f} s")
    truth = load_truth(truth_dir).person_records
    # Records without tokens are each their own person by rule, so they are not scored
    # as missed links (the figures including them are printed too).
    in_warehouse = truth[truth["in_warehouse"]].astype({"person_id": str})
    tokenised = in_warehouse[in_warehouse["token_error"] != "blank"]

    results: list[tuple[str, pd.DataFrame, float]] = []
    t0 = time.perf_counter()
    results.append((f"splink {settings.version}", link_records(records, settings),
                    time.perf_counter() - t0))
    t0 = time.perf_counter()
    results.append(("exact", exact_match_links(records), time.perf_counter() - t0))
    first = score_linkage(results[0][1], tokenised)
    print(f"truth     scored {first.records_scored:,} records with tokens; true same-person "
          f"pairs {first.true_pairs:,}; true persons with 2+ records {first.true_persons:,}")
    for name, links, seconds in results:
        print(_line(name, score_linkage(links, tokenised), seconds))
        everyone = score_linkage(links, in_warehouse)
        print(f"{'':<14} incl. records without tokens: pairwise precision="
              f"{everyone.pairwise_precision:.4f} recall={everyone.pairwise_recall:.4f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--start", type=date.fromisoformat, default=date(2019, 4, 1))
    parser.add_argument("--end", type=date.fromisoformat, default=date(2025, 3, 31))
    parser.add_argument("--workdir", type=Path, default=None)
    parser.add_argument("--warehouse", type=Path, default=None,
                        help="score an already ingested warehouse instead of generating")
    parser.add_argument("--truth", type=Path, default=None,
                        help="the truth folder of the drop that --warehouse was loaded from")
    args = parser.parse_args()
    if args.warehouse is not None:
        if args.truth is None:
            parser.error("--warehouse needs --truth (the drop's <landing>.truth folder)")
        _score(args.warehouse, args.truth)
        return
    with tempfile.TemporaryDirectory(dir=args.workdir) as tmp:
        _score(*_generated(Path(tmp), args))


if __name__ == "__main__":
    main()
