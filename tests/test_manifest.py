"""The dbt project's parse state carried from one build to the next (`vrn.manifest`)."""

from __future__ import annotations

import subprocess
import threading
from pathlib import Path

import pytest

from vrn import manifest
from vrn.manifest import PARTIAL_PARSE, keep_partial_parse


def test_a_builds_parse_state_replaces_the_kept_one_whole(tmp_path: Path):
    kept = tmp_path / "target" / PARTIAL_PARSE.name
    kept.parent.mkdir()
    kept.write_bytes(b"parsed without --vars")
    build = tmp_path / "target" / "dbt-build-1"
    build.mkdir()
    (build / PARTIAL_PARSE.name).write_bytes(b"parsed with this run's --vars")
    assert keep_partial_parse(build, kept)
    assert kept.read_bytes() == b"parsed with this run's --vars"
    assert sorted(p.name for p in kept.parent.iterdir()) == ["dbt-build-1", PARTIAL_PARSE.name]


def test_a_build_that_stopped_before_parsing_leaves_the_kept_state(tmp_path: Path):
    kept = tmp_path / PARTIAL_PARSE.name
    kept.write_bytes(b"earlier state")
    assert not keep_partial_parse(tmp_path / "dbt-build-2", kept)
    assert kept.read_bytes() == b"earlier state"


def test_the_parse_beside_the_imports_runs_in_a_thread_and_leaves_failing_to_the_run(
        monkeypatch: pytest.MonkeyPatch):
    calls: list[str] = []
    uncaught: list[BaseException | None] = []

    def failing_parse() -> Path:
        calls.append(threading.current_thread().name)
        raise subprocess.CalledProcessError(2, ["dbt", "parse"])

    monkeypatch.setattr(manifest, "ensure_manifest", failing_parse)
    monkeypatch.setattr(threading, "excepthook", lambda args: uncaught.append(args.exc_value))
    thread = manifest.parse_beside()
    thread.join(timeout=10)
    assert not thread.is_alive()
    assert calls == ["dbt-parse"] and thread.daemon
    assert uncaught == []  # the run's own ensure_manifest parses again and raises
