"""Publishing partner folders (DESIGN.md "Partner exports", PITFALLS 11): whole or not at
all, one CSV per table + one workbook + manifest.json and nothing else, versioned on
re-publication, identical content left alone, the manifest true to the files.

The warehouse is the small generated drop (2023-24) ingested and built by dbt as `vrn run`
does (tests/support/published.py); the gates are the Great Expectations suites' verdicts
on it and every table goes through its Soda contract, as in a run.
"""

from __future__ import annotations

import csv
import io
import json
from datetime import UTC, datetime
from pathlib import Path

import duckdb
import pytest
from openpyxl import load_workbook
from support.published import gates_of, published_copy

from expectations.soda_contracts import verify_exports
from exports import folder as folders
from exports.gates import Gate
from exports.publish import ExportReport, publish_exports, write_audit_rows
from ingest.schema import create_schemas
from vrn.manifest import ensure_manifest

pytestmark = pytest.mark.slow

QUARTER = "2023-24Q4"
QUARTERS = ["2023-24Q1", "2023-24Q2", "2023-24Q3", "2023-24Q4"]
PARTNERS = ["csp-rutland", "icb"]
T0 = datetime(2024, 7, 15, 9, 30, 0, 123456, tzinfo=UTC)
T1 = datetime(2024, 8, 1, 10, 0, 0, tzinfo=UTC)
RESENT = "police/crimes_2023-24Q4.csv"


@pytest.fixture(scope="module")
def gates(published_base) -> list[Gate]:
    """The suites' verdicts on the clean warehouse (the tests below change only what the
    gates do not read: `publish` rows and the audit trail)."""
    return gates_of(published_base)


@pytest.fixture
def publish(catalog, gates):
    def run(warehouse: Path, exports: Path, now: datetime = T0,
            partners: list[str] = PARTNERS, quarters: list[str] | None = None,
            run_id: str | None = None) -> ExportReport:
        report = publish_exports(warehouse, exports, catalog, gates=gates,
                                 verify=verify_exports, partners=partners,
                                 quarters=[QUARTER] if quarters is None else quarters,
                                 now=now, run_id=run_id)
        # Recorded in audit.exports, as a run records it: a folder the audit trail does
        # not know is taken for one a killed run wrote (`publish_one`).
        with duckdb.connect(str(warehouse)) as con:
            create_schemas(con)
            write_audit_rows(con, report.audit_rows())
        return report
    return run


def snapshot(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def csv_rows(data: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(data.decode("utf-8"))))


def test_partner_folder_holds_its_csvs_workbook_manifest_and_profile_only(
        warehouse, tmp_path, publish, catalog):
    """DESIGN.md: one CSV per table, the workbook and the manifest; CSP partners and opcc
    also their profile (profile.html, profile.pdf); nothing else."""
    report = publish(warehouse, tmp_path / "exports")
    assert [o.outcome for o in report.outcomes] == ["published", "published"], [
        o.reason for o in report.outcomes]
    for name in PARTNERS:
        partner = catalog.partner(name)
        folder = tmp_path / "exports" / QUARTER / name
        expected = {f"{t.name}.csv" for t in partner.tables}
        expected |= {f"{name}_{QUARTER}.xlsx", "manifest.json"}
        if name.startswith("csp-") or name == "opcc":
            expected |= {"profile.html", "profile.pdf"}
        assert {p.name for p in folder.iterdir()} == expected
        for t in partner.tables:
            header = (folder / f"{t.name}.csv").read_text(encoding="utf-8").splitlines()[0]
            assert header.split(",") == list(t.columns)
    # nothing else in the quarter's folder either (no temporary or hidden folder)
    assert {p.name for p in (tmp_path / "exports" / QUARTER).iterdir()} == set(PARTNERS)


def test_manifest_has_exactly_the_design_fields_and_true_hashes(
        warehouse, tmp_path, publish, catalog):
    publish(warehouse, tmp_path / "exports")
    folder = tmp_path / "exports" / QUARTER / "icb"
    manifest = json.loads((folder / "manifest.json").read_text())
    assert list(manifest) == ["partner", "fy_quarter", "generated_at", "code_version",
                              "supersedes", "suppression", "files", "sources", "missing",
                              "checks"]
    assert (manifest["partner"], manifest["fy_quarter"]) == ("icb", QUARTER)
    assert manifest["generated_at"] == "2024-07-15T09:30:00.123456Z"
    assert manifest["code_version"]
    assert manifest["supersedes"] is None
    assert manifest["missing"] == []

    with duckdb.connect(str(warehouse), read_only=True) as con:
        reads = {}
        for model, read in con.execute(
                "SELECT model_name, source || '/' || entity FROM "
                "intermediate.int_publish__reads ORDER BY 1, 2").fetchall():
            reads.setdefault(model, []).append(read)
        loaded = con.execute(
            "SELECT file_name, sha256 FROM audit.files WHERE outcome = 'loaded' "
            "AND source || '/' || entity IN ('health/ae_assaults', 'health/assault_admissions', "
            "'health/ambulance_assaults') ORDER BY file_name").fetchall()
    tables = {f"{t.name}.csv": t for t in catalog.partner("icb").tables}
    for entry in manifest["files"]:
        assert set(entry) == {"name", "rows", "sha256", "reads"}
        data = (folder / entry["name"]).read_bytes()
        assert entry["sha256"] == folders.sha256(data)
        if entry["name"].endswith(".csv"):
            assert entry["rows"] == len(csv_rows(data)) - 1  # header excluded
            assert entry["reads"] == reads[tables[entry["name"]].model]
        else:
            assert (entry["rows"], entry["reads"]) == (None, [])
    assert {e["name"] for e in manifest["files"]} | {"manifest.json"} == {
        p.name for p in folder.iterdir()}

    assert [r["table"] for r in manifest["suppression"]] == [
        t.name for t in catalog.partner("icb").tables]
    for rule in manifest["suppression"]:
        assert set(rule) == {"table", "rule", "suppress_from", "suppress_to", "round_to"}
        assert (rule["rule"], rule["suppress_from"], rule["suppress_to"],
                rule["round_to"]) == ("nhs_digital_small_numbers", 1, 7, 5)

    # The loaded version of every health file the Q4 window draws on (2023-24 Q1 to Q4),
    # with the hash the ingest recorded, and nothing else.
    assert [(s["file_name"], s["sha256"]) for s in manifest["sources"]] == loaded
    assert len(loaded) == 12

    names = [c["name"] for c in manifest["checks"]]
    assert "health_volume" in names and "soda_contract:assault_injury_by_area" in names
    assert "icv_volume" not in names  # a gate on a source the ICB's tables do not read
    assert all(set(c) == {"name", "passed", "detail"} and c["passed"]
               for c in manifest["checks"])


def test_workbook_has_cover_contents_notes_and_a_sheet_per_table_formatted_for_people(
        warehouse, tmp_path, publish, catalog):
    """GSS layout (the details are in tests/test_workbook.py): the same protected figures
    as the CSVs, each table's header row the plain-English labels."""
    from test_workbook import expected_rows, table_rows

    publish(warehouse, tmp_path / "exports")
    folder = tmp_path / "exports" / QUARTER / "csp-rutland"
    wb = load_workbook(folder / f"csp-rutland_{QUARTER}.xlsx")
    tables = [t.name for t in catalog.partner("csp-rutland").tables]
    assert wb.sheetnames == ["cover", "contents", "notes", *tables]
    notes = "\n".join(str(c.value) for row in wb["notes"].iter_rows() for c in row)
    assert "1 to 4" in notes and "[c]" in notes
    for t in catalog.partner("csp-rutland").tables:  # the same (protected) figures
        file_rows = csv_rows((folder / f"{t.name}.csv").read_bytes())
        assert table_rows(wb[t.name]) == expected_rows(t, file_rows), t.name


def test_republishing_identical_content_writes_nothing(warehouse, tmp_path, publish,
                                                       monkeypatch):
    exports = tmp_path / "exports"
    publish(warehouse, exports, T0)
    before = {p: p.stat().st_mtime_ns for p in exports.rglob("*")}

    def no_render(*_: object) -> dict:
        raise AssertionError("the profile was drawn again although nothing it shows changed")

    # The profile is taken from the folder when every table it is drawn from is unchanged.
    monkeypatch.setattr("exports.profiles.render_profile_files", no_render)
    report = publish(warehouse, exports, T1)
    assert [o.outcome for o in report.outcomes] == ["unchanged", "unchanged"]
    assert {p: p.stat().st_mtime_ns for p in exports.rglob("*")} == before
    assert not (exports / QUARTER / "_previous").exists()


def _publish_and_record(publish, warehouse: Path, exports: Path,
                        now: datetime) -> ExportReport:
    """Publish, then record the outcomes in `audit.exports`, as a run does."""
    return publish(warehouse, exports, now)


def test_an_export_made_from_the_same_inputs_is_not_built_again(warehouse, tmp_path, publish,
                                                                 monkeypatch):
    exports = tmp_path / "exports"
    first = _publish_and_record(publish, warehouse, exports, T0)
    assert all(o.inputs_sha256 for o in first.outcomes)
    before = {p: p.stat().st_mtime_ns for p in exports.rglob("*")}

    def no_build(*_: object) -> None:
        raise AssertionError("built again although nothing it is made from changed")

    monkeypatch.setattr("exports.publish.build", no_build)
    second = _publish_and_record(publish, warehouse, exports, T1)
    assert [o.outcome for o in second.outcomes] == ["unchanged", "unchanged"]
    assert all("nothing built or written" in o.reason for o in second.outcomes)
    assert [o.inputs_sha256 for o in second.outcomes] == [o.inputs_sha256 for o in first.outcomes]
    assert [o.manifest_sha256 for o in second.outcomes] == \
        [o.manifest_sha256 for o in first.outcomes]
    assert {p: p.stat().st_mtime_ns for p in exports.rglob("*")} == before


def test_an_export_is_built_again_when_its_folder_was_altered_or_its_rows_changed(
        warehouse, tmp_path, publish):
    exports = tmp_path / "exports"
    first = {o.partner: o for o in _publish_and_record(publish, warehouse, exports, T0).outcomes}
    (exports / QUARTER / "icb" / "manifest.json").unlink()  # someone tidied the folder
    _move_one_rutland_crime(warehouse)
    second = {o.partner: o for o in _publish_and_record(publish, warehouse, exports, T1).outcomes}
    # The icb's rows are the same, but its folder is not as published: it is written again.
    assert second["icb"].inputs_sha256 == first["icb"].inputs_sha256
    assert second["icb"].outcome in ("published", "republished")
    assert (exports / QUARTER / "icb" / "manifest.json").is_file()
    # Rutland's rows changed: built, and republished.
    assert second["csp-rutland"].inputs_sha256 != first["csp-rutland"].inputs_sha256
    assert second["csp-rutland"].outcome == "republished"


def _move_one_rutland_crime(warehouse: Path, to: str = "other") -> None:
    """What a corrected re-send of the Q4 crimes file does: a new version of the file,
    and one Rutland crime of Q4 now at another kind of location (its Q4 row and the
    rolling 12 months, which are the financial year at Q4, both move)."""
    with duckdb.connect(str(warehouse)) as con:
        con.execute("UPDATE audit.files SET sha256 = 'resent-q4-crimes' WHERE outcome = "
                    "'loaded' AND file_name = ?", [RESENT])
        moved = con.execute(
            "UPDATE publish.pub_sv_by_location SET offences = offences + "
            "CASE location_type WHEN 'dwelling' THEN -1 ELSE 1 END "
            "WHERE export_quarter = ? AND partner = 'csp-rutland' "
            "AND period IN (?, ?) AND location_type IN ('dwelling', ?)",
            [QUARTER, QUARTER, f"12m_to_{QUARTER}", to]).fetchone()
    assert moved == (4,)


def test_republishing_changed_content_moves_the_previous_version_aside_and_says_why(
        warehouse, tmp_path, publish):
    exports = tmp_path / "exports"
    publish(warehouse, exports, T0)
    first = snapshot(exports / QUARTER / "csp-rutland")
    icb = snapshot(exports / QUARTER / "icb")
    _move_one_rutland_crime(warehouse)
    report = publish(warehouse, exports, T1)
    outcome = {o.partner: o for o in report.outcomes}
    assert outcome["icb"].outcome == "unchanged"
    assert snapshot(exports / QUARTER / "icb") == icb
    rutland = outcome["csp-rutland"]
    assert rutland.outcome == "republished"
    assert "changed: " in rutland.reason and "sv_by_location.csv" in rutland.reason
    assert "sv_by_area.csv" not in rutland.reason  # only what changed is named
    assert f"re-sent source files: {RESENT}" in rutland.reason

    previous = exports / QUARTER / "_previous" / "csp-rutland" / "2024-07-15T09-30-00.123456Z"
    assert snapshot(previous) == first  # the earlier version, whole and unchanged
    manifest = json.loads((exports / QUARTER / "csp-rutland" / "manifest.json").read_text())
    assert manifest["supersedes"] == \
        f"{QUARTER}/_previous/csp-rutland/2024-07-15T09-30-00.123456Z"
    assert manifest["generated_at"] == "2024-08-01T10:00:00.000000Z"
    row = next(r for r in report.audit_rows() if r["partner"] == "csp-rutland")
    assert (row["outcome"], row["fy_quarter"]) == ("republished", QUARTER)
    assert "sv_by_location.csv" in row["reason"]  # why it was replaced


def _cover_text(folder: Path) -> str:
    wb = load_workbook(next(folder.glob("*.xlsx")), read_only=True)
    return " ".join(str(c) for row in wb["cover"].iter_rows(values_only=True)
                    for c in row if c is not None)


def test_the_cover_says_what_changed_since_the_version_with_different_figures(
        warehouse, tmp_path, publish):
    exports = tmp_path / "exports"
    publish(warehouse, exports, T0)
    folder = exports / QUARTER / "csp-rutland"
    assert "first version of this quarter's figures" in _cover_text(folder)
    _move_one_rutland_crime(warehouse)
    publish(warehouse, exports, T1)
    said = _cover_text(folder)
    assert "replaces the one published on 15 July 2024 at 09:30 UTC" in said
    assert "Figures changed in: " in said and "(sv_by_location.csv)" in said
    assert "(sv_by_area.csv)" not in said  # only what changed is named
    assert f"Partner files sent again since then: {RESENT}" in said
    # The same figures again: the cover still says the same, so nothing is rewritten.
    third = publish(warehouse, exports, datetime(2024, 9, 1, tzinfo=UTC))
    assert {o.partner: o.outcome for o in third.outcomes}["csp-rutland"] == "unchanged"


def test_a_failure_mid_export_leaves_no_partial_folder_and_the_earlier_one_intact(
        warehouse, tmp_path, publish, monkeypatch):
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
    assert not any(folders.staging_dir(exports, QUARTER).iterdir())


def test_a_killed_runs_leftover_temp_folder_is_removed_at_the_next_publication(
        warehouse, tmp_path, publish):
    exports = tmp_path / "exports"
    leftovers = [exports / QUARTER / f"{folders.temp_prefix('icb')}deadbeef",
                 folders.staging_dir(exports, QUARTER) / f"{folders.temp_prefix('icb')}cafe"]
    for leftover in leftovers:
        leftover.mkdir(parents=True)
        (leftover / "assault_injury_by_area.csv").write_text("period,sou")  # truncated
    publish(warehouse, exports, T0, ["icb"])
    assert not any(leftover.exists() for leftover in leftovers)
    assert (exports / QUARTER / "icb" / "manifest.json").is_file()
    assert sorted(p.name for p in (exports / QUARTER).iterdir()) == ["icb"]


def test_audit_rows_fit_the_audit_exports_table(warehouse, tmp_path, publish):
    report = publish(warehouse, tmp_path / "exports", run_id="run-0001")
    with duckdb.connect(str(tmp_path / "trail.duckdb")) as con:
        create_schemas(con)
        assert write_audit_rows(con, report.audit_rows()) == 2
        rows = con.execute("SELECT partner, fy_quarter, folder, outcome, manifest_sha256, "
                           "run_id, published_at FROM audit.exports ORDER BY partner").fetchall()
    manifest = tmp_path / "exports" / QUARTER / "icb" / "manifest.json"
    assert rows[1][:6] == ("icb", QUARTER, str(manifest.parent), "published",
                           folders.sha256(manifest.read_bytes()), "run-0001")
    assert rows[1][6] == T0.replace(tzinfo=None)


def test_a_quarter_export_holds_its_financial_year_to_date_and_the_rolling_12_months(
        warehouse, tmp_path, publish):
    """The windows are dbt's (int_publish__windows, with unit tests); the published files
    hold them: Q1 up to the export quarter, and the rolling 12 months once the data
    reach back 12 months (here only at Q4, where they are the financial year)."""
    exports = tmp_path / "exports"
    report = publish(warehouse, exports, partners=["icb"], quarters=QUARTERS)
    assert {o.outcome for o in report.outcomes} == {"published"}
    for i, q in enumerate(QUARTERS):
        rows = csv_rows((exports / q / "icb" / "assault_injury_by_area.csv").read_bytes())
        header, data = rows[0], rows[1:]
        spans = {tuple(r[header.index(c)] for c in ("period", "period_start", "period_end"))
                 for r in data}
        expected = {(p, s, e) for p, s, e in (
            ("2023-24Q1", "2023-04-01", "2023-06-30"), ("2023-24Q2", "2023-07-01", "2023-09-30"),
            ("2023-24Q3", "2023-10-01", "2023-12-31"), ("2023-24Q4", "2024-01-01", "2024-03-31"),
        )[:i + 1]}
        if q == "2023-24Q4":
            expected.add(("12m_to_2023-24Q4", "2023-04-01", "2024-03-31"))
        assert spans == expected, q


KILLED_PUBLISHER = """
import sys, time
from datetime import datetime, UTC
from pathlib import Path
from exports import folder as folders
from exports.catalog import load_catalog
from exports.publish import publish_exports

real_write = folders._write
def slow_write(path, data):
    real_write(path, data)
    print("wrote", path.name, flush=True)
    time.sleep(30)  # the parent kills us here, mid-export
folders._write = slow_write
publish_exports(Path(sys.argv[1]), Path(sys.argv[2]), load_catalog(Path(sys.argv[4])),
                partners=["csp-rutland"], quarters=[sys.argv[3]],
                now=datetime(2024, 8, 1, tzinfo=UTC))
"""


def test_a_real_kill_mid_export_leaves_no_partial_folder_and_the_old_one_intact(
        warehouse, tmp_path, publish):
    """SIGKILL, not an exception: no cleanup code runs, yet partners never see a partial
    folder and the earlier publication is untouched."""
    import signal
    import subprocess
    import sys

    exports = tmp_path / "exports"
    publish(warehouse, exports, T0, ["csp-rutland"])
    first = snapshot(exports / QUARTER / "csp-rutland")
    _move_one_rutland_crime(warehouse)  # so the next publication is a real re-publication
    child = subprocess.Popen([sys.executable, "-c", KILLED_PUBLISHER, str(warehouse),
                              str(exports), QUARTER, str(ensure_manifest())],
                             stdout=subprocess.PIPE, text=True)
    try:
        assert child.stdout is not None
        assert child.stdout.readline().startswith("wrote")  # mid-export now
    finally:
        child.send_signal(signal.SIGKILL)
        child.wait(timeout=30)
    assert sorted(p.name for p in (exports / QUARTER).iterdir()) == ["csp-rutland"]
    assert snapshot(exports / QUARTER / "csp-rutland") == first


def test_a_folder_a_killed_run_wrote_but_never_recorded_is_recorded_as_published(
        warehouse, tmp_path, publish, catalog, gates):
    exports = tmp_path / "exports"
    # Written, then the run died before recording it in audit.exports and audit.access.
    publish_exports(warehouse, exports, catalog, gates=gates, verify=verify_exports,
                    partners=PARTNERS, quarters=[QUARTER], now=T0)
    before = {p: p.stat().st_mtime_ns for p in exports.rglob("*")}
    report = publish(warehouse, exports, T1)
    assert [o.outcome for o in report.outcomes] == ["published", "published"]
    assert all("stopped before it could record it" in o.reason for o in report.outcomes)
    assert {p: p.stat().st_mtime_ns for p in exports.rglob("*")} == before  # not rewritten
    with duckdb.connect(str(warehouse), read_only=True) as con:
        logged = con.execute("SELECT detail FROM audit.access WHERE action = 'publish' "
                             "ORDER BY detail").fetchall()
    assert [d for (d,) in logged] == sorted(str(exports / QUARTER / p) for p in PARTNERS)
    assert [o.outcome for o in publish(warehouse, exports, T1).outcomes] == [
        "unchanged", "unchanged"]  # recorded once


def test_quarters_verified_together_give_the_folders_each_gives_alone(
        published_base, warehouse, tmp_path, publish):
    """One partner's quarters go through their Soda contracts together: each folder, its
    manifest's verdicts included, is what publishing that quarter by itself writes."""
    quarters = QUARTERS[:3]
    together = publish(warehouse, tmp_path / "together", partners=["csp-rutland"],
                       quarters=quarters)
    assert [o.outcome for o in together.outcomes] == ["published"] * 3
    for q in quarters:
        alone = published_copy(published_base, tmp_path / f"alone-{q}")
        publish(alone, tmp_path / f"alone-{q}" / "exports", partners=["csp-rutland"],
                quarters=[q])
        assert snapshot(tmp_path / "together" / q) == snapshot(
            tmp_path / f"alone-{q}" / "exports" / q)


def test_an_export_whose_contracts_cannot_run_holds_back_only_itself(
        warehouse, tmp_path, catalog, gates):
    seen = []

    def verify(folders):
        seen.append([f.fy_quarter for f in folders])
        if any(f.fy_quarter == QUARTERS[1] for f in folders):
            raise RuntimeError("no contract")
        return verify_exports(folders)

    report = publish_exports(warehouse, tmp_path / "exports", catalog, gates=gates,
                             verify=verify, partners=["csp-rutland"], quarters=QUARTERS[:3],
                             now=T0)
    assert [o.outcome for o in report.outcomes] == ["published", "blocked", "published"]
    assert ("soda_contracts could not run: RuntimeError: no contract"
            in report.outcomes[1].reason)
    # all three together first; that failing, each by itself
    assert seen == [QUARTERS[:3], [QUARTERS[0]], [QUARTERS[1]], [QUARTERS[2]]]
    assert not (tmp_path / "exports" / QUARTERS[1] / "csp-rutland").exists()
