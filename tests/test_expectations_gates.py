"""Blocked means blocked, and said (DESIGN.md "Quality gates"): a planted anomaly of each
kind fails its check, which names the extract, the quarter, how many rows and an example;
it holds back exactly the exports whose tables read that extract while the other partners
still publish; a check that cannot run fails rather than passes; the Soda contracts catch
an unsuppressed small count and a published figure that is not the warehouse's.

The warehouse is the small generated drop (2023-24) ingested and built by dbt
(tests/support/published.py); anomalies are planted in the marts the suites read, or in
what the publisher does. Which quarters a failure holds back, and `[x]` for missing
files, are tests/test_publication.py's.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import duckdb
import pandas as pd
import pytest
from support.published import gates_of

from expectations import gx_suites
from expectations.gx_suites import BY_NAME, SUITES_ALL, SuiteResult, run_suite
from expectations.soda_contracts import verify_exports
from exports.gates import EVERY_SOURCE, Gate
from exports.publish import ExportReport, partner_line, publish_exports
from exports.warehouse import read_only
from vrn import periods

pytestmark = pytest.mark.slow

QUARTER = "2023-24Q4"
# One CSP stands for the eight: every CSP's tables read the same extracts.
PARTNERS = ["csp-rutland", "home_office", "icb", "opcc"]
T1 = datetime(2024, 7, 16, 9, 0, tzinfo=UTC)
POLICE_CRIMES = {"police/crimes", "police/crime_people"}
HEALTH = {"health/ae_assaults", "health/assault_admissions", "health/ambulance_assaults"}


def plant(warehouse: Path, sql: str, params: list | None = None) -> list[tuple]:
    with duckdb.connect(str(warehouse)) as con:
        return con.execute(sql, params or []).fetchall()


def suite_result(warehouse: Path, suite: str) -> SuiteResult:
    with read_only(warehouse) as con:
        return run_suite(con, BY_NAME[suite])


def publish(warehouse: Path, exports: Path, catalog, partners=PARTNERS,
            with_gates: list[Gate] | None = None) -> ExportReport:
    return publish_exports(warehouse, exports, catalog,
                           gates=gates_of(warehouse) if with_gates is None else with_gates,
                           verify=verify_exports, partners=partners,
                           quarters=[QUARTER], now=T1)


def outcomes(report: ExportReport) -> dict[str, str]:
    return {o.partner: o.outcome for o in report.outcomes}


def quarter_of(day) -> str:
    return periods.fy_quarter_label(pd.Timestamp(day).date())


# ------------------------------------------------------------------ the suites themselves


def test_every_suite_passes_on_the_clean_sample(warehouse):
    with read_only(warehouse) as con:
        for suite in SUITES_ALL:
            result = run_suite(con, suite)
            assert result.passed, result.detail
            assert result.failures == ()


def test_icv_parts_that_do_not_add_up_fail_with_the_visit_as_example(warehouse):
    [(visit, arrived)] = plant(
        warehouse, "UPDATE marts.fct_icv_visit SET refused = 99 WHERE visit_ref = "
                   "(SELECT min(visit_ref) FROM marts.fct_icv_visit) "
                   "RETURNING visit_ref, arrived_at")
    result = suite_result(warehouse, "icv_valid")
    assert not result.passed and result.failing_rows == 1
    assert (result.example["visit_ref"], result.example["refused"]) == (visit, 99)
    assert "agreed_and_refused_make_offered" in result.detail
    quarter = quarter_of(arrived)
    # The failure names the partner extract, the quarter and the file it came in.
    [failure] = result.failures
    assert (failure.check, failure.source, failure.fy_quarter, failure.file_name) == (
        "icv_valid", "opcc/icv_visits", quarter, f"opcc/icv_visits_{quarter}.csv")
    assert visit in failure.reason and "1 row(s)" in failure.reason
    assert f"opcc/icv_visits_{quarter}.csv ({quarter})" in failure.text()


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
    [(crime, recorded)] = plant(warehouse, anomaly + " RETURNING crime_ref, recorded_date")
    result = suite_result(warehouse, "sv_classification")
    assert not result.passed and result.failing_rows == 1
    assert result.example["crime_ref"] == crime
    # A crime's row stands for the police extracts the fact is made from, in its quarter.
    assert {f.source for f in result.failures} == POLICE_CRIMES
    assert {f.fy_quarter for f in result.failures} == {quarter_of(recorded)}


def test_more_persons_than_residents_fails_each_quarter_of_that_year_of_the_police_extracts(
        warehouse):
    # 100,125 male suspects aged 25-34 against 70,687 residents: what a drop with more
    # people than its population gives (the scale-20 benchmark's). A plausibility gate:
    # it holds back the exports of that year, not the whole run (dbt tests are keys).
    [(year,)] = plant(
        warehouse, "UPDATE marts.mart_rates_by_age_sex SET persons = 100125, "
                   "population = 70687, share_of_residents = 100125 / 70687, "
                   "rate_per_1000 = 1000 * 100125 / 70687 WHERE financial_year = '2023-24' "
                   "AND role = 'suspect' AND age_band = '25-34' AND sex = 'M' "
                   "RETURNING financial_year")
    result = suite_result(warehouse, "people_rates")
    assert not result.passed and result.failing_rows == 1
    assert result.example["persons"] == 100125
    assert "share_of_residents" in result.detail and "rate_per_1000" in result.detail
    # A year's row stands for each quarter of the year, of each police extract it reads.
    quarters = {f"{year}Q{q}" for q in range(1, 5)}
    assert {(f.source, f.fy_quarter) for f in result.failures} == {
        (s, q) for s in POLICE_CRIMES for q in quarters}
    assert all(f.file_name == f"{f.source}_{f.fy_quarter}.csv" for f in result.failures)
    # Other years' rows are not more than their residents: their quarters are not failed.
    with read_only(warehouse) as con:
        assert con.execute("SELECT count(*) FROM marts.mart_rates_by_age_sex "
                           "WHERE share_of_residents > 1").fetchall() == [(1,)]


def test_a_missing_table_fails_the_check_rather_than_passes(warehouse, tmp_path, catalog):
    plant(warehouse, "DROP TABLE marts.fct_icv_visit")
    result = suite_result(warehouse, "icv_valid")
    assert not result.passed and "could not run" in result.detail
    # No quarter can be told, so every quarter of the extract fails ...
    assert [(f.source, f.fy_quarter) for f in result.failures] == [("opcc/icv_visits", None)]
    # ... and exactly the exports reading it are held back.
    report = publish(warehouse, tmp_path / "exports", catalog, ["icb", "opcc"])
    assert outcomes(report) == {"icb": "published", "opcc": "blocked"}
    assert "icv_valid" in report.blocked[0].reason
    assert "could not run" in report.blocked[0].reason


def test_great_expectations_failing_to_import_blocks_rather_than_passes(
        warehouse, tmp_path, catalog, monkeypatch):
    def broken() -> None:
        raise ImportError("great_expectations is not installed")

    monkeypatch.setattr(gx_suites, "_gx", broken)
    verdicts = gates_of(warehouse)
    assert all(not g.passed for g in verdicts)
    assert all("could not run" in f.reason and "great_expectations is not installed"
               in f.reason for g in verdicts for f in g.failures)
    report = publish(warehouse, tmp_path / "exports", catalog, ["icb", "csp-melton"], verdicts)
    assert set(outcomes(report).values()) == {"blocked"}
    assert not (tmp_path / "exports" / QUARTER).exists()


def test_a_failing_check_on_a_table_no_partner_extract_feeds_holds_back_every_export(
        warehouse, tmp_path, catalog):
    """dim_geography is made from seeds: no extract to blame, so nothing may pass it by."""
    plant(warehouse, "UPDATE marts.dim_geography SET csp_name = NULL WHERE beat_code = "
                     "(SELECT min(beat_code) FROM marts.dim_geography)")
    result = suite_result(warehouse, "geography_mapped")
    assert not result.passed
    assert {f.source for f in result.failures} == {EVERY_SOURCE}
    report = publish(warehouse, tmp_path / "exports", catalog, ["icb", "opcc"])
    assert set(outcomes(report).values()) == {"blocked"}
    assert all("geography_mapped" in o.reason for o in report.blocked)


# ------------------------------------------------------------- what a failing check holds


@pytest.mark.parametrize(
    ("anomaly", "check", "reads", "blocked"),
    [
        pytest.param(
            "UPDATE marts.fct_serious_violence SET la_code = NULL WHERE crime_ref = "
            "(SELECT min(crime_ref) FROM marts.fct_serious_violence WHERE recorded_date "
            ">= DATE '2024-01-01') RETURNING recorded_date",
            "sv_classification", POLICE_CRIMES, {"csp-rutland", "home_office", "opcc"},
            id="a-crime-without-la"),
        pytest.param(
            "UPDATE marts.fct_assault_injury SET age = 130 WHERE event_ref = (SELECT "
            "min(event_ref) FROM marts.fct_assault_injury WHERE source = 'admission' AND "
            "event_at >= TIMESTAMP '2024-01-01') AND source = 'admission' RETURNING event_at",
            # opcc too: the needs assessment's health chapter (sna_health) reads it.
            "health_classification", HEALTH, {"icb", "home_office", "opcc"},
            id="an-admission-aged-130"),
        pytest.param(
            "UPDATE marts.fct_custody_detention SET detention_hours = -1 WHERE custody_ref = "
            "(SELECT min(custody_ref) FROM marts.fct_custody_detention WHERE arrived_at >= "
            "TIMESTAMP '2024-01-01') RETURNING arrived_at",
            "custody_valid", {"police/custody"}, {"opcc"}, id="a-negative-detention"),
        pytest.param(
            "UPDATE marts.mart_rates_by_age_sex SET share_of_residents = 1.42 WHERE "
            "financial_year = '2023-24' AND role = 'victim' AND age_band = '18-24' AND "
            "sex = 'F' RETURNING financial_year",
            "people_rates", POLICE_CRIMES, {"csp-rutland", "home_office", "opcc"},
            id="more-victims-than-residents"),
    ],
)
def test_a_planted_anomaly_blocks_exactly_the_exports_whose_tables_read_its_extract(
        warehouse, tmp_path, catalog, anomaly, check, reads, blocked):
    [(when,)] = plant(warehouse, anomaly)
    # A financial year's row fails each of its quarters, the exports' among them.
    quarter = QUARTER if periods.YEAR_RE.match(str(when)) else quarter_of(when)
    exports = tmp_path / "exports"
    report = publish(warehouse, exports, catalog)
    assert {p for p, o in outcomes(report).items() if o == "blocked"} == blocked, [
        o.reason for o in report.outcomes]
    assert {p for p, o in outcomes(report).items() if o == "published"} == \
        set(PARTNERS) - blocked
    assert report.exit_code == 1
    for o in report.blocked:
        assert not (exports / QUARTER / o.partner).exists()
        assert all(check in why for why in o.held_by)  # the check, file, quarter and why
        assert any(f"{r}_{quarter}.csv ({quarter})" in o.reason for r in reads), o.reason
        assert "1 row(s)" in o.reason
        line = partner_line(o.partner, [o])
        assert "HELD BACK 1" in line and check in line
    audit = {r["partner"]: r for r in report.audit_rows()}
    for partner in blocked:
        assert audit[partner]["outcome"] == "blocked" and check in audit[partner]["reason"]
        assert audit[partner]["manifest_sha256"] is None


# ------------------------------------------------------------- Soda on the published tables


def test_totals_that_do_not_reconcile_with_the_warehouse_block_that_partner_only(
        warehouse, tmp_path, catalog, monkeypatch):
    """Soda contract: every count shown must be the pub_ model's figure. A publisher that
    altered one (here: Rutland's district count for Q4, one too many) is stopped."""
    import exports.publish as publish_module

    real_protect = publish_module.protect_together
    sv_by_area = catalog.partner("csp-rutland").tables[-1]
    assert sv_by_area.name == "sv_by_area"

    def protect_and_miscount(tables, rule, sums=()):
        protected = real_protect(tables, rule, sums)
        if "sv_by_area" in protected and any(
                "area_code" in t.frame and (t.frame["area_code"] == "E06000017").any()
                for t in tables):
            out = protected["sv_by_area"].frame
            row = (out["area_code"] == "E06000017") & (out["period"] == QUARTER)
            out.loc[row, "offences"] = [v + 1 for v in out.loc[row, "offences"]]
        return protected

    monkeypatch.setattr(publish_module, "protect_together", protect_and_miscount)
    report = publish(warehouse, tmp_path / "exports", catalog,
                     ["csp-melton", "csp-rutland", "home_office", "opcc"])
    assert outcomes(report) == {"csp-melton": "published", "csp-rutland": "blocked",
                                "home_office": "published", "opcc": "published"}
    [why] = report.blocked[0].held_by
    assert "soda_contract:sv_by_area" in why
    assert "totals reconcile with the warehouse" in why
    assert f"'check_key': 'period={QUARTER}, area_level=district, area_code=E06000017'" in why
    assert not (tmp_path / "exports" / QUARTER / "csp-rutland").exists()


def test_an_unsuppressed_small_count_is_caught_by_the_soda_contract(
        warehouse, tmp_path, catalog, monkeypatch):
    import exports.publish as publish_module
    from exports.disclosure import Protected

    monkeypatch.setattr(publish_module, "protect_together",
                        lambda tables, rule, sums=(): {t.name: Protected(t.frame, 0, 0)
                                                       for t in tables})
    report = publish(warehouse, tmp_path / "exports", catalog, ["icb", "opcc"])
    assert set(outcomes(report).values()) == {"blocked"}
    for o in report.blocked:
        assert any("no unsuppressed small count" in why for why in o.held_by), o.reason
    assert not (tmp_path / "exports" / QUARTER).exists() or not any(
        (tmp_path / "exports" / QUARTER).iterdir())


def test_a_missing_soda_contract_fails_the_gate(warehouse, tmp_path, catalog, monkeypatch):
    import expectations.soda_contracts as soda

    monkeypatch.setattr(soda, "CONTRACTS_DIR", tmp_path / "no-contracts")
    report = publish(warehouse, tmp_path / "exports", catalog, ["icb"])
    assert outcomes(report) == {"icb": "blocked"}
    [blocked] = report.blocked
    assert len(blocked.held_by) == len(catalog.partner("icb").tables)  # one per table
    assert all("could not run" in why and "no Soda contract" in why for why in blocked.held_by)
    assert not (tmp_path / "exports" / QUARTER / "icb").exists()
