"""The run's dbt resource (`orchestration.dbt_assets.WarehouseDbtCli`): what it does before a
build besides starting dbt."""

from __future__ import annotations

import sys
from importlib import metadata
from pathlib import Path

import pytest

from orchestration import dbt_assets


def _no_process(args, *rest, **kwargs):
    raise AssertionError(f"started a process: {args}")


def test_the_dbt_version_is_read_without_starting_dbt(monkeypatch: pytest.MonkeyPatch) -> None:
    """dagster-dbt runs `dbt --version` before a build: a process importing dbt, which then
    asks PyPI for its latest release. The launcher runs this virtualenv's dbt, whose
    version its package metadata gives."""
    monkeypatch.setattr("dagster_dbt.core.resource.check_output", _no_process)
    resource = dbt_assets.dbt_resource()
    assert Path(dbt_assets.dbt_executable()).parent == Path(sys.executable).parent
    assert str(resource._cli_version) == metadata.version("dbt-core")
    assert resource._cli_version.major == 1  # dbt-core, not the Fusion engine


def test_a_dbt_found_elsewhere_is_asked_its_version(monkeypatch: pytest.MonkeyPatch) -> None:
    asked = []

    def version_output(args, *rest, **kwargs):
        asked.append(list(args))
        return b"Core:\n  - installed: 1.10.7\n"

    monkeypatch.setattr("dagster_dbt.core.resource.check_output", version_output)
    resource = dbt_assets.dbt_resource()  # its launcher written for this virtualenv's dbt
    monkeypatch.setattr(dbt_assets, "dbt_executable", lambda: "/opt/elsewhere/bin/dbt")
    assert str(resource._cli_version) == "1.10.7"
    assert asked == [[resource.dbt_executable, "--version"]]
