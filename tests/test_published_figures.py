"""The demo's marts reproduce the published figures (spec/published-figures.md).

The default drop (seed 42, scale 1.0, 2019-04-01 to 2025-03-31) goes through the same
steps as `vrn run` up to the marts: ingest, person linkage, one `dbt build`. Then each
published figure is read from the warehouse contract tables, with the tolerance the spec
gives. Exports are left out here (their own tests cover them) to keep CI short.
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import duckdb
import pytest

from ingest.load import ingest_landing
from linkage.model import load_settings, run_linkage
from vrn.manifest import dbt_executable
from vrn.reference import DBT_PROJECT_DIR

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def marts(default_drop, tmp_path_factory: pytest.TempPathFactory):
    work = tmp_path_factory.mktemp("demo_warehouse")
    warehouse = work / "warehouse.duckdb"
    with duckdb.connect(str(warehouse)) as con:
        ingest_landing(con, default_drop.landing)
        run_linkage(con, load_settings())
    build = _dbt_build_all(warehouse, work)
    failures = [line for line in build.stdout.splitlines() if "ERROR" in line or "FAIL" in line]
    assert build.returncode == 0, "\n".join(failures[-20:]) or build.stdout[-4000:]
    con = duckdb.connect(str(warehouse), read_only=True)
    yield con
    con.close()


def _dbt_build_all(warehouse: Path, work: Path) -> subprocess.CompletedProcess:
    """Every model, people included (linkage has run), as `vrn run` builds them."""
    env = {**os.environ, "VRN_WAREHOUSE": str(warehouse), "DO_NOT_TRACK": "1"}
    return subprocess.run(
        [dbt_executable(), "build", "--project-dir", str(DBT_PROJECT_DIR),
         "--profiles-dir", str(DBT_PROJECT_DIR), "--target-path", str(work / "target"),
         "--log-path", str(work / "logs")],
        env=env, capture_output=True, text=True, check=False,
    )



def one(con: duckdb.DuckDBPyConnection, sql: str, *params: object):
    row = con.execute(sql, list(params)).fetchone()
    assert row is not None, sql
    return row[0] if len(row) == 1 else row


def within(value: float, target: float, rel: float | None = None, abs_: float | None = None):
    tol = abs_ if abs_ is not None else abs(target) * (rel or 0)
    assert abs(value - target) <= tol, f"{value} not within {tol} of {target}"


def area(con, fy: str, code: str) -> tuple:
    return con.execute(
        "SELECT offences, rate_per_1000, share_of_llr FROM marts.mart_sv_by_area "
        "WHERE financial_year = ? AND area_code = ?", [fy, code]).fetchone()


def test_sv_offences_2022_23_and_change_on_previous_year(marts) -> None:
    now, _, _ = area(marts, "2022-23", "LLR")
    before, _, _ = area(marts, "2021-22", "LLR")
    within(now, 31_527, rel=0.03)
    within((now - before) / before, -0.044, abs_=0.02)


@pytest.mark.parametrize(("code", "rate"), [
    ("LLR", 28.13), ("E06000016", 42.74), ("E10000018", 21.36), ("E06000017", 14.54)])
def test_sv_rate_per_1000_by_area(marts, code: str, rate: float) -> None:
    within(area(marts, "2022-23", code)[1], rate, rel=0.05)


@pytest.mark.parametrize(("code", "share"), [
    ("E07000130", 0.142), ("E07000132", 0.087), ("E07000134", 0.085), ("E07000129", 0.057),
    ("E07000131", 0.051), ("E07000135", 0.040), ("E07000133", 0.037), ("E06000017", 0.019),
    ("E06000016", 0.499)])
def test_district_share_of_llr(marts, code: str, share: float) -> None:
    got = marts.execute(
        "SELECT share_of_llr FROM marts.mart_sv_by_area WHERE financial_year = '2022-23' "
        "AND area_level = 'district' AND area_code = ?", [code]).fetchone()[0]
    within(got, share, abs_=0.01)


def test_common_assault_is_never_serious_violence(marts) -> None:
    assert one(marts, "SELECT count(*) FROM marts.fct_serious_violence "
                      "WHERE ho_offence_code IN ('105A', '9A', '8S', '46', '58A', '92A')") == 0


def test_sv_profile_shares_2022_23(marts) -> None:
    _total, stalking, vwi, abh, da, sexual, knife = marts.execute("""
        SELECT count(*), avg((sv_group = 'stalking_harassment')::int),
               avg((sv_group = 'violence_with_injury')::int), avg((ho_offence_code = '8N')::int),
               avg(is_domestic_abuse::int), avg(is_sexual_violence::int),
               avg(is_knife_sharp::int)
        FROM marts.fct_serious_violence WHERE financial_year = '2022-23'""").fetchone()
    within(stalking, 0.397, abs_=0.02)
    within(vwi, 0.379, abs_=0.02)
    within(abh, 0.318, abs_=0.02)
    within(da, 0.30, abs_=0.02)
    within(sexual, 0.09, abs_=0.02)
    within(knife, 0.05, abs_=0.01)
    leicester = one(marts, """
        SELECT avg((la_code = 'E06000016')::int) FROM marts.fct_serious_violence
        WHERE financial_year = '2022-23' AND is_knife_sharp""")
    within(leicester, 0.69, abs_=0.05)


SV_DUTY = [
    ("knife_enabled_sv", "all", "2019-20", 864, 0.05, None),
    ("knife_enabled_sv", "all", "2023-24", 810, 0.05, None),
    ("knife_enabled_sv", "under_25", "2019-20", 364, 0.08, None),
    ("knife_enabled_sv", "under_25", "2023-24", 316, 0.08, None),
    ("homicide", "all", "2019-20", 10, None, 3),
    ("homicide", "all", "2023-24", 13, None, 3),
    ("knife_homicide", "under_25", "2019-20", 3, None, 2),
    ("knife_homicide", "under_25", "2023-24", 0, None, 2),
    ("sharp_object_admissions", "all", "2019-20", 51, None, 6),
    ("sharp_object_admissions", "all", "2023-24", 38, None, 6),
    ("sharp_object_admissions", "under_25", "2019-20", 19, None, 4),
    ("sharp_object_admissions", "under_25", "2023-24", 13, None, 4),
]


@pytest.mark.parametrize(("measure", "age_group", "fy", "target", "rel", "abs_"), SV_DUTY)
def test_home_office_sv_duty_measures(marts, measure, age_group, fy, target, rel, abs_) -> None:
    got = one(marts, "SELECT value FROM marts.mart_sv_duty_measures WHERE measure = ? "
                     "AND age_group = ? AND financial_year = ?", measure, age_group, fy)
    within(got, target, rel=rel, abs_=abs_)


def rasso(con, month_end: str) -> tuple:
    return con.execute(
        "SELECT rapes_12m, rapes_per_1000_12m, charge_rate_12m, median_days_to_outcome_12m "
        "FROM marts.mart_rasso_performance WHERE month_end = ?::date", [month_end]).fetchone()


def test_rapes_recorded_oct_2023_to_sep_2024(marts) -> None:
    rapes, per_1000, _, _ = rasso(marts, "2024-09-30")
    within(rapes, 1_475, rel=0.05)
    within(per_1000, 1.3, abs_=0.07)


def test_charge_rate_12_months_to_oct_2024(marts) -> None:
    within(rasso(marts, "2024-10-31")[2], 0.063, abs_=0.01)


def test_charge_rate_2021_22(marts) -> None:
    within(rasso(marts, "2022-03-31")[2], 0.034, abs_=0.01)


def test_median_days_to_outcome_12_months_to_feb_2024(marts) -> None:
    within(rasso(marts, "2024-02-29")[3], 84, abs_=10)


def test_custody_detentions_2023_24(marts) -> None:
    within(one(marts, "SELECT count(*) FROM marts.fct_custody_detention "
                      "WHERE financial_year = '2023-24'"), 15_475, rel=0.01)


def test_icv_visits_2023_24(marts) -> None:
    visits, immediate, detainees, offered, agreed, refused = marts.execute("""
        SELECT count(*), count(*) FILTER (WHERE access_delay_minutes <= 5),
               sum(detainees_in_cells), sum(offered), sum(agreed), sum(refused)
        FROM marts.fct_icv_visit WHERE financial_year = '2023-24'""").fetchone()
    assert (visits, immediate, detainees, offered, agreed, refused) == (
        101, 91, 1_096, 407, 365, 42)


def test_health_2022_23(marts) -> None:
    ae = one(marts, "SELECT count(*) FROM marts.fct_assault_injury "
                    "WHERE source = 'ae' AND financial_year = '2022-23'")
    admissions = one(marts, "SELECT count(*) FROM marts.fct_assault_injury "
                            "WHERE source = 'admission' AND financial_year = '2022-23'")
    within(ae, 1_001, rel=0.03)
    within(admissions, 164, rel=0.05)


def test_service_returns_2024_25_q2(marts) -> None:
    got = dict(marts.execute(
        "SELECT service || '.' || measure, value FROM marts.fct_service_return "
        "WHERE fy_quarter = '2024-25Q2'").fetchall())
    assert got["sarc.referrals_received"] == 74
    assert got["sarc.forensic_examination_within_60_minutes"] == 100
    assert got["cyp_sarc.children_assessed_llr"] == 20
    assert got["isva.referrals_received"] == 238
    assert got["isva.longest_support_months"] == 88.8
