"""A generated partner drop end to end through ingest: with no defects nothing is
quarantined or rejected; with defects the quarantine matches the generator's truth
(`<out>.truth/defects.json`) per file and reason, and the corrected re-sends load."""

from __future__ import annotations

import json
import shutil
from collections import Counter, defaultdict
from datetime import date
from pathlib import Path

import duckdb
import pytest

from ingest.load import ingest_landing
from ingest.status import ingest_status

generate_module = pytest.importorskip("synthetic.generate")

START, END = date(2023, 4, 1), date(2024, 3, 31)


def generated(tmp: Path, defects: float) -> tuple[Path, Path]:
    out = tmp / "landing"
    generate_module.generate(out, seed=42, scale=0.05, start=START, end=END, defects=defects)
    return out, out.with_name(out.name + ".truth")


def quarantine_counts(con) -> dict[str, dict[str, int]]:
    out: dict[str, dict[str, int]] = defaultdict(dict)
    for file_name, reason, n in con.execute(
            "SELECT file_name, reason_code, count(*) FROM quarantine.rows GROUP BY ALL"
    ).fetchall():
        out[file_name][reason] = n
    return {k: dict(sorted(v.items())) for k, v in sorted(out.items())}


@pytest.fixture(scope="module")
def clean(tmp_path_factory):
    landing, _ = generated(tmp_path_factory.mktemp("clean"), 0.0)
    con = duckdb.connect()
    report = ingest_landing(con, landing)
    yield con, report
    con.close()


@pytest.fixture(scope="module")
def defective(tmp_path_factory):
    landing, truth = generated(tmp_path_factory.mktemp("defective"), 0.02)
    con = duckdb.connect()
    report = ingest_landing(con, landing)
    yield con, report, landing, json.loads((truth / "defects.json").read_text()), truth
    con.close()


def test_a_clean_drop_quarantines_and_rejects_nothing(clean) -> None:
    con, report = clean
    assert [f.describe() for f in report.rejected] == []
    assert quarantine_counts(con) == {}
    assert report.rows_loaded > 0
    loaded = {f.file_name.split("/")[0] for f in report.loaded}
    assert loaded >= {"police", "opcc", "health", "la", "commissioning", "policeuk"}


def test_defects_are_quarantined_exactly_as_the_truth_says(defective) -> None:
    con, _, _, truth, _ = defective
    expected = {k: dict(sorted(v.items())) for k, v in
                sorted(truth["row_defects_by_file"].items()) if v}
    assert quarantine_counts(con) == expected


def test_whole_file_defects_are_rejected(defective) -> None:
    _, report, _, truth, _ = defective
    rejected = {f.file_name for f in report.rejected}
    assert rejected == {d["file"] for d in truth["file_defects"]}
    kinds = Counter(d["kind"] for d in truth["file_defects"])
    assert set(kinds) <= {"raw_identifier", "bad_header", "failed_return"}


def test_orphan_rows_wait_for_their_crime_as_the_truth_says(defective) -> None:
    con, _, _, truth, _ = defective
    waiting = ingest_status(con)["waiting"]
    assert waiting["crime_people"] + waiting["outcomes"] == truth.get("orphans_total", 0)


def test_corrected_resends_replace_the_earlier_versions(defective) -> None:
    con, _, landing, truth, truth_dir = defective
    waiting_before = sum(ingest_status(con)["waiting"].values())
    for resend in truth["resends"]:
        shutil.copyfile(truth_dir / "resends" / resend["file"], landing / resend["file"])
    report = ingest_landing(con, landing)
    resent = {r["file"] for r in truth["resends"]}
    assert {f.file_name for f in report.loaded} == resent
    assert all(f.supersedes for f in report.loaded)
    assert {f.file_name for f in report.unchanged} == {f.file_name for f in report.files} - resent
    current = dict(con.execute(
        "SELECT file_name, outcome FROM audit.files WHERE outcome <> 'superseded'").fetchall())
    assert all(current[name] == "loaded" for name in resent)
    # The quarantined rows of a re-sent file are its new version's, and orphans resolve.
    change = sum(r.get("orphans_created", 0) - r.get("orphans_resolved", 0)
                 for r in truth["resends"])
    assert sum(ingest_status(con)["waiting"].values()) == waiting_before + change
