"""The project's benchmark: `vrn run` against a raw DuckDB script and a pandas script of the
same contract marts, on generated drops, written to `BENCHMARKS.md`.

    uv run python benchmarks/pipeline.py                        # scales 1 and 5 → BENCHMARKS.md
    uv run python benchmarks/pipeline.py --scales 20            # the memory target (scale 20)
    uv run python benchmarks/pipeline.py --scales 0.05 --out /tmp/B.md --keep   # a quick try
    uv run python benchmarks/pipeline.py --scale 20 --run --keep   # one full run at scale 20
    uv run python benchmarks/pipeline.py --scale 1 --run        # plus one `vrn run` on the drop

For each scale it generates one drop (`vrn generate`, seed 42, the default period), then
times, each in its own process:

  generate       `vrn generate` of the drop
  raw DuckDB     `python benchmarks/baselines.py duckdb LANDING` (the contract marts)
  pandas         `python benchmarks/baselines.py pandas LANDING` (the same marts)
  read files     `python benchmarks/read_files.py LANDING` (every file read into DuckDB as
                 text and nothing more: what the ingest stage is compared with)
  full           `vrn run`, every file, from an empty warehouse
  full − last q  `vrn run`, every file but the last quarter's, from an empty warehouse
  nothing new    `vrn run` again on the same landing folder
  new quarter    `vrn run` after the last quarter's files arrive

and checks `python benchmarks/baselines.py check LANDING WAREHOUSE` against the full run's
warehouse, so that the comparison is of the same work. The last quarter is the financial
quarter holding `--end` (2024-25Q4 by default): its files are those whose period is that
quarter (`crimes_2024-25Q4.csv`, `sarc_return_2024-25Q4.xlsx`, …) and the police.uk months
in it (`policeuk/2025-01-leicestershire-street.csv`, …). Files of a whole year
(`funding_2024-25.csv`, `school_absence_2024-25.csv`, `exclusions_2024-25.csv`) are in
the first run: partners send them once.

Measured per command: wall seconds; CPU seconds (user + system) of the process and every
descendant it waited for (`os.wait4`); the peak memory of the whole process tree (the sum
of VmRSS of the process and all its descendants, sampled every 50 ms from /proc, so shared
pages count once per process). Per `vrn run`, the time per stage from the Dagster run
storage the run leaves beside its warehouse (step start/end times, read after the run):
before the first step, ingest, linkage, dbt, checks, exports, after the last step.

Figures are reported against the targets, never asserted: a slow machine must not fail a
test suite. `BENCHMARKS.md` is rewritten on each run except its last section, "What each
change bought" (everything from its marker comment to the end), which engineers fill in
by hand.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import platform
import re
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
BASELINES = Path(__file__).resolve().with_name("baselines.py")
READ_FILES = Path(__file__).resolve().with_name("read_files.py")
DEFAULT_OUT = REPO / "BENCHMARKS.md"
CHANGES_MARKER = ("<!-- benchmarks/pipeline.py keeps everything from this line to the end "
                  "when it rewrites this file: fill it in by hand. -->")
CHANGES_DEFAULT = (
    "## What each change bought\n\n"
    "One row per change that moved a figure above: what changed, which figure, before and "
    "after (same machine, same scale).\n\n"
    "| change (commit) | figure | scale | before | after |\n"
    "| --- | --- | --- | --- | --- |\n"
)
STAGES = ("before first step", "ingest", "linkage", "dbt", "checks", "exports",
          "after last step")
SAMPLE_SECONDS = 0.05
GIB = 2**30
MIB = 2**20

# Targets (CPU seconds on the same run, except where a wall time is the point).
TARGET_FULL_RATIO = 15.0  # full run at scale 1 within 15x the raw DuckDB script
TARGET_NOOP_CPU = 10.0  # a run with nothing new under 10 s, publishing nothing
TARGET_NEW_QUARTER = 0.15  # a new quarter within 15% of a full run
TARGET_FIRST_STEP = 5.0  # the first step starting within 5 s of `vrn run`
TARGET_PEAK_BYTES_AT_20 = 6 * GIB  # at scale 20 peak memory under 6 GiB
TARGET_INGEST_RATIO = 3.0  # ingest within 3x DuckDB's own read of the same files

# --------------------------------------------------------------------------- measuring

@dataclass
class Measured:
    """One command, run in its own process."""

    label: str
    cmd: list[str]
    log: Path
    wall: float = 0.0
    cpu: float = 0.0
    peak_bytes: int = 0
    rc: int = 0
    started: float = 0.0  # epoch seconds, just before the process was started
    ended: float = 0.0
    # `vrn run` only
    run_id: str | None = None
    stages: dict[str, float] = field(default_factory=dict)
    published: int | None = None  # audit.exports rows published or republished by the run
    files_loaded: int | None = None  # files newly loaded by the run (audit.files)
    note: str = ""

    @property
    def peak_mib(self) -> float:
        return self.peak_bytes / MIB


def _children(pid: int) -> list[int]:
    out: list[int] = []
    try:
        tasks = os.listdir(f"/proc/{pid}/task")
    except OSError:
        return out
    for tid in tasks:
        try:
            with open(f"/proc/{pid}/task/{tid}/children") as fh:
                out.extend(int(c) for c in fh.read().split())
        except OSError:
            continue
    return out


def _rss_bytes(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/status") as fh:
            for line in fh:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    return 0  # gone, or a zombie (no VmRSS line)


def tree_rss(root: int) -> int:
    """Sum of VmRSS over `root` and all its descendants, now."""
    total, todo, seen = 0, [root], set()
    while todo:
        pid = todo.pop()
        if pid in seen:
            continue
        seen.add(pid)
        total += _rss_bytes(pid)
        todo.extend(_children(pid))
    return total


def measure(label: str, cmd: Sequence[str], log: Path, env: dict[str, str] | None = None,
            nice: int = 0) -> Measured:
    """Run `cmd` (output to `log`), sampling the memory of its process tree until it ends;
    its CPU time is that of the process and every descendant it waited for."""
    m = Measured(label, list(cmd), log)
    log.parent.mkdir(parents=True, exist_ok=True)
    preexec = (lambda: os.nice(nice)) if nice else None
    with open(log, "wb") as fh:
        m.started = time.time()
        t0 = time.perf_counter()
        proc = subprocess.Popen(list(cmd), stdout=fh, stderr=subprocess.STDOUT, env=env,
                                cwd=REPO, preexec_fn=preexec)
        while True:
            pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
            if pid:
                break
            m.peak_bytes = max(m.peak_bytes, tree_rss(proc.pid))
            time.sleep(SAMPLE_SECONDS)
        m.wall = time.perf_counter() - t0
        m.ended = time.time()
    m.rc = os.waitstatus_to_exitcode(status)
    proc.returncode = m.rc  # reaped here, not by Popen
    m.cpu = usage.ru_utime + usage.ru_stime
    # ru_maxrss is the largest single process: a floor for the tree should sampling miss it.
    m.peak_bytes = max(m.peak_bytes, usage.ru_maxrss * 1024)
    return m


# --------------------------------------------------------------------------- the drop

def fy_quarter(day: dt.date) -> tuple[str, list[str]]:
    """The UK financial-year quarter holding `day` (`2024-25Q4`) and its months
    (`2025-01`, `2025-02`, `2025-03`)."""
    fy_start = day.year if day.month >= 4 else day.year - 1
    q = (day.month - 4) % 12 // 3 + 1
    first_month = 3 * (q - 1) + 4  # 4, 7, 10, 13
    months = []
    for k in range(3):
        month = first_month + k
        year = fy_start + (month - 1) // 12
        months.append(f"{year:04d}-{(month - 1) % 12 + 1:02d}")
    return f"{fy_start}-{(fy_start + 1) % 100:02d}Q{q}", months


def in_last_quarter(rel: Path, quarter: str, months: Iterable[str]) -> bool:
    """Whether a landing file (path under the landing folder) is one of the quarter's."""
    name = rel.name
    if re.search(rf"_{re.escape(quarter)}\.[A-Za-z0-9]+$", name):
        return True
    return rel.parts[0] == "policeuk" and any(name.startswith(f"{m}-") for m in months)


def landing_files(landing: Path) -> list[Path]:
    return sorted(p.relative_to(landing) for p in landing.rglob("*") if p.is_file())


def place(src: Path, dst: Path) -> None:
    """Hard link (the pipeline only reads landing files), else copy."""
    dst.parent.mkdir(parents=True, exist_ok=True)
    try:
        os.link(src, dst)
    except OSError:
        shutil.copy2(src, dst)


def folder_size(folder: Path) -> tuple[int, int]:
    files = [p for p in folder.rglob("*") if p.is_file()]
    return len(files), sum(p.stat().st_size for p in files)


# --------------------------------------------------------------------------- a vrn run

def stage_of(step_key: str) -> str:
    """The stage of a step of `vrn_run_job` (orchestration/definitions.py): ingest assets
    are `ingest_<source>`, linkage is `person_links`, dbt is `warehouse_dbt_assets`,
    exports are `exports__<partner>`, and everything else is a Great Expectations / Soda
    asset check (named after the relation it checks)."""
    if step_key.startswith("ingest_"):
        return "ingest"
    if "person_links" in step_key or "linkage" in step_key:
        return "linkage"
    if "dbt" in step_key:
        return "dbt"
    if step_key.startswith("exports__") or step_key.startswith("export_"):
        return "exports"
    return "checks"


def read_run(m: Measured, warehouse: Path) -> None:
    """Fill in a `vrn run`'s run id, time per stage, exports published and files loaded,
    from the Dagster run storage beside the warehouse and the warehouse's audit tables
    (both read only, after the run)."""
    text = m.log.read_text(errors="replace")
    found = re.search(r"^run ([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}):",
                      text, re.M)
    notes = []
    try:
        from vrn.privacy import disable_telemetry

        disable_telemetry()
        from dagster import DagsterInstance

        home = warehouse.parent / "dagster_home"
        with DagsterInstance.from_config(str(home)) as instance:
            if found:
                m.run_id = found.group(1)
            else:
                runs = instance.get_runs(limit=1)
                m.run_id = runs[0].run_id if runs else None
            stats = instance.get_run_step_stats(m.run_id) if m.run_id else []
        stages = dict.fromkeys(STAGES, 0.0)
        starts = [s.start_time for s in stats if s.start_time]
        ends = [s.end_time for s in stats if s.end_time]
        for s in stats:
            if s.start_time and s.end_time:
                stages[stage_of(s.step_key)] += s.end_time - s.start_time
        if starts:
            stages["before first step"] = min(starts) - m.started
        if ends:
            stages["after last step"] = m.ended - max(ends)
        # No steps: the run found nothing new and stopped before loading the pipeline.
        m.stages = stages if stats else None
    except Exception as exc:  # a figure missing is reported, not fatal
        notes.append(f"stages unavailable: {type(exc).__name__}: {exc}")
    try:
        import duckdb

        con = duckdb.connect(str(warehouse), read_only=True)
        try:
            m.published = con.execute(
                "SELECT count(*) FROM audit.exports WHERE run_id = ? "
                "AND outcome IN ('published', 'republished')", [m.run_id]).fetchone()[0]
        finally:
            con.close()
    except Exception as exc:
        notes.append(f"exports unavailable: {type(exc).__name__}: {exc}")
    m.note = "; ".join(notes)


def loaded_files(warehouse: Path) -> int:
    """Files currently loaded (`audit.files`), 0 before the first run."""
    if not warehouse.exists():
        return 0
    import duckdb

    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        return con.execute("SELECT count(*) FROM audit.files WHERE outcome = 'loaded'"
                           ).fetchone()[0]
    except duckdb.Error:
        return 0
    finally:
        con.close()


def vrn_run(label: str, vrn: str, landing: Path, folder: Path, logs: Path, env: dict[str, str],
            nice: int) -> Measured:
    warehouse = folder / "warehouse.duckdb"
    before = loaded_files(warehouse)
    m = measure(label, [vrn, "run", "--landing", str(landing), "--warehouse", str(warehouse),
                        "--exports", str(folder / "exports")],
                logs / f"{re.sub(r'[^a-z0-9]+', '-', label.lower())}.log", env, nice)
    read_run(m, warehouse)
    m.files_loaded = loaded_files(warehouse) - before
    return m


# --------------------------------------------------------------------------- one scale

@dataclass
class ScaleResult:
    scale: float
    files: int
    size: int
    last_quarter: str
    held_back: int  # files of the last quarter
    commands: list[Measured]
    baselines_note: str = ""
    check: str = ""  # "equal", "differ", "error", or "" when not run
    check_detail: str = ""

    def get(self, label: str) -> Measured | None:
        return next((m for m in self.commands if m.label == label), None)


GENERATE, DUCKDB, PANDAS, READ = "generate", "raw DuckDB", "pandas", "read files"
FULL, FULL_BUT_LAST, NOTHING_NEW, NEW_QUARTER = ("vrn run: full", "vrn run: full − last q",
                                                 "vrn run: nothing new", "vrn run: new quarter")


def say(line: str) -> None:
    print(line, flush=True)


def bench_scale(scale: float, args: argparse.Namespace, root: Path) -> ScaleResult:
    vrn = str(Path(sys.executable).with_name("vrn"))
    env = {k: v for k, v in os.environ.items() if k != "DAGSTER_HOME"}  # home beside warehouse
    here = root / f"scale-{scale:g}"
    logs = here / "logs"
    drop = here / "drop"
    cmds: list[Measured] = []

    def done(m: Measured) -> Measured:
        cmds.append(m)
        flag = "" if m.rc == 0 else f"  exit {m.rc} (see {m.log})"
        say(f"  {m.label:<24} wall {m.wall:8.1f} s  cpu {m.cpu:8.1f} s  "
            f"peak {m.peak_mib:7.0f} MiB{flag}")
        return m

    say(f"scale {scale:g}: generating the drop in {drop}")
    done(measure(GENERATE, [vrn, "generate", "--out", str(drop), "--scale", str(scale),
                            "--start", args.start, "--end", args.end],
                 logs / "generate.log", env, args.nice))
    n, size = folder_size(drop)
    quarter, months = fy_quarter(dt.date.fromisoformat(args.end))
    files = landing_files(drop)
    last = [f for f in files if in_last_quarter(f, quarter, months)]
    say(f"  drop: {n} files, {size / MIB:.1f} MiB; last quarter {quarter}: {len(last)} files")

    result = ScaleResult(scale, n, size, quarter, len(last), cmds)
    if BASELINES.exists():
        done(measure(DUCKDB, [sys.executable, str(BASELINES), "duckdb", str(drop)],
                     logs / "baseline-duckdb.log", env, args.nice))
        done(measure(PANDAS, [sys.executable, str(BASELINES), "pandas", str(drop)],
                     logs / "baseline-pandas.log", env, args.nice))
    else:
        result.baselines_note = f"{BASELINES.relative_to(REPO)} is absent: no baseline rows"
        say(f"  {result.baselines_note}")
    if READ_FILES.exists():
        done(measure(READ, [sys.executable, str(READ_FILES), str(drop)],
                     logs / "read-files.log", env, args.nice))

    full = done(vrn_run(FULL, vrn, drop, here / "full", logs, env, args.nice))
    if BASELINES.exists():
        chk = measure("check", [sys.executable, str(BASELINES), "check", str(drop),
                                str(here / "full" / "warehouse.duckdb")],
                      logs / "baseline-check.log", env, args.nice)
        result.check = {0: "equal", 1: "differ"}.get(chk.rc, "error")
        tail = chk.log.read_text(errors="replace").strip().splitlines()
        result.check_detail = "\n".join(tail[-15:])
        say(f"  baselines vs the full run's marts: {result.check} (exit {chk.rc})")
    del full

    # The incremental sequence: everything but the last quarter, again, then the quarter.
    partial = here / "landing-incremental"
    for f in files:
        if f not in last:
            place(drop / f, partial / f)
    inc = here / "incremental"
    done(vrn_run(FULL_BUT_LAST, vrn, partial, inc, logs, env, args.nice))
    done(vrn_run(NOTHING_NEW, vrn, partial, inc, logs, env, args.nice))
    for f in last:
        place(drop / f, partial / f)
    done(vrn_run(NEW_QUARTER, vrn, partial, inc, logs, env, args.nice))
    return result


# --------------------------------------------------------------------------- the report

def machine() -> dict[str, str]:
    import duckdb

    mem = "?"
    try:
        with open("/proc/meminfo") as fh:
            kb = next(int(line.split()[1]) for line in fh if line.startswith("MemTotal:"))
        mem = f"{kb * 1024 / GIB:.1f} GiB"
    except (OSError, StopIteration):
        pass
    cpu = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo") as fh:
            cpu = next(line.split(":", 1)[1].strip() for line in fh
                       if line.startswith("model name"))
    except (OSError, StopIteration):
        pass
    versions = {"duckdb": duckdb.__version__}
    for mod in ("dagster", "pandas"):
        try:
            versions[mod] = __import__(mod).__version__
        except ImportError:
            versions[mod] = "absent"
    load = ", ".join(f"{x:.2f}" for x in os.getloadavg())
    return {
        "CPUs": f"{os.cpu_count()} ({cpu})",
        "memory": mem,
        "system": f"{platform.system()} {platform.release()}",
        "Python": platform.python_version(),
        "DuckDB": versions["duckdb"],
        "Dagster": versions["dagster"],
        "pandas": versions["pandas"],
        "load average at start": load,
    }


def _ratio(m: Measured, base: Measured | None) -> str:
    if base is None or base.rc != 0 or base.cpu <= 0:
        return "–"
    return f"{m.cpu / base.cpu:.1f}×"


def _met(ok: bool | None) -> str:
    return {True: "met", False: "**not met**", None: "not measured"}[ok]


def targets(r: ScaleResult) -> list[tuple[str, str, str]]:
    """(target, measured, met / not met) at one scale."""
    rows: list[tuple[str, str, str]] = []
    full, base = r.get(FULL), r.get(DUCKDB)
    noop, newq = r.get(NOTHING_NEW), r.get(NEW_QUARTER)
    at = "" if r.scale == 1 else f" (stated at scale 1; here {r.scale:g})"
    if full and base and base.rc == 0 and full.rc == 0:
        ratio = full.cpu / base.cpu
        rows.append((f"full run within {TARGET_FULL_RATIO:g}× the raw DuckDB script{at}",
                     f"{ratio:.1f}× ({full.cpu:.1f} s / {base.cpu:.1f} s CPU)",
                     _met(ratio <= TARGET_FULL_RATIO) if r.scale == 1 else "for information"))
    else:
        rows.append((f"full run within {TARGET_FULL_RATIO:g}× the raw DuckDB script{at}",
                     "no raw DuckDB figure" if not base else "a command failed", _met(None)))
    if noop:
        ok = noop.rc == 0 and noop.cpu < TARGET_NOOP_CPU and noop.published == 0
        rows.append((f"nothing new: under {TARGET_NOOP_CPU:g} s, publishing nothing",
                     f"{noop.cpu:.1f} s CPU ({noop.wall:.1f} s wall), "
                     f"{noop.published if noop.published is not None else '?'} published, "
                     f"{noop.files_loaded} files loaded", _met(ok)))
    if newq and full:
        share = newq.cpu / full.cpu if full.cpu else float("inf")
        rows.append((f"new quarter within {TARGET_NEW_QUARTER:.0%} of a full run",
                     f"{share:.0%} ({newq.cpu:.1f} s / {full.cpu:.1f} s CPU; "
                     f"{newq.files_loaded} of {r.held_back} new files loaded)",
                     _met(newq.rc == 0 and share <= TARGET_NEW_QUARTER)))
    read = r.get(READ)
    if full and full.stages and read and read.rc == 0 and read.wall > 0:
        ingest = full.stages["ingest"]
        rows.append((f"ingest within {TARGET_INGEST_RATIO:g}× DuckDB's own read of the same "
                     "files (wall: the full run's ingest stage / `read files`)",
                     f"{ingest / read.wall:.1f}× ({ingest:.1f} s / {read.wall:.1f} s)",
                     _met(ingest <= TARGET_INGEST_RATIO * read.wall)))
    firsts = [(m.label, m.stages["before first step"]) for m in r.commands
              if m.stages and m.stages.get("before first step")]
    if firsts:
        label, worst = max(firsts, key=lambda x: x[1])
        rows.append((f"first step within {TARGET_FIRST_STEP:g} s of `vrn run` (slowest run)",
                     f"{worst:.1f} s wall ({label.removeprefix('vrn run: ')})",
                     _met(worst <= TARGET_FIRST_STEP)))
    runs = [m for m in r.commands if m.label.startswith("vrn run")]
    if runs:
        peak = max(m.peak_bytes for m in runs)
        if r.scale == 20:
            rows.append(("peak memory under 6 GiB at scale 20", f"{peak / GIB:.2f} GiB",
                         _met(peak < TARGET_PEAK_BYTES_AT_20)))
        else:
            rows.append(("peak memory under 6 GiB at scale 20 (here "
                         f"{r.scale:g})", f"{peak / GIB:.2f} GiB", "for information"))
    return rows


def command_table(r: ScaleResult) -> list[str]:
    base = r.get(DUCKDB)
    lines = ["| command | wall s | CPU s | peak tree MiB | CPU vs raw DuckDB | exit |",
             "| --- | ---: | ---: | ---: | ---: | ---: |"]
    for m in r.commands:
        lines.append(f"| {m.label} | {m.wall:.1f} | {m.cpu:.1f} | {m.peak_mib:.0f} | "
                     f"{_ratio(m, base)} | {m.rc} |")
    return lines


def stage_table(r: ScaleResult) -> list[str]:
    runs = [m for m in r.commands if m.label.startswith("vrn run")]
    lines = ["| run | " + " | ".join(STAGES) + " | wall | exports published | files loaded |",
             "| --- |" + " ---: |" * (len(STAGES) + 3)]
    for m in runs:
        cells = [f"{m.stages[s]:.1f}" if m.stages else "–" for s in STAGES]
        lines.append(f"| {m.label.removeprefix('vrn run: ')} | " + " | ".join(cells)
                     + f" | {m.wall:.1f} | {m.published if m.published is not None else '?'}"
                     f" | {m.files_loaded} |")
    return lines


def render(results: list[ScaleResult], info: dict[str, str], args: argparse.Namespace,
           started: dt.datetime) -> str:
    out = ["# Benchmarks", "",
           "Written by `benchmarks/pipeline.py` (see its docstring for what each row is). "
           "Every figure is measured on the machine below; none is asserted by a test.", "",
           f"Run {started:%Y-%m-%d %H:%M} to {dt.datetime.now():%H:%M}; "
           f"`python benchmarks/pipeline.py --scales {','.join(f'{s:g}' for s in args.scales)}"
           + (f" --start {args.start} --end {args.end}" if (args.start, args.end)
              != ("2019-04-01", "2025-03-31") else "")
           + (f" --nice {args.nice}" if args.nice else "")
           + f"` (drops over {args.start}..{args.end}, seed 42).", "",
           "## Machine", "", "| | |", "| --- | --- |"]
    out += [f"| {k} | {v} |" for k, v in info.items()]
    out += ["", "CPU s is user + system time of the process and every descendant it waited "
            "for; peak tree MiB is the largest sum of the resident memory of the process "
            "and all its descendants, sampled every 50 ms (shared pages count once per "
            "process). Stages are from the Dagster run storage: the sum of step durations "
            "per stage, wall seconds; \"before first step\" runs from the start of the "
            "`vrn run` process to the start of its first step.", ""]
    for r in results:
        out += [f"## Scale {r.scale:g}", "",
                f"Drop: {r.files} files, {r.size / MIB:.1f} MiB. Last quarter "
                f"{r.last_quarter}: {r.held_back} files, held back from the first "
                "incremental run and added for \"new quarter\".", ""]
        out += command_table(r)
        out += ["", "Time per stage of `vrn run` (wall s):", ""]
        out += stage_table(r)
        if any(m.label.startswith("vrn run") and not m.stages for m in r.commands):
            out += ["", "A run without stages (`–`) has no Dagster run: it found nothing new "
                        "and stopped before the pipeline was loaded."]
        out += ["", "Targets (CPU seconds on the same run, unless said):", "",
                "| target | measured | |", "| --- | --- | --- |"]
        out += [f"| {t} | {v} | {ok} |" for t, v, ok in targets(r)]
        out += [""]
        if r.baselines_note:
            out += [f"Baselines: {r.baselines_note}.", ""]
        elif r.check == "equal":
            out += ["Baselines: the raw DuckDB and pandas figures equal the full run's "
                    "marts (`baselines.py check`): the comparison is of the same work.", ""]
        else:
            what = "differ" if r.check == "differ" else "could not be compared"
            out += [f"Baselines: **the figures {what}** (`baselines.py check`):", "",
                    "```", r.check_detail, "```", ""]
        notes = [f"{m.label}: {m.note}" for m in r.commands if m.note]
        notes += [f"{m.label} exited {m.rc}: see its log" for m in r.commands if m.rc]
        if notes:
            out += ["Notes:", ""] + [f"- {n}" for n in notes] + [""]
    return "\n".join(out)


def write_report(path: Path, body: str) -> None:
    """Write `body`, then the hand-written "What each change bought" section as it is in
    the existing file (from its marker to the end), or a fresh one."""
    kept = CHANGES_MARKER + "\n" + CHANGES_DEFAULT
    if path.exists():
        old = path.read_text()
        at = old.find(CHANGES_MARKER)
        if at >= 0:
            kept = old[at:]
    path.write_text(body.rstrip() + "\n\n" + kept)


def print_summary(results: list[ScaleResult]) -> None:
    for r in results:
        say("")
        say(f"scale {r.scale:g}: {r.files} files, {r.size / MIB:.1f} MiB")
        say(f"  {'command':<24} {'wall s':>8} {'CPU s':>8} {'peak MiB':>9} {'vs DuckDB':>9}")
        base = r.get(DUCKDB)
        for m in r.commands:
            say(f"  {m.label:<24} {m.wall:8.1f} {m.cpu:8.1f} {m.peak_mib:9.0f} "
                f"{_ratio(m, base):>9}" + ("" if m.rc == 0 else f"  exit {m.rc}"))
        say("  stages (wall s): " + " | ".join(STAGES))
        for m in r.commands:
            if m.label.startswith("vrn run") and m.stages:
                say(f"  {m.label.removeprefix('vrn run: '):<22} "
                    + " ".join(f"{m.stages[s]:7.1f}" for s in STAGES)
                    + f"   published {m.published}, files loaded {m.files_loaded}")
        say("  baselines: " + (r.baselines_note or f"figures {r.check or 'not checked'}"))
        for t, v, ok in targets(r):
            say(f"  [{ok}] {t}: {v}")


# --------------------------------------------------------------------------- entry points

def generator_only(args: argparse.Namespace) -> None:
    """`--scale S [--run]`: generate one drop and, with `--run`, one `vrn run` of it from
    an empty warehouse (scale 20's full run, which the whole benchmark would repeat four
    times), measured as the benchmark measures it: wall and CPU s, the process tree's
    peak memory, the time per stage, the exports published. The run's output is kept in
    its log; the drop and warehouse with `--keep`."""
    vrn = str(Path(sys.executable).with_name("vrn"))
    env = {k: v for k, v in os.environ.items() if k != "DAGSTER_HOME"}  # home beside warehouse
    root = Path(tempfile.mkdtemp(prefix=f"vrn-scale-{args.scale:g}-", dir=args.workdir))
    logs = root / "logs"
    try:
        landing = root / "landing"
        gen = measure(GENERATE, [vrn, "generate", "--out", str(landing), "--scale",
                                 str(args.scale), "--start", args.start, "--end", args.end],
                      logs / "generate.log", env, args.nice)
        n, size = folder_size(landing)
        say(f"generate  scale={args.scale:g} files={n} size={size / MIB:.1f} MiB "
            f"wall={gen.wall:.1f} s cpu={gen.cpu:.1f} s peak={gen.peak_mib:.0f} MiB "
            f"exit={gen.rc}")
        if args.run and gen.rc == 0:
            run = vrn_run(FULL, vrn, landing, root / "full", logs, env, args.nice)
            say(f"run       scale={args.scale:g} wall={run.wall:.1f} s cpu={run.cpu:.1f} s "
                f"peak={run.peak_mib:.0f} MiB exit={run.rc} published={run.published} "
                f"(log: {run.log})")
            if run.stages:
                say("  stages (wall s): " + ", ".join(f"{k} {v:.1f}"
                                                      for k, v in run.stages.items()))
            if run.note:
                say(f"  {run.note}")
            if run.rc != 0:
                say("  the run's last lines:")
                for line in run.log.read_text(errors="replace").splitlines()[-25:]:
                    say(f"    {line}")
    finally:
        if args.keep:
            say(f"kept: {root}")
        else:
            shutil.rmtree(root, ignore_errors=True)


def _scales(text: str) -> list[float]:
    try:
        scales = [float(s) for s in text.split(",") if s.strip()]
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"not a list of numbers: {text!r}") from exc
    if not scales or any(s <= 0 for s in scales):
        raise argparse.ArgumentTypeError("scales must be positive numbers")
    return scales


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--scales", type=_scales, default=[1.0, 5.0],
                        help="comma-separated scales to benchmark (default 1,5; 20 on request)")
    parser.add_argument("--scale", type=float, default=None,
                        help="generator-only mode at this one scale (with --run: plus a run)")
    parser.add_argument("--run", action="store_true", help="generator-only mode: also run")
    parser.add_argument("--start", default="2019-04-01")
    parser.add_argument("--end", default="2025-03-31")
    parser.add_argument("--workdir", type=Path, default=None,
                        help="where the drops and warehouses go (default: the temp folder)")
    parser.add_argument("--keep", action="store_true", help="keep drops and warehouses")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT,
                        help="the report to write (default: BENCHMARKS.md at the repo root)")
    parser.add_argument("--nice", type=int, default=0,
                        help="run measured commands at this niceness (CPU s are unaffected)")
    args = parser.parse_args(argv)
    if args.workdir:
        args.workdir.mkdir(parents=True, exist_ok=True)
    if args.scale is not None:
        generator_only(args)
        return

    started = dt.datetime.now()
    info = machine()
    root = Path(tempfile.mkdtemp(prefix="vrn-bench-", dir=args.workdir))
    results: list[ScaleResult] = []
    try:
        for scale in args.scales:
            results.append(bench_scale(scale, args, root))
            write_report(args.out, render(results, info, args, started))  # as it goes
    finally:
        if args.keep:
            say(f"kept: {root}")
        else:
            shutil.rmtree(root, ignore_errors=True)
    print_summary(results)
    say(f"\nwrote {args.out}")


if __name__ == "__main__":
    main()
