"""dbt's unit tests run in `vrn run`'s build until they have all passed on the code, and
again whenever the code changes (`orchestration.dbt_unit_tests`)."""

from __future__ import annotations

import json
from pathlib import Path

from orchestration import dbt_unit_tests as ut

MANIFEST = {"unit_tests": {"unit_test.vrn.a": {}, "unit_test.vrn.b": {}}}


def _results(**status: str) -> dict:
    return {"results": [{"unique_id": "model.vrn.m", "status": "success"}]
            + [{"unique_id": f"unit_test.vrn.{name}", "status": s} for name, s in status.items()]}


def test_unit_tests_are_left_out_only_of_a_build_of_code_on_which_all_passed(tmp_path: Path):
    passed = tmp_path / "target" / "unit-tests-passed"
    assert ut.build_args("code-1", passed) == []  # never run here: they run
    assert ut.record("code-1", _results(a="pass", b="pass"), MANIFEST, passed)
    assert ut.build_args("code-1", passed) == ["--exclude-resource-type", "unit_test"]
    assert ut.build_args("code-2", passed) == []  # the code changed: they run again
    assert not list(passed.parent.glob("unit-tests-passed.*"))  # written whole, in place


def test_a_failure_or_a_unit_test_not_run_forgets_the_code(tmp_path: Path):
    passed = tmp_path / "unit-tests-passed"
    assert ut.record("code-1", _results(a="pass", b="pass"), MANIFEST, passed)
    assert not ut.record("code-1", _results(a="pass", b="fail"), MANIFEST, passed)
    assert ut.build_args("code-1", passed) == []
    ut.record("code-1", _results(a="pass", b="pass"), MANIFEST, passed)
    assert not ut.record("code-1", _results(a="pass"), MANIFEST, passed)  # b did not run
    assert not passed.exists()
    assert not ut.record("code-1", {}, MANIFEST, passed)  # dbt stopped before its results
    assert not ut.record("code-1", _results(), {"unit_tests": {}}, passed)  # none to pass


def test_the_key_changes_with_the_code_and_with_the_engine(monkeypatch):
    monkeypatch.setattr(ut, "code_digest", lambda: "a")
    first = ut.code_key()
    monkeypatch.setattr(ut, "code_digest", lambda: "b")
    assert ut.code_key() != first
    monkeypatch.setattr(ut, "code_digest", lambda: "a")
    real = ut.metadata.version
    monkeypatch.setattr(ut.metadata, "version",
                        lambda p: "0.0.1" if p == "duckdb" else real(p))
    assert ut.code_key() != first
    monkeypatch.setattr(ut.metadata, "version", real)
    assert ut.code_key() == first


def test_the_project_has_unit_tests_for_the_build_to_run():
    from vrn.manifest import ensure_manifest

    manifest = json.loads(Path(ensure_manifest()).read_text())
    assert len(manifest["unit_tests"]) >= 7
