"""Blocked means blocked, and said (DESIGN.md "Quality gates"): a planted anomaly of each
kind fails its check, blocks exactly the exports that check guards, names the check, the
table, how many rows and an example, and leaves everything already published untouched
while the other partners still publish."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import duckdb
import pytest

from expectations import gx_suites
from exports.publish import ExportReport, publish_exports
from exports.sample_warehouse import build_sample_warehouse

QUARTER = "2023-24Q4"
# One CSP stands for the eight: a check guards partner groups, never single CSPs.
PARTNERS = ["csp-rutland", "home_office", "opcc", "icb"]
T0 = datetime(2024, 7, 15, 9, 0, tzinfo=UTC)
T1 = datetime(2024, 7, 16, 9, 0, tzinfo=UTC)


@pytest.fixture(scope="module")
def base_warehouse(tmp_path_factory) -> Path:
    return build_sample_warehouse(tmp_path_factory.mktemp("gates") / "warehouse.duckdb")


@pytest.fixture
def warehouse(base_warehouse, tmp_path) -> Path:
    path = tmp_path / "warehouse.duckdb"
    shutil.copy(base_warehouse, path)
    return path


def plant(warehouse: Path, *sql: str) -> None:
    with duckdb.connect(str(warehouse)) as con:
        for statement in sql:
            con.execute(statement)


def run(warehouse: Path, exports: Path, now: datetime = T1) -> ExportReport:
    return publish_exports(warehouse, exports, partners=PARTNERS, quarters=[QUARTER], now=now)


def outcomes(report: ExportReport) -> dict[str, str]:
    return {o.partner: o.outcome for o in report.outcomes}


def blocked_by(report: ExportReport) -> set[str]:
    return {c.name for o in report.blocked for c in o.blocked_by}


def folder_bytes(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes()
            for p in sorted(root.rglob("*")) if p.is_file()}


HALVE_Q3_CRIMES = (
    "DELETE FROM marts.fct_serious_violence WHERE recorded_date >= DATE '2023-10-01' "
    "AND recorded_date < DATE '2024-01-01' AND hash(crime_ref) % 2 = 0")


def test_a_quarter_of_crimes_halved_blocks_police_exports_says_why_and_touches_nothing(
        warehouse, tmp_path):
    exports = tmp_path / "exports"
    clean = run(warehouse, exports, T0)
    assert set(outcomes(clean).values()) == {"published"}, clean.lines()
    assert clean.exit_code == 0 and all(c.passed for c in clean.gate_checks)
    before = folder_bytes(exports)

    plant(warehouse, HALVE_Q3_CRIMES)
    report = run(warehouse, exports, T1)
    assert outcomes(report) == {"csp-rutland": "blocked", "home_office": "blocked",
                                "opcc": "blocked", "icb": "unchanged"}
    assert report.exit_code == 1
    assert folder_bytes(exports) == before  # everything already published stays untouched

    [(check, where)] = report.blocking_checks()
    assert check.name == "police_sv_volume"
    assert check.table == "marts.fct_serious_violence"
    assert check.failing_rows >= 1
    assert check.example["fy_quarter"] in ("2023-24Q3", "2023-24Q4")
    assert check.example["ratio_to_previous"] < 0.6 or check.example["ratio_to_previous"] > 1.6
    assert "within_expected_range" in check.detail
    assert sorted(where) == [f"csp-rutland {QUARTER}", f"home_office {QUARTER}",
                             f"opcc {QUARTER}"]
    lines = "\n".join(report.lines())
    assert "BLOCKED" in lines and "police_sv_volume" in lines and "fct_serious_violence" in lines
    audit = {r["partner"]: r for r in report.audit_rows()}
    assert audit["opcc"]["outcome"] == "blocked" and "police_sv_volume" in audit["opcc"]["reason"]
    assert audit["icb"]["outcome"] == "unchanged"


@pytest.mark.parametrize(
    ("anomaly", "check", "blocked"),
    [
        pytest.param(
            ["DELETE FROM marts.fct_assault_injury WHERE source = 'admission' AND "
             "event_at >= TIMESTAMP '2023-07-01' AND event_at < TIMESTAMP '2023-10-01'"],
            "health_volume", {"icb", "home_office"}, id="a-quarter-of-admissions-missing"),
        pytest.param(
            ["UPDATE marts.fct_serious_violence SET la_code = NULL WHERE crime_ref = "
             "(SELECT min(crime_ref) FROM marts.fct_serious_violence)"],
            "sv_classification", {"csp-rutland", "home_office"}, id="a-crime-without-la"),
        pytest.param(
            ["UPDATE marts.mart_rasso_performance SET charge_rate_12m = 1.5"],
            "rasso_rates", {"opcc"}, id="a-rate-out-of-bounds"),
        pytest.param(["DROP TABLE marts.fct_icv_visit"], "icv_volume", {"opcc"},
                     id="a-missing-table-fails-rather-than-passes"),
    ],
)
def test_a_planted_anomaly_blocks_exactly_the_exports_its_check_guards(
        warehouse, tmp_path, anomaly, check, blocked):
    exports = tmp_path / "exports"
    plant(warehouse, *anomaly)
    report = run(warehouse, exports)
    assert {p for p, o in outcomes(report).items() if o == "blocked"} == blocked, report.lines()
    assert {p for p, o in outcomes(report).items() if o == "published"} == \
        set(PARTNERS) - blocked
    assert check in blocked_by(report)
    for partner in blocked:
        assert not (exports / QUARTER / partner).exists()


@pytest.mark.parametrize(
    "anomaly",
    [
        pytest.param("UPDATE marts.fct_serious_violence SET sv_group = 'robbery' WHERE "
                     "crime_ref = (SELECT min(crime_ref) FROM marts.fct_serious_violence "
                     "WHERE sv_group <> 'robbery')", id="a-crime-misclassified"),
        pytest.param("UPDATE marts.fct_serious_violence SET beat_code = 'ZZ99' WHERE "
                     "crime_ref = (SELECT min(crime_ref) FROM marts.fct_serious_violence)",
                     id="an-unmapped-beat"),
        pytest.param("UPDATE marts.fct_serious_violence SET district_code = 'E07000135' "
                     "WHERE crime_ref = (SELECT min(crime_ref) FROM marts.fct_serious_violence "
                     "WHERE district_code <> 'E07000135')", id="a-district-not-its-beats"),
    ],
)
def test_every_crime_must_be_classified_and_its_area_mapped(warehouse, anomaly):
    plant(warehouse, anomaly)
    result = check_result("sv_classification", warehouse)
    assert not result.passed and result.failing_rows == 1
    assert set(result.guards) == {"csp", "home_office"}
    assert result.example["crime_ref"]


def test_totals_that_do_not_reconcile_with_the_marts_block_that_partner_only(
        warehouse, tmp_path):
    """Soda contract: a CSP's yearly total must equal mart_sv_by_area's."""
    plant(warehouse, "UPDATE marts.mart_sv_by_area SET offences = offences + 1 "
                     "WHERE area_level = 'district' AND area_code = 'E06000017' "
                     "AND financial_year = '2023-24'")
    report = run(warehouse, tmp_path / "exports")
    assert outcomes(report) == {"csp-rutland": "blocked", "home_office": "published",
                                "opcc": "published", "icb": "published"}
    [check] = [c for o in report.blocked for c in o.blocked_by]
    assert check.name == "soda_contract:sv_by_area"
    assert "totals reconcile with the marts" in check.detail
    assert check.example["check_key"].startswith("period=12m_to_2023-24Q4")


def test_an_unsuppressed_small_count_is_caught_by_the_soda_contract(
        warehouse, tmp_path, monkeypatch):
    import exports.publish as publish_module
    from exports.disclosure import Protected

    monkeypatch.setattr(publish_module, "protect",
                        lambda frame, shape, rule: Protected(frame, 0, 0))
    report = publish_exports(warehouse, tmp_path / "exports", partners=["icb", "opcc"],
                             quarters=[QUARTER], now=T1)
    assert set(outcomes(report).values()) == {"blocked"}
    details = " ".join(c.detail for o in report.blocked for c in o.blocked_by)
    assert "no unsuppressed small count" in details
    assert not (tmp_path / "exports" / QUARTER).exists() or not any(
        (tmp_path / "exports" / QUARTER).iterdir())


def test_a_missing_soda_contract_fails_the_gate(warehouse, tmp_path, monkeypatch):
    import expectations.soda_contracts as soda

    monkeypatch.setattr(soda, "CONTRACTS_DIR", tmp_path / "no-contracts")
    report = publish_exports(warehouse, tmp_path / "exports", partners=["icb"],
                             quarters=[QUARTER], now=T1)
    assert set(outcomes(report).values()) == {"blocked"}
    assert all("could not run" in c.detail for o in report.blocked for c in o.blocked_by)


def test_great_expectations_failing_to_import_blocks_rather_than_passes(
        warehouse, tmp_path, monkeypatch):
    def broken() -> None:
        raise ImportError("great_expectations is not installed")

    monkeypatch.setattr(gx_suites, "_gx", broken)
    report = publish_exports(warehouse, tmp_path / "exports", partners=["icb", "csp-melton"],
                             quarters=[QUARTER], now=T1)
    assert set(outcomes(report).values()) == {"blocked"}
    assert all(not c.passed and "could not run" in c.detail for c in report.gate_checks)


def check_result(suite: str, warehouse: Path, mutate: Callable[[dict], None] | None = None):
    from exports.marts import read_only, read_tables

    suite_def = gx_suites.BY_NAME[suite]
    with read_only(warehouse) as con:
        tables = read_tables(con, suite_def.reads)
    if mutate:
        mutate(tables)
    quarters = ["2023-24Q1", "2023-24Q2", "2023-24Q3", "2023-24Q4", "2024-25Q1"]
    return gx_suites.run_suites(tables, {}, quarters, [suite_def])[0]


def test_every_suite_passes_on_the_clean_sample(warehouse):
    for suite in gx_suites.SUITES_ALL:
        result = check_result(suite.name, warehouse)
        assert result.passed, result.message()


def test_icv_parts_that_do_not_add_up_fail_with_the_visit_as_example(warehouse):
    def break_one(tables):
        tables["fct_icv_visit"].loc[0, "refused"] = 99

    result = check_result("icv_valid", warehouse, break_one)
    assert not result.passed and result.failing_rows == 1
    assert result.example["refused"] == 99
