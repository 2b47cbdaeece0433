"""What of dbt's output reaches the `vrn run` console: its summary line and every error or
warning with its text; the rest (a START and a result line per node) goes to the run's
dbt log file. dbt's events here are as its JSON log writes them (`DBT_LOG_FORMAT=json`)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from orchestration.dbt_console import ConsoleLine, build_quietly, console_line, dbt_log_path
from vrn.manifest import dbt_executable
from vrn.reference import DBT_PROJECT_DIR


def dbt_event(name: str, level: str, msg: str) -> dict[str, Any]:
    return {"info": {"name": name, "level": level, "msg": msg}, "data": {}}


SUMMARY = dbt_event("StatsLine", "info", "Done. PASS=429 WARN=0 ERROR=2 SKIP=3 NO-OP=0 TOTAL=434")
START = dbt_event("LogStartLine", "info", "1 of 3 START sql table model marts.fct_rasso [RUN]")
PASSED = dbt_event("LogTestResult", "info", "2 of 3 PASS not_null_fct_rasso_crime_ref [PASS]")
FAILED_TEST = dbt_event("LogTestResult", "error", "3 of 3 FAIL 2 unique_fct_rasso_crime_ref "
                                                  "[FAIL 2 in 0.02s]")
FAILURE_IN = dbt_event("RunResultFailure", "error", "Failure in model fct_rasso "
                                                    "(models/marts/rasso/fct_rasso.sql)")
ERROR_TEXT = dbt_event("RunResultError", "error", "  Runtime Error in model fct_rasso\n"
                                                  "  Binder Error: column x not found")
WARNED = dbt_event("LogTestResult", "warn", "4 of 4 WARN 1 accepted_values_x [WARN 1]")


def test_dbt_summary_line_reaches_the_console() -> None:
    assert console_line(SUMMARY) == ConsoleLine(
        "info", "dbt: Done. PASS=429 WARN=0 ERROR=2 SKIP=3 NO-OP=0 TOTAL=434")


def test_failed_model_or_test_reaches_the_console_by_name_with_its_error_text() -> None:
    assert console_line(FAILED_TEST) == ConsoleLine("error", FAILED_TEST["info"]["msg"])
    assert console_line(FAILURE_IN).text.startswith("Failure in model fct_rasso")
    assert "Binder Error: column x not found" in console_line(ERROR_TEXT).text
    assert console_line(WARNED) == ConsoleLine("warning", WARNED["info"]["msg"])


def test_start_and_pass_lines_stay_out_of_the_console() -> None:
    assert console_line(START) is None
    assert console_line(PASSED) is None
    assert console_line(dbt_event("Formatting", "info", "")) is None


def test_dbt_log_file_is_named_after_the_run() -> None:
    assert dbt_log_path(Path("/w/logs"), "6d81c29d") == Path("/w/logs/dbt-6d81c29d.log")


class _Event:
    def __init__(self, raw_event: dict[str, Any]) -> None:
        self.raw_event = raw_event

    def to_default_asset_events(self, **_: Any) -> list[str]:
        return [f"dagster event for {self.raw_event['info']['msg'][:12]}"]


class _Process:
    def poll(self) -> int:
        return 0


class FakeInvocation:
    """What `build_quietly` uses of dagster-dbt's `DbtCliInvocation`: it prints each dbt
    line to `sys.stdout` as it yields the event, as dagster-dbt does."""

    dagster_dbt_translator = context = target_path = project = None
    termination_timeout_seconds = 1.0

    def __init__(self, events: list[dict[str, Any]]) -> None:
        self.events = events
        self.manifest: dict[str, Any] = {}
        self.process = _Process()

    def stream_raw_events(self) -> Iterator[_Event]:
        for raw in self.events:
            sys.stdout.write(raw["info"]["msg"] + "\n")
            yield _Event(raw)


class RecordingLog:
    def __init__(self) -> None:
        self.lines: list[tuple[str, str]] = []

    def info(self, text: str) -> None:
        self.lines.append(("info", text))

    def warning(self, text: str) -> None:
        self.lines.append(("warning", text))

    def error(self, text: str) -> None:
        self.lines.append(("error", text))


def test_dbt_lines_go_to_the_log_file_and_only_summary_and_failures_to_the_console(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    log_path = tmp_path / "logs" / "dbt-run.log"
    log = RecordingLog()
    events = build_quietly(FakeInvocation([START, PASSED, FAILED_TEST, SUMMARY]), log_path, log)
    assert capsys.readouterr().out == ""
    assert "1 of 3 START sql table model marts.fct_rasso" in log_path.read_text()
    assert "Done. PASS=429" in log_path.read_text()
    assert [level for level, _ in log.lines] == ["error", "info"]
    assert len(events) == 4  # every Dagster event, in dbt's order


def _dbt_debug(tmp_path: Path, name: str, **env: str) -> Path:
    """`dbt debug` on the project as dagster-dbt starts dbt (JSON lines, logs and target in
    a folder of the invocation's own); the folder."""
    folder = tmp_path / name
    environ = {k: v for k, v in os.environ.items() if k != "DBT_LOG_LEVEL_FILE"}
    environ.update(DBT_LOG_FORMAT="json", DBT_LOG_PATH=str(folder), DBT_TARGET_PATH=str(folder),
                   DBT_SEND_ANONYMOUS_USAGE_STATS="false", **env)
    subprocess.run(
        [dbt_executable(), "debug", "--project-dir", str(DBT_PROJECT_DIR), "--profiles-dir",
         str(DBT_PROJECT_DIR), "--vars", json.dumps({"warehouse": str(tmp_path / "w.duckdb")})],
        env=environ, check=True, capture_output=True, cwd=tmp_path)
    return folder


def test_dbt_keeps_no_debug_log_of_its_own_unless_asked(tmp_path: Path) -> None:
    """The run's log file has dbt's lines; dbt's own debug log (about 25 MB a build, 8% of
    its CPU) is written only when an engineer asks for it with DBT_LOG_LEVEL_FILE."""
    assert not (_dbt_debug(tmp_path, "run") / "dbt.log").exists()
    asked = _dbt_debug(tmp_path, "asked", DBT_LOG_LEVEL_FILE="debug") / "dbt.log"
    assert '"level": "debug"' in asked.read_text()
