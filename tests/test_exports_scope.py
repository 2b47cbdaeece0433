"""Scope (DESIGN.md): each CSP receives only its own area's rows, no LLR comparators.

Proved two ways for all eight CSPs: a CSP's export built from the whole warehouse is
identical to one built from its own area's rows alone (so nothing from elsewhere can reach
its files), and its published files name no other area, district or LLR.
"""

from __future__ import annotations

import pandas as pd
import pytest

from exports.partners import CSP_PARTNERS
from exports.publish import build_partner, read_snapshot, render_files
from exports.sample_warehouse import build_sample_warehouse
from exports.windows import window

QUARTERS = ("2023-24Q4", "2024-25Q1")


@pytest.fixture(scope="module")
def tables(tmp_path_factory) -> dict[str, pd.DataFrame]:
    path = build_sample_warehouse(tmp_path_factory.mktemp("scope") / "warehouse.duckdb")
    return read_snapshot(path, ["csp"], []).tables


def own_area_only(tables: dict[str, pd.DataFrame], csp: str) -> dict[str, pd.DataFrame]:
    geo = tables["dim_geography"]
    beats = set(geo.loc[geo["csp_name"] == csp, "beat_code"])
    districts = set(geo.loc[geo["csp_name"] == csp, "district_code"])
    sv = tables["fct_serious_violence"]
    areas = tables["mart_sv_by_area"]
    return {
        **tables,
        "dim_geography": geo[geo["csp_name"] == csp],
        "fct_serious_violence": sv[sv["beat_code"].isin(beats)],
        "mart_sv_by_area": areas[areas["area_code"].isin(districts | {csp})],
    }


@pytest.mark.parametrize("partner", sorted(CSP_PARTNERS))
def test_a_csp_export_depends_only_on_its_own_areas_rows(tables, partner):
    csp = CSP_PARTNERS[partner]
    for q in QUARTERS:
        win = window(q, pd.Timestamp("2023-04-01").date())
        everything = build_partner(tables, partner, win)
        own = build_partner(own_area_only(tables, csp), partner, win)
        for name, frame in everything.published.items():
            pd.testing.assert_frame_equal(frame, own.published[name], obj=f"{partner} {name}")


@pytest.mark.parametrize("partner", sorted(CSP_PARTNERS))
def test_a_csp_export_names_no_other_area_and_no_llr_comparator(tables, partner):
    csp = CSP_PARTNERS[partner]
    geo = tables["dim_geography"]
    own_districts = set(geo.loc[geo["csp_name"] == csp, "district_code"])
    others = (set(geo["district_code"]) - own_districts) | (set(CSP_PARTNERS.values()) - {csp})
    win = window("2023-24Q4", pd.Timestamp("2023-04-01").date())
    built = build_partner(tables, partner, win)
    area = built.published["sv_by_area"]
    assert set(area["area_code"]) == own_districts | {csp}
    assert set(area["area_level"]) == {"district", "csp"}
    files = render_files(built, partner, win)
    for name, data in files.items():
        if not name.endswith(".csv"):
            continue
        text = data.decode("utf-8")
        assert "LLR" not in text and "Leicester, Leicestershire and Rutland" not in text, name
        for other in others:
            assert other not in text, (name, other)
    total = tables["fct_serious_violence"].merge(geo[["beat_code", "csp_name"]], on="beat_code")
    in_q4 = total[(total["csp_name"] == csp) & (total["recorded_date"] >= "2024-01-01")
                  & (total["recorded_date"] < "2024-04-01")]
    groups = built.raw["sv_by_offence_group"]
    shown = groups[(groups["period"] == "2023-24Q4") & (groups["sv_group"] == "all")]
    assert int(shown["offences"].iloc[0]) == len(in_q4)
