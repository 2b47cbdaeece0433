"""police.uk data are public context, not a partner's extract: their oddities are
reported, they never stop partners' figures (partner-extracts.md, policeuk).

A police.uk file with blank cells (Crime ID, Month, LSOA code, Crime type) is loaded,
not rejected; every dbt test on the police.uk staging model has severity warn; and a
`dbt build` of the police.uk models on a tiny warehouse holding those blank cells ends
with warnings, never errors (one dbt invocation for the module, as tests/test_dbt_build.py
does, with only the police.uk models and the seeds they read selected).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import duckdb
import pytest
from support.published import dbt_build

from ingest.files import describe
from ingest.load import ingest_landing
from ingest.policeuk import parse
from ingest.specs import POLICEUK_HEADER
from tests.support.partner_files import csv_bytes
from vrn.manifest import ensure_manifest

STAGING = "model.vrn_warehouse.stg_policeuk__street"
SOURCE = "source.vrn_warehouse.policeuk.street"
NAME = "2023-01-leicestershire-street.csv"


def street_row(crime_id: str = "abc", month: str = "2023-01", lsoa_code: str = "E01025631",
               lsoa_name: str = "Blaby 002A", crime_type: str = "Burglary") -> list[str]:
    return [crime_id, month, "Leicestershire Police", "Leicestershire Police", "-1.21",
            "52.62", "On or near Lowland Avenue", lsoa_code, lsoa_name, crime_type,
            "Under investigation", ""]


# One row with no blank, then one blank cell a row: as police.uk publishes them, anti-social
# behaviour has no Crime ID, a crime with no location no LSOA; a blank Month or Crime type
# is the oddity that must not stop anything.
ROWS = [
    street_row(),
    street_row(crime_id="", crime_type="Anti-social behaviour"),
    street_row(crime_id="c3", lsoa_code="", lsoa_name=""),
    street_row(crime_id="c4", month=""),
    street_row(crime_id="c5", crime_type=""),
    street_row(crime_id="c6", crime_type="   "),
]


def landing_with_blanks(tmp: Path) -> tuple[Path, Path]:
    landing = tmp / "landing"
    path = landing / "policeuk" / NAME
    path.parent.mkdir(parents=True)
    path.write_bytes(csv_bytes(POLICEUK_HEADER, ROWS))
    return landing, path


# --- ingest: the file is loaded as it is ----------------------------------------------------


def test_a_policeuk_file_with_blank_cells_is_loaded_whole_with_blanks_as_null(
        tmp_path: Path) -> None:
    landing, path = landing_with_blanks(tmp_path)
    parsed = parse(describe(path, landing, "policeuk"), tmp_path / "work")
    assert parsed.rejected is None
    assert parsed.rows_loaded == parsed.rows_read == len(ROWS)
    assert parsed.rows_quarantined == 0
    rows = parsed.rows()
    assert [r["crime_id"] for r in rows] == ["abc", None, "c3", "c4", "c5", "c6"]
    assert rows[2]["lsoa_code"] is None and rows[3]["month"] is None
    assert rows[4]["crime_type"] is None and rows[5]["crime_type"] is None


def test_a_policeuk_file_with_blank_cells_reaches_the_warehouse_as_loaded(
        tmp_path: Path) -> None:
    landing, _ = landing_with_blanks(tmp_path)
    with duckdb.connect(str(tmp_path / "warehouse.duckdb")) as con:
        report = ingest_landing(con, landing)
        assert [(f.outcome, f.rows_loaded) for f in report.files] == [("loaded", len(ROWS))]
        assert con.execute("select count(*) from raw.policeuk__street").fetchall() == [
            (len(ROWS),)]


# --- dbt: the tests on police.uk data only warn --------------------------------------------


def policeuk_tests(manifest: dict[str, Any]) -> list[dict[str, Any]]:
    """Every data test on the police.uk staging model or its source."""
    return [node for node in manifest["nodes"].values()
            if node["resource_type"] == "test"
            and {STAGING, SOURCE} & set(node["depends_on"]["nodes"])
            and len(node["depends_on"]["nodes"]) == 1]


def test_every_dbt_test_on_the_policeuk_staging_data_is_a_warning_not_an_error() -> None:
    manifest = json.loads(ensure_manifest().read_text(encoding="utf-8"))
    tests = policeuk_tests(manifest)
    assert {t["column_name"] for t in tests} >= {"month", "crime_type"}
    assert {t["name"]: t["config"]["severity"].lower() for t in tests} == {
        t["name"]: "warn" for t in tests}


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    """The police.uk models and their tests built on a warehouse holding ROWS."""
    workdir = tmp_path_factory.mktemp("policeuk_oddities")
    landing, _ = landing_with_blanks(workdir)
    warehouse = workdir / "warehouse.duckdb"
    with duckdb.connect(str(warehouse)) as con:
        ingest_landing(con, landing)
    done = dbt_build(warehouse, workdir, "--select",
                     "stg_policeuk__street+ ref_population ref_imd2019_lsoa",
                     "--indirect-selection", "cautious")  # not the seeds' other tests
    results = json.loads((workdir / "target" / "run_results.json").read_text())["results"]
    yield {"returncode": done.returncode, "output": done.stdout[-6000:] + done.stderr[-2000:],
           "results": {r["unique_id"]: r for r in results}}


def test_blank_cells_in_policeuk_data_make_the_staging_tests_warn_not_fail(built) -> None:
    assert built["results"][STAGING]["status"] == "success", built["output"]
    staging = {uid: r for uid, r in built["results"].items()
               if uid.startswith("test.") and "stg_policeuk__street" in uid}
    by_column = {uid.split(".")[2]: (r["status"], r["failures"]) for uid, r in staging.items()}
    assert by_column == {
        "not_null_stg_policeuk__street_month": ("warn", 1),
        "not_null_stg_policeuk__street_crime_type": ("warn", 2),
    }, built["output"]


def test_blank_cells_in_policeuk_data_fail_no_test_and_no_model_of_the_build(built) -> None:
    stopped = {uid: r["status"] for uid, r in built["results"].items()
               if r["status"] in ("error", "fail", "skipped")}
    assert stopped == {}, built["output"]
    assert built["returncode"] == 0, built["output"]
