"""Benchmark: how well, and how fast, the person linkage does on a generated drop.

    uv run python benchmarks/linkage_quality.py                      # scale 1, default seed
    uv run python benchmarks/linkage_quality.py --scale 0.1 --start 2023-04-01 --end 2024-03-31

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
from synthetic.generate import generate

from ingest.load import ingest_landing
from linkage.model import exact_match_links, link_records, load_settings
from linkage.quality import LinkageQuality, read_truth_person_records, score_linkage
from linkage.records import collect_person_records


def _line(name: str, q: LinkageQuality, seconds: float) -> str:
    return (
        f"{name:<8} pairwise precision={q.pairwise_precision:.4f} "
        f"recall={q.pairwise_recall:.4f}  cluster precision={q.cluster_precision:.4f} "
        f"recall={q.cluster_recall:.4f}  links={q.predicted_pairs:>9,} "
        f"time={seconds:7.2f} s"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--start", type=date.fromisoformat, default=date(2019, 4, 1))
    parser.add_argument("--end", type=date.fromisoformat, default=date(2025, 3, 31))
    parser.add_argument("--workdir", type=Path, default=None)
    args = parser.parse_args()
    settings = load_settings()
    with tempfile.TemporaryDirectory(dir=args.workdir) as tmp:
        landing = Path(tmp) / "landing"
        t0 = time.perf_counter()
        generate(landing, seed=args.seed, scale=args.scale, start=args.start, end=args.end)
        print(f"generate  seed={args.seed} scale={args.scale} {args.start}..{args.end} "
              f"time={time.perf_counter() - t0:.1f} s")
        con = duckdb.connect(str(Path(tmp) / "warehouse.duckdb"))
        t0 = time.perf_counter()
        ingest_landing(con, landing)
        print(f"ingest    time={time.perf_counter() - t0:.1f} s")
        t0 = time.perf_counter()
        records = collect_person_records(con)
        con.close()
        by_source = ", ".join(
            f"{k} {v:,}" for k, v in records.groupby("source").size().items()
        )
        print(f"records   {len(records):,} ({by_source})"
              f"  without tokens {int((~records['has_tokens']).sum()):,}"
              f"  time={time.perf_counter() - t0:.2f} s")
        truth = read_truth_person_records(Path(f"{landing}.truth"))

        t0 = time.perf_counter()
        splink_links = link_records(records, settings)
        splink_secs = time.perf_counter() - t0
        t0 = time.perf_counter()
        exact_links = exact_match_links(records)
        exact_secs = time.perf_counter() - t0

        splink_q = score_linkage(splink_links, truth)
        exact_q = score_linkage(exact_links, truth)
        print(f"truth     {len(truth):,} records; scored {splink_q.records_scored:,}; "
              f"true same-person pairs {splink_q.true_pairs:,}; "
              f"true persons with 2+ records {splink_q.true_persons:,}")
        print(_line(f"splink {settings.version}", splink_q, splink_secs))
        print(_line("exact", exact_q, exact_secs))


if __name__ == "__main__":
    main()
