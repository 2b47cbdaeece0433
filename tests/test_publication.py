"""Publication per source and quarter (DESIGN.md "Partner exports", "Quality gates"):
known-missing data shown as `[x]`, a plausibility failure holding back exactly the
partner × quarter exports that read the failing extract in a window holding the failing
quarter, and nothing changing when nothing is new.

The warehouse is the small generated drop (2023-24, four quarters) ingested and built by
dbt as `vrn run` does; the gates are the Great Expectations suites run as the Dagster
checks run them, once, and handed to the publisher as their verdicts.
"""

from __future__ import annotations

import csv
import io
import json
import shutil
from datetime import UTC, datetime
from pathlib import Path

import duckdb
import pytest
from support.published import gates_of, rebuild, reject_file

from expectations.soda_contracts import verify_exports
from exports.publish import ExportReport, publish_exports, write_audit_rows
from ingest.schema import create_schemas

pytestmark = pytest.mark.slow

QUARTERS = ["2023-24Q1", "2023-24Q2", "2023-24Q3", "2023-24Q4"]
T0 = datetime(2024, 7, 15, 9, 30, tzinfo=UTC)
T1 = datetime(2024, 8, 1, 10, 0, tzinfo=UTC)
ICV_Q2 = "opcc/icv_visits_2023-24Q2.csv"


def publish(warehouse: Path, exports: Path, catalog, now: datetime = T0,
            partners: list[str] | None = None) -> ExportReport:
    return publish_exports(warehouse, exports, catalog, gates=gates_of(warehouse),
                           verify=verify_exports, partners=partners, now=now)


@pytest.fixture(scope="module")
def clean_publication(published_base, catalog, tmp_path_factory) -> tuple[Path, ExportReport]:
    """Every partner's every quarter published at T0 from the clean warehouse, once:
    tests that start from it copy the folder (`published_from_clean`)."""
    exports = tmp_path_factory.mktemp("clean_publication") / "exports"
    return exports, publish(published_base, exports, catalog, T0)


def published_from_clean(clean_publication, tmp_path: Path) -> Path:
    exports = tmp_path / "exports"
    shutil.copytree(clean_publication[0], exports, copy_function=shutil.copy2)
    return exports


def rows(path: Path) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(path.read_text(encoding="utf-8"))))


def tree(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes()
            for p in sorted(root.rglob("*")) if p.is_file()}


def test_a_clean_drop_publishes_every_partner_every_quarter_with_nothing_missing(
        clean_publication, catalog):
    exports, report = clean_publication
    assert report.quarters == QUARTERS
    assert {o.outcome for o in report.outcomes} == {"published"}, [
        o.reason for o in report.blocked]
    assert len(report.outcomes) == len(catalog.partners) * len(QUARTERS)
    manifest = json.loads((exports / "2023-24Q4" / "opcc" / "manifest.json").read_text())
    assert manifest["missing"] == []
    reads = {f["name"]: f["reads"] for f in manifest["files"]}
    assert reads["icv_visits.csv"] == ["opcc/icv_visits"]
    assert reads["custody_detentions.csv"] == ["police/custody"]
    assert set(reads["rasso_outcomes.csv"]) == {"police/crimes", "police/crime_people",
                                                "police/outcomes"}
    assert reads["opcc_2023-24Q4.xlsx"] == []


def test_a_rejected_file_in_an_old_quarter_shows_x_where_it_belongs_and_all_else_publishes(
        warehouse, tmp_path, catalog):
    reject_file(warehouse, ICV_Q2, "the header does not match the spec (missing visit_ref)")
    rebuild(warehouse)
    exports = tmp_path / "exports"
    # opcc reads the ICV file; one partner of each other kind shows the rest publishes
    # (every partner's every quarter is the clean-drop test's).
    partners = ["opcc", "csp-rutland", "home_office", "icb"]
    report = publish(warehouse, exports, catalog, partners=partners)

    assert report.blocked == [], [o.reason for o in report.blocked]  # not a failure
    for q in QUARTERS:
        for partner in partners:
            assert (exports / q / partner / "manifest.json").is_file(), (q, partner)

    # 2023-24Q3: its rows for Q2 and the rolling 12 months (which hold Q2) are [x]; Q1
    # and Q3 are counted.
    icv = rows(exports / "2023-24Q3" / "opcc" / "icv_visits.csv")
    by_period = {}
    for r in icv:
        by_period.setdefault(r["period"], []).append(r)
    assert set(by_period) >= {"2023-24Q1", "2023-24Q2", "2023-24Q3"}
    for r in by_period["2023-24Q2"]:
        assert r["visits"] == r["agreed"] == r["offered_rate"] == "[x]"
    for period in ("2023-24Q1", "2023-24Q3"):
        assert all(r["visits"] != "[x]" for r in by_period[period])
    # 2023-24Q4: the rolling 12 months (the financial year) hold Q2, so they are [x] too.
    q4 = rows(exports / "2023-24Q4" / "opcc" / "icv_visits.csv")
    rolling = [r for r in q4 if r["period"] == "12m_to_2023-24Q4"]
    assert rolling and all(r["visits"] == "[x]" for r in rolling)
    # The custody table of the same export does not read the ICV file: nothing is [x].
    custody = rows(exports / "2023-24Q3" / "opcc" / "custody_detentions.csv")
    assert all("[x]" not in r.values() for r in custody)
    # The Q1 export's window does not reach Q2.
    assert all("[x]" not in r.values()
               for r in rows(exports / "2023-24Q1" / "opcc" / "icv_visits.csv"))

    manifest = json.loads((exports / "2023-24Q3" / "opcc" / "manifest.json").read_text())
    assert manifest["missing"] == [{
        "source": "opcc", "entity": "icv_visits", "period": "2023-24Q2",
        "file_name": ICV_Q2,
        "reason": "rejected at ingest: the header does not match the spec (missing visit_ref)"}]
    q1 = json.loads((exports / "2023-24Q1" / "opcc" / "manifest.json").read_text())
    assert q1["missing"] == []
    icb = json.loads((exports / "2023-24Q3" / "icb" / "manifest.json").read_text())
    assert icb["missing"] == []  # the ICB reads no ICV file

    from openpyxl import load_workbook

    wb = load_workbook(exports / "2023-24Q3" / "opcc" / "opcc_2023-24Q3.xlsx")
    notes = " ".join(str(c.value) for row in wb["notes"].iter_rows() for c in row)
    assert "[x]" in notes and ICV_Q2 in notes and "header does not match" in notes


def test_a_quarter_never_sent_is_x_and_the_next_compares_with_the_one_before_it(
        warehouse, tmp_path, catalog):
    """The volume gate compares a quarter with the nearest earlier quarter that has data,
    so Q3 after a missing Q2 is compared with Q1 and passes."""
    with duckdb.connect(str(warehouse)) as con:
        con.execute("DELETE FROM raw.opcc__icv_visits WHERE file_name = ?", [ICV_Q2])
        con.execute("DELETE FROM audit.files WHERE file_name = ?", [ICV_Q2])
    rebuild(warehouse)
    icv_gate = next(g for g in gates_of(warehouse) if g.name == "icv_volume")
    assert icv_gate.passed, icv_gate.failures
    report = publish(warehouse, tmp_path / "exports", catalog, partners=["opcc"])
    assert report.blocked == []
    manifest = json.loads((tmp_path / "exports" / "2023-24Q4" / "opcc" / "manifest.json")
                          .read_text())
    assert manifest["missing"] == [{"source": "opcc", "entity": "icv_visits",
                                    "period": "2023-24Q2", "file_name": None,
                                    "reason": "no file received"}]


def test_a_plausibility_failure_holds_back_exactly_the_exports_reading_that_quarter(
        warehouse, tmp_path, catalog, clean_publication):
    exports = published_from_clean(clean_publication, tmp_path)  # published at T0
    before = tree(exports)
    # A doubled ICV extract for Q2: every visit sent twice under new references.
    with duckdb.connect(str(warehouse)) as con:
        con.execute("INSERT INTO raw.opcc__icv_visits SELECT * REPLACE (visit_ref || '-again' "
                    "AS visit_ref) FROM raw.opcc__icv_visits WHERE file_name = ?", [ICV_Q2])
    rebuild(warehouse)
    gate = next(g for g in gates_of(warehouse) if g.name == "icv_volume")
    assert {(f.source, f.fy_quarter) for f in gate.failures} >= {
        ("opcc/icv_visits", "2023-24Q2")}
    assert all(f.source == "opcc/icv_visits" for f in gate.failures)

    report = publish(warehouse, exports, catalog, T1)
    held = {(o.partner, o.fy_quarter) for o in report.blocked}
    # Every OPCC export whose window holds Q2 (Q2, Q3, Q4 of 2023-24); nothing else.
    assert held == {("opcc", q) for q in QUARTERS[1:]}
    reason = next(o for o in report.blocked if o.fy_quarter == "2023-24Q2").reason
    assert "icv_volume" in reason and ICV_Q2 in reason and "2023-24Q2" in reason
    after = tree(exports)
    for q in QUARTERS[1:]:
        folder = f"{q}/opcc/"
        assert {k: v for k, v in after.items() if k.startswith(folder)} == {
            k: v for k, v in before.items() if k.startswith(folder)}  # byte-identical
    assert {(o.partner, o.fy_quarter) for o in report.outcomes if o.outcome != "blocked"} == {
        (p, q) for p in catalog.names for q in QUARTERS} - held


def test_running_again_with_nothing_new_changes_nothing(warehouse, tmp_path, catalog,
                                                       clean_publication):
    exports = published_from_clean(clean_publication, tmp_path)  # published at T0
    with duckdb.connect(str(warehouse)) as con:  # and recorded, as a run records it
        create_schemas(con)
        write_audit_rows(con, clean_publication[1].audit_rows())
    stamps = {p: p.stat().st_mtime_ns for p in exports.rglob("*")}
    report = publish(warehouse, exports, catalog, T1)
    assert {o.outcome for o in report.outcomes} == {"unchanged"}
    assert {p: p.stat().st_mtime_ns for p in exports.rglob("*")} == stamps
