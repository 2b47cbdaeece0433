"""What of dbt's output a person running `vrn run` sees.

dbt prints a START line and a result line for each of several hundred seeds, models and
tests. All of it goes to a log file beside the warehouse (`logs/dbt-<run id>.log`, named
once on the console); the console gets dbt's closing summary (`Done. PASS=… WARN=…
ERROR=… SKIP=… TOTAL=…`) and whatever dbt reports as an error or a warning: the failed
model or test by name, and its error text.
"""

from __future__ import annotations

import contextlib
import subprocess
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from dagster_dbt.core.dbt_cli_invocation import DbtCliInvocation

from vrn import failpoints

# dbt's structured log (`DBT_LOG_FORMAT=json`, set by dagster-dbt): the event carrying the
# summary line, and the levels worth a person's attention.
SUMMARY_EVENT = "StatsLine"
CONSOLE_LEVELS = {"error": "error", "warn": "warning"}


@dataclass(frozen=True)
class ConsoleLine:
    level: str  # a Python logging method name: "info", "warning" or "error"
    text: str


def dbt_log_path(logs: Path, run_id: str) -> Path:
    return logs / f"dbt-{run_id}.log"


def console_line(raw_event: Mapping[str, Any]) -> ConsoleLine | None:
    """The console line a dbt event earns, if any (every event is in the log file)."""
    info = raw_event.get("info", {})
    message = str(info.get("msg", "")).strip()
    if not message:
        return None
    if info.get("name") == SUMMARY_EVENT:
        return ConsoleLine("info", f"dbt: {message}")
    level = CONSOLE_LEVELS.get(str(info.get("level")))
    return ConsoleLine(level, message) if level else None


def build_quietly(invocation: DbtCliInvocation, log_path: Path, log: Any) -> list[Any]:
    """Run `invocation` to its end with dbt's own lines in `log_path`, the lines
    `console_line` picks sent to `log` (Dagster's logger), and return the Dagster events
    (outputs, check results, observations) in dbt's order.

    dagster-dbt writes each dbt line to `sys.stdout`; the console logger keeps its own
    handle on the terminal, so redirecting `sys.stdout` here moves dbt's lines only.
    """
    log_path.parent.mkdir(parents=True, exist_ok=True)
    events: list[Any] = []
    with log_path.open("w", encoding="utf-8") as out, contextlib.redirect_stdout(out):
        try:
            for dbt_event in invocation.stream_raw_events():
                failpoints.reached("dbt.build")
                line = console_line(dbt_event.raw_event)
                if line is not None:
                    getattr(log, line.level)(line.text)
                events.extend(dbt_event.to_default_asset_events(
                    manifest=invocation.manifest,
                    dagster_dbt_translator=invocation.dagster_dbt_translator,
                    context=invocation.context,
                    target_path=invocation.target_path,
                    project=invocation.project,
                ))
        finally:
            _stop(invocation)
    return events


def _stop(invocation: DbtCliInvocation) -> None:
    """dbt must not outlive its step when an error cuts the stream short: it would keep
    holding the warehouse file (PITFALLS 6) while the run reports and exits."""
    process = invocation.process
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=invocation.termination_timeout_seconds)
        except subprocess.TimeoutExpired:
            process.kill()
