"""Publishing partner folders (DESIGN.md "Partner exports", PITFALLS 11): whole or not at
all, one CSV per table + one workbook + manifest.json and nothing else, versioned on
re-publication, identical content left alone, the manifest true to the files."""

from __future__ import annotations

import csv
import io
import json
import shutil
from datetime import UTC, datetime
from pathlib import Path

import duckdb
import pytest
from openpyxl import load_workbook

from exports import folder as folders
from exports.publish import publish_exports, write_audit_rows
from exports.sample_warehouse import build_sample_warehouse
from exports.tables import tables_for
from exports.windows import window
from ingest.schema import create_schemas

QUARTER = "2023-24Q4"
PARTNERS = ["csp-rutland", "icb"]
T0 = datetime(2024, 7, 15, 9, 30, 0, 123456, tzinfo=UTC)
T1 = datetime(2024, 8, 1, 10, 0, 0, tzinfo=UTC)


@pytest.fixture(scope="module")
def base_warehouse(tmp_path_factory) -> Path:
    return build_sample_warehouse(tmp_path_factory.mktemp("base") / "warehouse.duckdb")


@pytest.fixture
def warehouse(base_warehouse, tmp_path) -> Path:
    path = tmp_path / "warehouse.duckdb"
    shutil.copy(base_warehouse, path)
    return path


def publish(warehouse: Path, exports: Path, now: datetime = T0, partners=PARTNERS):
    return publish_exports(warehouse, exports, partners=partners, quarters=[QUARTER], now=now)


def snapshot(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def test_partner_folder_holds_one_csv_per_table_the_workbook_and_the_manifest_only(
        warehouse, tmp_path):
    report = publish(warehouse, tmp_path / "exports")
    assert [o.outcome for o in report.outcomes] == ["published", "published"], report.lines()
    for partner, group in (("csp-rutland", "csp"), ("icb", "icb")):
        folder = tmp_path / "exports" / QUARTER / partner
        expected = {f"{t.name}.csv" for t in tables_for(group)}
        expected |= {f"{partner}_{QUARTER}.xlsx", "manifest.json"}
        assert {p.name for p in folder.iterdir()} == expected
        for t in tables_for(group):
            header = (folder / f"{t.name}.csv").read_text(encoding="utf-8").splitlines()[0]
            assert header.split(",") == list(t.columns)
    assert [p.name for p in (tmp_path / "exports" / QUARTER).iterdir()
            if p.name.startswith(".")] == []


def test_manifest_has_exactly_the_design_fields_and_true_hashes(warehouse, tmp_path):
    publish(warehouse, tmp_path / "exports")
    folder = tmp_path / "exports" / QUARTER / "icb"
    manifest = json.loads((folder / "manifest.json").read_text())
    assert list(manifest) == ["partner", "fy_quarter", "generated_at", "code_version",
                              "supersedes", "suppression", "files", "sources", "checks"]
    assert (manifest["partner"], manifest["fy_quarter"]) == ("icb", QUARTER)
    assert manifest["generated_at"] == "2024-07-15T09:30:00.123456Z"
    assert manifest["code_version"]
    assert manifest["supersedes"] is None
    for entry in manifest["files"]:
        data = (folder / entry["name"]).read_bytes()
        assert entry["sha256"] == folders.sha256(data)
        if entry["name"].endswith(".csv"):
            rows = list(csv.reader(io.StringIO(data.decode("utf-8"))))
            assert entry["rows"] == len(rows) - 1  # header excluded
        else:
            assert entry["rows"] is None
    assert {e["name"] for e in manifest["files"]} | {"manifest.json"} == {
        p.name for p in folder.iterdir()}
    for rule in manifest["suppression"]:
        assert set(rule) == {"table", "rule", "suppress_from", "suppress_to", "round_to"}
        assert (rule["suppress_from"], rule["suppress_to"], rule["round_to"]) == (1, 7, 5)
    with duckdb.connect(str(warehouse), read_only=True) as con:
        loaded = dict(con.execute(
            "SELECT file_name, sha256 FROM audit.files WHERE outcome = 'loaded' "
            "AND source = 'health'").fetchall())
    assert manifest["sources"]
    for source in manifest["sources"]:
        assert loaded[source["file_name"]] == source["sha256"]  # the loaded version only
        assert source["file_name"] <= f"health/z_{QUARTER}"  # nothing after the quarter
    names = [c["name"] for c in manifest["checks"]]
    assert "health_volume" in names and "soda_contract:assault_injury_by_area" in names
    assert all(c["passed"] for c in manifest["checks"])


def test_workbook_has_a_sheet_per_table_and_a_notes_sheet_formatted_for_people(
        warehouse, tmp_path):
    publish(warehouse, tmp_path / "exports")
    wb = load_workbook(tmp_path / "exports" / QUARTER / "csp-rutland" /
                       f"csp-rutland_{QUARTER}.xlsx")
    assert wb.sheetnames == ["notes", *[t.name for t in tables_for("csp")]]
    notes = "\n".join(str(c.value) for row in wb["notes"].iter_rows() for c in row)
    assert "ons_small_counts" in notes and "1 to 4" in notes and "[c]" in notes
    sheet = wb["sv_by_offence_group"]
    assert sheet.freeze_panes == "A2"
    assert all(cell.font.bold for cell in sheet[1])
    assert sheet.column_dimensions["A"].width >= 10


def test_republishing_identical_content_writes_nothing(warehouse, tmp_path):
    exports = tmp_path / "exports"
    publish(warehouse, exports, T0)
    before = {p: p.stat().st_mtime_ns for p in exports.rglob("*")}
    report = publish(warehouse, exports, T1)
    assert [o.outcome for o in report.outcomes] == ["unchanged", "unchanged"]
    assert {p: p.stat().st_mtime_ns for p in exports.rglob("*")} == before
    assert not (exports / QUARTER / "_previous").exists()


def _move_one_rutland_crime(warehouse: Path) -> None:
    """What a corrected re-send of the Q4 crimes file does: new file version, new rows."""
    with duckdb.connect(str(warehouse)) as con:
        con.execute("UPDATE audit.files SET sha256 = 'resent-q4-crimes' WHERE outcome = "
                    "'loaded' AND file_name = 'police/crimes_2023-24Q4.csv'")
        con.execute(
            "UPDATE marts.fct_serious_violence SET location_type = 'transport' WHERE crime_ref = ("
            "SELECT min(crime_ref) FROM marts.fct_serious_violence WHERE district_code = "
            "'E06000017' AND recorded_date >= DATE '2024-01-01' AND location_type <> 'transport')")


def test_republishing_changed_content_moves_the_previous_version_aside_and_says_why(
        warehouse, tmp_path):
    exports = tmp_path / "exports"
    publish(warehouse, exports, T0, ["csp-rutland"])
    first = snapshot(exports / QUARTER / "csp-rutland")
    _move_one_rutland_crime(warehouse)
    report = publish(warehouse, exports, T1, ["csp-rutland"])
    outcome = report.outcomes[0]
    assert outcome.outcome == "republished"
    assert "sv_by_location.csv" in outcome.reason
    assert "re-sent source files: police/crimes_2023-24Q4.csv" in outcome.reason

    previous = exports / QUARTER / "_previous" / "csp-rutland" / "2024-07-15T09-30-00.123456Z"
    assert snapshot(previous) == first  # the earlier version, whole and unchanged
    manifest = json.loads((exports / QUARTER / "csp-rutland" / "manifest.json").read_text())
    assert manifest["supersedes"] == \
        f"{QUARTER}/_previous/csp-rutland/2024-07-15T09-30-00.123456Z"
    row = report.audit_rows()[0]
    assert "sv_by_location.csv" in row["reason"]  # why it was replaced
    assert (row["outcome"], row["partner"], row["fy_quarter"]) == (
        "republished", "csp-rutland", QUARTER)
    assert "sv_by_location.csv" in row["reason"]


def test_a_failure_mid_export_leaves_no_partial_folder_and_the_earlier_one_intact(
        warehouse, tmp_path, monkeypatch):
    exports = tmp_path / "exports"
    publish(warehouse, exports, T0, ["csp-rutland"])
    first = snapshot(exports / QUARTER / "csp-rutland")
    _move_one_rutland_crime(warehouse)

    real_write, written = folders._write, []

    def dies_on_the_third_file(path: Path, data: bytes) -> None:
        if len(written) == 2:
            raise OSError("No space left on device (simulated kill)")
        written.append(path)
        real_write(path, data)

    monkeypatch.setattr(folders, "_write", dies_on_the_third_file)
    report = publish(warehouse, exports, T1, ["csp-rutland"])
    assert report.outcomes[0].outcome == "blocked"
    assert "simulated kill" in report.outcomes[0].reason
    assert snapshot(exports / QUARTER / "csp-rutland") == first
    assert sorted(p.name for p in (exports / QUARTER).iterdir()) == ["csp-rutland"]


def test_a_killed_runs_leftover_temp_folder_is_removed_at_the_next_publication(
        warehouse, tmp_path):
    exports = tmp_path / "exports"
    leftover = exports / QUARTER / f"{folders.temp_prefix('icb')}deadbeef"
    leftover.mkdir(parents=True)
    (leftover / "assault_injury_by_area.csv").write_text("period,sou")  # truncated
    publish(warehouse, exports, T0, ["icb"])
    assert not leftover.exists()
    assert (exports / QUARTER / "icb" / "manifest.json").is_file()


def test_audit_rows_fit_the_audit_exports_table(warehouse, tmp_path):
    report = publish(warehouse, tmp_path / "exports")
    with duckdb.connect(str(tmp_path / "trail.duckdb")) as con:
        create_schemas(con)
        assert write_audit_rows(con, report.audit_rows()) == 2
        rows = con.execute("SELECT partner, fy_quarter, outcome, manifest_sha256 "
                           "FROM audit.exports ORDER BY partner").fetchall()
    manifest = tmp_path / "exports" / QUARTER / "icb" / "manifest.json"
    assert rows[1] == ("icb", QUARTER, "published", folders.sha256(manifest.read_bytes()))


def test_a_quarter_export_holds_its_financial_year_to_date_and_the_rolling_12_months():
    w = window("2024-25Q3")
    assert [p.label for p in w.periods] == ["2024-25Q1", "2024-25Q2", "2024-25Q3",
                                             "12m_to_2024-25Q3"]
    assert (w.rolling.start.isoformat(), w.rolling.end.isoformat()) == (
        "2024-01-01", "2024-12-31")
    assert [m.isoformat()[:7] for m in w.months][0::11] == ["2024-01", "2024-12"]
    assert not w.rolling_is_financial_year and window("2024-25Q4").rolling_is_financial_year
    first = window("2023-24Q2", data_start=datetime(2023, 4, 1).date())
    assert [p.label for p in first.periods] == ["2023-24Q1", "2023-24Q2"]  # no partial 12m


def test_a_folder_whose_sources_code_and_rules_are_unchanged_is_not_even_rebuilt(
        warehouse, tmp_path, monkeypatch):
    import exports.publish as publish_module

    monkeypatch.setattr(publish_module, "code_version", lambda: "v1.4.0")
    exports = tmp_path / "exports"
    publish(warehouse, exports, T0, ["icb"])

    def must_not_build(*args, **kwargs):
        raise AssertionError("rebuilt although nothing it depends on changed")

    monkeypatch.setattr(publish_module, "build_partner", must_not_build)
    report = publish(warehouse, exports, T1, ["icb"])
    assert report.outcomes[0].outcome == "unchanged"
    assert "same sources" in report.outcomes[0].reason

    with duckdb.connect(str(warehouse)) as con:  # a health file re-sent: rebuild and compare
        con.execute("UPDATE audit.files SET sha256 = 'resent' WHERE outcome = 'loaded' AND "
                    "file_name = 'health/ae_assaults_2023-24Q4.csv'")
    report = publish(warehouse, exports, T1, ["icb"])
    assert report.outcomes[0].outcome == "blocked"  # it tried to rebuild (and was stopped)
    assert "rebuilt although nothing" in report.outcomes[0].reason


KILLED_PUBLISHER = """
import sys, time
from datetime import datetime, UTC
from pathlib import Path
from exports import folder as folders
from exports import publish
from exports.publish import publish_exports

# On a clean checkout the publisher skips a quarter whose inputs are unchanged; the marts
# were edited behind its back here, so make it rebuild (this test is about the kill).
publish.inputs_unchanged = lambda *args, **kwargs: False
real_write = folders._write
def slow_write(path, data):
    real_write(path, data)
    print("wrote", path.name, flush=True)
    time.sleep(30)  # the parent kills us here, mid-export
folders._write = slow_write
publish_exports(Path(sys.argv[1]), Path(sys.argv[2]), partners=["csp-rutland"],
                quarters=[sys.argv[3]], now=datetime(2024, 8, 1, tzinfo=UTC))
"""


def test_a_real_kill_mid_export_leaves_no_partial_folder_and_the_old_one_intact(
        warehouse, tmp_path):
    """SIGKILL, not an exception: no cleanup code runs, yet partners never see a partial
    folder and the earlier publication is untouched."""
    import signal
    import subprocess
    import sys

    exports = tmp_path / "exports"
    publish(warehouse, exports, T0, ["csp-rutland"])
    first = snapshot(exports / QUARTER / "csp-rutland")
    # change the data so the next publication is a real re-publication
    with duckdb.connect(str(warehouse)) as con:
        con.execute("UPDATE marts.fct_serious_violence SET location_type = 'other' "
                    "WHERE crime_ref IN (SELECT crime_ref FROM marts.fct_serious_violence "
                    "WHERE la_code = 'E06000017' AND location_type = 'dwelling' LIMIT 5)")
    child = subprocess.Popen([sys.executable, "-c", KILLED_PUBLISHER, str(warehouse),
                              str(exports), QUARTER], stdout=subprocess.PIPE, text=True)
    assert child.stdout is not None
    assert child.stdout.readline().startswith("wrote")  # mid-export now
    child.send_signal(signal.SIGKILL)
    child.wait(timeout=30)
    assert sorted(p.name for p in (exports / QUARTER).iterdir()) == ["csp-rutland"]
    assert snapshot(exports / QUARTER / "csp-rutland") == first
