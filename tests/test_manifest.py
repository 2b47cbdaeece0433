"""The dbt project's parse state carried from one build to the next (`vrn.manifest`)."""

from __future__ import annotations

from pathlib import Path

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
