"""Benchmark: generate a drop and run the pipeline on it, printing time and peak memory.

    uv run python benchmarks/pipeline.py --scale 20            # generator only at scale 20
    uv run python benchmarks/pipeline.py --scale 1 --run       # plus `vrn run` on the drop

Figures are printed, never asserted: a slow machine must not fail a test suite.
Each step runs in its own process so its peak RSS is its own (`ru_maxrss` of children).
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
from pathlib import Path

_WRAPPER = (
    "import resource, subprocess, sys\n"
    "subprocess.run(sys.argv[1:], check=True, stdout=subprocess.DEVNULL)\n"
    "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)"
)


def _measure(cmd: list[str]) -> tuple[float, float]:
    """Wall seconds and peak RSS (MiB) of one command, measured by a fresh wrapper
    process so earlier steps' peaks don't leak into later ones."""
    t0 = time.perf_counter()
    done = subprocess.run([sys.executable, "-c", _WRAPPER, *cmd], check=True,
                          capture_output=True, text=True)
    elapsed = time.perf_counter() - t0
    return elapsed, int(done.stdout.strip().splitlines()[-1]) / 1024


def _size(folder: Path) -> tuple[int, int]:
    files = [p for p in folder.rglob("*") if p.is_file()]
    return len(files), sum(p.stat().st_size for p in files)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--start", default="2019-04-01")
    parser.add_argument("--end", default="2025-03-31")
    parser.add_argument("--run", action="store_true", help="also run the pipeline")
    parser.add_argument("--workdir", type=Path, default=None)
    args = parser.parse_args()
    vrn = str(Path(sys.executable).with_name("vrn"))
    with tempfile.TemporaryDirectory(dir=args.workdir) as tmp:
        landing = Path(tmp) / "landing"
        secs, mib = _measure([vrn, "generate", "--out", str(landing), "--scale", str(args.scale),
                              "--start", args.start, "--end", args.end])
        n, size = _size(landing)
        print(f"generate  scale={args.scale:<5} files={n:<5} size={size / 2**20:8.1f} MiB "
              f"time={secs:7.1f} s  peak_rss={mib:7.0f} MiB")
        if args.run:
            secs, mib = _measure([vrn, "run", "--landing", str(landing),
                                  "--warehouse", str(Path(tmp) / "warehouse.duckdb"),
                                  "--exports", str(Path(tmp) / "exports")])
            print(f"run       scale={args.scale:<5} time={secs:7.1f} s  peak_rss={mib:7.0f} MiB")


if __name__ == "__main__":
    main()
