"""Scope (DESIGN.md "Partner exports"): each CSP receives only its own area's rows, no LLR
comparators.

Proved on the small generated drop ingested and built by dbt (tests/support/published.py)
for all eight CSPs: the CSPs are the seed `ref_csp_partners` and their areas
`marts.dim_geography`, read from the warehouse; every published file names only the
CSP's own districts and the CSP, and its counts are those of crimes in its own beats.
Then every crime of one CSP (Leicester, the largest) is taken out of the police extract
and the models rebuilt: the seven other CSPs' folders come out byte for byte the same.
"""

from __future__ import annotations

import csv
import io
import shutil
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import duckdb
import pytest
from support.published import published_copy, rebuild

from exports.publish import publish_exports

pytestmark = pytest.mark.slow

QUARTERS = ["2023-24Q1", "2023-24Q2", "2023-24Q3", "2023-24Q4"]
CSPS = ["csp-blaby-hinckley-bosworth", "csp-charnwood", "csp-harborough", "csp-leicester",
        "csp-melton", "csp-north-west-leicestershire", "csp-oadby-wigston", "csp-rutland"]
T0 = datetime(2024, 7, 15, 9, 30, tzinfo=UTC)
TAKEN_OUT = "csp-leicester"


@dataclass(frozen=True)
class Area:
    csp_name: str
    districts: frozenset[str]
    beats: frozenset[str]


@pytest.fixture(scope="module")
def base_warehouse(published_base, tmp_path_factory) -> Path:
    return published_copy(published_base, tmp_path_factory.mktemp("scope"))


@pytest.fixture(scope="module")
def areas(base_warehouse) -> dict[str, Area]:
    """Each CSP partner's area, from the warehouse's seed and geography."""
    with duckdb.connect(str(base_warehouse), read_only=True) as con:
        rows = con.execute(
            "SELECT p.partner, p.csp_name, list(DISTINCT g.district_code), "
            "list(DISTINCT g.beat_code) FROM seeds.ref_csp_partners p "
            "JOIN marts.dim_geography g USING (csp_name) GROUP BY ALL").fetchall()
    return {partner: Area(name, frozenset(districts), frozenset(beats))
            for partner, name, districts, beats in rows}


def publish_csps(warehouse: Path, exports: Path, catalog) -> Path:
    report = publish_exports(warehouse, exports, catalog, partners=CSPS, now=T0)
    assert {o.outcome for o in report.outcomes} == {"published"}, [
        o.reason for o in report.outcomes]
    return exports


@pytest.fixture(scope="module")
def exports(base_warehouse, tmp_path_factory, catalog) -> Path:
    return publish_csps(base_warehouse, tmp_path_factory.mktemp("scope_exports"), catalog)


def csv_rows(path: Path) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(path.read_text(encoding="utf-8"))))


def snapshot(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def test_the_csp_partners_are_the_seeds_and_each_has_an_area(catalog, areas):
    assert sorted(p for p in catalog.names if p.startswith("csp-")) == CSPS
    assert sorted(areas) == CSPS
    assert all(a.districts and a.beats for a in areas.values())
    districts = [d for a in areas.values() for d in a.districts]
    assert len(districts) == len(set(districts))  # a district belongs to one CSP


@pytest.mark.parametrize("partner", CSPS)
def test_a_csp_export_names_no_other_area_and_no_llr_comparator(exports, areas, partner):
    own = areas[partner]
    others = ({d for a in areas.values() for d in a.districts} - own.districts) | {
        a.csp_name for p, a in areas.items() if p != partner}
    for q in QUARTERS:
        folder = exports / q / partner
        area = csv_rows(folder / "sv_by_area.csv")
        assert {r["area_code"] for r in area} == own.districts | {own.csp_name}, q
        assert {r["area_level"] for r in area} == {"district", "csp"}
        # RASSO and hate crime by area: the CSP's districts and the CSP, as in sv_by_area.
        for table in ("rasso_by_area", "hate_crime"):
            rows = csv_rows(folder / f"{table}.csv")
            assert {r["area_code"] for r in rows} == own.districts | {own.csp_name}, (q, table)
            assert {r["area_name"] for r in rows if r["area_level"] == "csp"} == {
                own.csp_name}, (q, table)
        for path in folder.glob("*.csv"):
            text = path.read_text(encoding="utf-8")
            assert "LLR" not in text and "Leicester, Leicestershire and Rutland" not in text, (
                q, path.name)
            for other in others:
                assert other not in text, (q, path.name, other)


@pytest.mark.parametrize("partner", CSPS)
def test_a_csp_export_counts_the_crimes_of_its_own_beats(base_warehouse, exports, areas,
                                                         partner):
    """Per quarter, the serious violence the CSP's table counts (before disclosure
    control) is the crimes recorded in its own beats, counted here from the fact."""
    own = areas[partner]
    with duckdb.connect(str(base_warehouse), read_only=True) as con:
        counted = dict(con.execute(
            "SELECT d.fy_quarter, count(*) FROM marts.fct_serious_violence f "
            "JOIN marts.dim_date d ON d.date = f.recorded_date "
            "WHERE f.beat_code IN (SELECT unnest(?::VARCHAR[])) GROUP BY ALL",
            [sorted(own.beats)]).fetchall())
        figures = dict(con.execute(
            "SELECT period, offences FROM publish.pub_sv_by_offence_group WHERE partner = ? "
            "AND export_quarter = '2023-24Q4' AND sv_group = 'all' AND period LIKE '2023-24Q_'",
            [partner]).fetchall())
    assert figures == {q: counted.get(q, 0) for q in QUARTERS}
    shown = {r["period"]: r["offences"]
             for r in csv_rows(exports / "2023-24Q4" / partner / "sv_by_offence_group.csv")
             if r["sv_group"] == "all"}
    for q in QUARTERS:
        assert shown[q] in (str(figures[q]), "[c]"), (q, shown[q], figures[q])


def test_a_csp_export_depends_only_on_its_own_areas_rows(
        base_warehouse, exports, areas, catalog, tmp_path):
    warehouse = tmp_path / "warehouse.duckdb"
    shutil.copy(base_warehouse, warehouse)
    beats = sorted(areas[TAKEN_OUT].beats)
    with duckdb.connect(str(warehouse)) as con:
        [(removed,)] = con.execute(
            "DELETE FROM raw.police__crimes WHERE beat_code IN (SELECT unnest(?::VARCHAR[]))",
            [beats]).fetchall()
    assert removed > 0
    rebuild(warehouse)
    without = publish_csps(warehouse, tmp_path / "exports", catalog)
    for q in QUARTERS:
        for partner in CSPS:
            same = snapshot(without / q / partner) == snapshot(exports / q / partner)
            assert same is (partner != TAKEN_OUT), (q, partner)


def test_a_csps_export_step_reads_its_own_rows_and_every_one_of_them(base_warehouse, catalog):
    """`read_published(..., partners)`: a CSP's step reads its rows of the CSP tables,
    exactly those that reading every partner's and keeping its own gives."""
    import pandas as pd

    from exports.publish import select_export
    from exports.warehouse import read_only, read_published

    with read_only(base_warehouse) as con:
        everyone = read_published(con, list(catalog.tables))
        for name in ("csp-melton", "opcc"):
            partner = catalog.partner(name)
            own = read_published(con, list(partner.tables), [name])
            assert any(t.partner_scoped for t in partner.tables) is name.startswith("csp-")
            for t in partner.tables:
                expected = everyone.rows[t.model]
                if t.partner_scoped:
                    expected = expected[expected["partner"] == name].reset_index(drop=True)
                    assert set(own.rows[t.model]["partner"]) == {name}
                assert len(expected), t.model
                # the same values; an integer column may be NumPy's where only other
                # partners' rows had a null (pandas' nullable Int64 then)
                pd.testing.assert_frame_equal(own.rows[t.model], expected, check_dtype=False)
            for q in own.quarters:
                mine, all_ = select_export(own, partner, q), select_export(everyone, partner, q)
                for t in partner.tables:
                    pd.testing.assert_frame_equal(mine.rows[t.name], all_.rows[t.name],
                                                  check_dtype=False)


def test_an_export_takes_its_quarters_rows_and_hashes_them_as_they_are(base_warehouse,
                                                                       catalog):
    """`select_export` finds each quarter's (and partner's) rows once per read, and the
    inputs digest takes each row's hash from its model's: the export's rows are exactly
    those its quarter and partner select, and their hashes those of the rows alone."""
    import numpy as np
    import pandas as pd

    from exports.publish import select_export
    from exports.warehouse import read_only, read_published

    with read_only(base_warehouse) as con:
        pub = read_published(con, list(catalog.tables))
    rows_seen = 0
    for name in ("csp-melton", "csp-rutland", "opcc", "home_office"):
        partner = catalog.partner(name)
        for q in [*pub.quarters, "2001-02Q1"]:  # and a quarter with no rows
            export = select_export(pub, partner, q)
            for t in partner.tables:
                frame = pub.rows[t.model]
                chosen = frame["export_quarter"] == q
                if t.partner_scoped:
                    chosen &= frame["partner"] == name
                expected = frame[chosen].reset_index(drop=True)
                pd.testing.assert_frame_equal(export.rows[t.name], expected, check_exact=True)
                rows_seen += len(expected)
                assert np.array_equal(
                    export.row_hashes[t.name],
                    pd.util.hash_pandas_object(expected, index=False).to_numpy())
    assert rows_seen > 1000
