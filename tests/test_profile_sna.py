"""opcc's strategic needs assessment profile (exports/profiles/sna.py), built from
hand-made published frames: what disclosure control left, `[c]` and `[x]` included.

DESIGN.md "Profiles": the SNA's chapters, in its order, from the tables opcc receives;
every figure from the published tables; a `[c]` never drawn or printed as a number.
"""

from __future__ import annotations

import re
from datetime import date
from types import SimpleNamespace

import pandas as pd
import pytest

from exports.profiles.charts import BarChart, HeatMap, LineChart
from exports.profiles.document import Chart, Document, Headlines, Paragraph, Table
from exports.profiles.html import html_bytes
from exports.profiles.pdf import pdf_bytes
from exports.profiles.sna import build_sna_profile

C, X = "[c]", "[x]"
Q1 = ("2024-25Q1", date(2024, 4, 1), date(2024, 6, 30))
Q2 = ("2024-25Q2", date(2024, 7, 1), date(2024, 9, 30))
R12 = ("12m_to_2024-25Q2", date(2023, 10, 1), date(2024, 9, 30))
# Figures behind a `[c]` that secondary suppression hid: large enough to be recognised
# if the profile ever worked one out from a total and its other parts.
HIDDEN = (737, 1737)


def _periods(rows: list[tuple], columns: list[str]) -> pd.DataFrame:
    return pd.DataFrame([(p[0], p[1], p[2], *r) for p, *r in rows],
                        columns=["period", "period_start", "period_end", *columns])


def sv_by_area() -> pd.DataFrame:
    columns = ["area_level", "area_code", "area_name", "offences", "offences_year_earlier",
               "change_on_year_earlier", "population", "rate_per_1000"]
    rows = []
    for p, scale in ((Q1, 1), (Q2, 1), (R12, 4)):
        rows += [
            (p, "llr", "LLR", "Leicester, Leicestershire and Rutland", 2453 * scale,
             2380 * scale, 0.0307, 1136705, 2.158 * scale),
            (p, "la", "E06000016", "Leicester", 1210 * scale, 1200 * scale, 0.0083, 373399,
             3.24 * scale),
            (p, "la", "E06000017", "Rutland", C, C, C, 41151, C),
            (p, "district", "E06000016", "Leicester", 1210 * scale, 1200 * scale, 0.0083,
             373399, 3.24 * scale),
            (p, "district", "E07000130", "Charnwood", X, X, X, 184748, X),
        ]
    return _periods(rows, columns)


def sv_by_month() -> pd.DataFrame:
    months = pd.date_range("2023-10-01", periods=12, freq="MS").date
    return pd.DataFrame({
        "month": months,
        "offences": [800 + i for i in range(11)] + [X],
        "knife_sharp_offences": [40, C, 41, 42, 43, 44, 45, 46, 47, 48, 49, X],
        "domestic_abuse_offences": [C] * 11 + [X],  # every month suppressed: not drawn
        "sexual_violence_offences": [70 + i for i in range(11)] + [X],
    })


def sv_by_group() -> pd.DataFrame:
    columns = ["sv_group", "offences", "offences_year_earlier", "change_on_year_earlier"]
    rows = []
    for p in (Q1, Q2, R12):
        rows += [(p, "violence_with_injury", 3020, 2900, 0.0414),
                 (p, "stalking_harassment", 3163, 3300, -0.0415),
                 (p, "homicide", C, C, C),
                 (p, "robbery", C, 240, C),  # secondary: the true figure is HIDDEN[0]
                 (p, "all", 6920, 6440, 0.0745)]
    return _periods(rows, columns)


def sv_by_location() -> pd.DataFrame:
    rows = []
    for p in (Q1, Q2, R12):
        rows += [(p, "dwelling", 4928), (p, "public_open_place", 1624),
                 (p, "not_recorded", C), (p, "all", 6600)]
    return _periods(rows, ["location_type", "offences"])


def sv_by_weekday_hour() -> pd.DataFrame:
    rows = [(R12, str(d), str(h), C if (d, h) == (1, 4) else 100 + d + h)
            for d in range(1, 8) for h in range(24)]
    rows += [(R12, str(d), "unknown", 0) for d in range(1, 8)]
    return _periods(rows, ["weekday", "hour", "offences"])


def people_rates() -> pd.DataFrame:
    rows = []
    for role in ("victim", "suspect"):
        for band, base in (("0-9", 30), ("10-17", 400), ("18-24", 900), ("all", 4000)):
            for sex, share in (("F", 0.45), ("M", 0.55), ("all", 1.0)):
                persons = C if (role, band, sex) == ("suspect", "0-9", "F") else \
                    round(base * share)
                rate = C if persons == C else round(persons / 100, 3)
                rows.append(("2023-24", role, band, sex, persons, 100_000, rate))
    return pd.DataFrame(rows, columns=["financial_year", "role", "age_band", "sex",
                                       "persons", "population", "rate_per_1000"])


def repeat_people() -> pd.DataFrame:
    return pd.DataFrame([
        ("2023-24", "victim", "serious_violence", 9000, 1200, 0.1333, 1500),
        ("2023-24", "suspect", "serious_violence", 7000, 900, 0.1286, X),
        ("2023-24", "suspect", "rasso", 800, C, C, C),
    ], columns=["financial_year", "role", "domain", "persons", "persons_repeat",
                "share_repeat", "persons_again_12m"])


def health() -> pd.DataFrame:
    rows = [(R12, "ae", 1005), (R12, "admission", 165), (R12, "ambulance", C),
            (R12, "all", C)]
    return _periods(rows, ["source", "events"])


def rasso_performance() -> pd.DataFrame:
    months = [date(2024, m, 28) for m in range(4, 10)]
    return pd.DataFrame({
        "month_end": months,
        "rapes_12m": [1490, 1488, 1485, 1480, 1478, 1475],
        "rapes_per_1000_12m": [1.31, 1.31, 1.31, 1.30, 1.30, 1.30],
        "charged_12m": [85, 86, 88, 89, 90, 134],
        "charge_rate_12m": [0.057, 0.058, 0.059, 0.060, 0.061, 0.091],
        "charge_rate_target": [0.08] * 6,
        "victim_not_supporting_rate_12m": [0.46, 0.46, 0.46, C, 0.46, 0.46],
    })


def rasso_outcomes() -> pd.DataFrame:
    rows = []
    for p in (Q1, Q2, R12):
        rows += [(p, "charged", 23), (p, "victim_not_supporting", 175),
                 (p, "other_outcome", C), (p, "under_investigation", C), (p, "all", 362)]
    return _periods(rows, ["outcome_group", "rapes"])


def custody_detentions() -> pd.DataFrame:
    rows = []
    for p in (Q1, Q2, R12):
        rows += [(p, "EUS", 2254, 216, 11.36), (p, "BEA", X, X, X),
                 (p, "all", 3790, C, 11.43)]
    return _periods(rows, ["suite_code", "detentions", "juvenile_detentions",
                           "median_detention_hours"])


def icv_visits() -> pd.DataFrame:
    rows = []
    for p in (Q1, Q2, R12):
        rows += [(p, "EUS", 13, 10, 188, 77, C, C, 0.4096, C),
                 (p, "BEA", 0, 0, 0, 0, 0, 0, None, None),
                 (p, "all", 26, 22, 299, 112, C, C, 0.3746, C)]
    return _periods(rows, ["suite_code", "visits", "immediate_access_visits",
                           "detainees_in_cells", "offered", "agreed", "refused",
                           "offered_rate", "agreed_rate"])


def sarc_returns() -> pd.DataFrame:
    return pd.DataFrame({"fy_quarter": ["2024-25Q1", "2024-25Q2"],
                         "referrals_received": [80, 74], "self_referral": [C, C],
                         "complaints": [0, X]})


def cohort_risk_factors() -> pd.DataFrame:
    rows = []
    for subgroup, persons in (("all", 420), ("murder_attempted_murder", 60)):
        for factor, n in (("looked_after", 40), ("persistent_absence", 150),
                          ("earlier_offending", 210), ("earlier_custody", C), ("any", 300)):
            rows.append((subgroup, factor, persons, n, C if n == C else 1.2))
    return pd.DataFrame(rows, columns=["subgroup", "factor", "persons",
                                       "persons_with_factor", "avg_factors_per_person"])


def force_comparison() -> pd.DataFrame:
    rows = []
    for force, is_llr, vwi in (("Leicestershire", True, 9.61), ("Kent", False, 11.2),
                               ("Surrey", False, 6.1)):
        for measure, rate in (("violence_with_injury", vwi), ("homicide", C),
                              ("robbery", 0.9)):
            rows.append(("2023-24", force, is_llr, measure, 10_000, 1_000_000, rate, 6, 43,
                         8.82 if measure != "homicide" else 0.01))
    return pd.DataFrame(rows, columns=[
        "financial_year", "force_name", "is_llr", "measure", "offences", "population",
        "rate_per_1000", "rank", "forces_ranked", "england_wales_rate_per_1000"])


ALL_TABLES = {
    "sna_sv_by_area": sv_by_area, "sna_sv_by_month": sv_by_month,
    "sna_sv_by_group": sv_by_group, "sna_sv_by_location": sv_by_location,
    "sna_sv_by_weekday_hour": sv_by_weekday_hour, "sna_people_rates": people_rates,
    "sna_repeat_people": repeat_people, "sna_health": health,
    "rasso_performance": rasso_performance, "rasso_outcomes": rasso_outcomes,
    "sarc_returns": sarc_returns, "custody_detentions": custody_detentions,
    "icv_visits": icv_visits, "sna_cohort_risk_factors": cohort_risk_factors,
    "sna_force_comparison": force_comparison,
}
TODAY = ("rasso_outcomes", "rasso_performance", "custody_detentions", "icv_visits",
         "sarc_returns")
SNA_ORDER = ("extent", "nature", "geography", "timing", "people", "health", "rasso",
             "services", "custody", "cohort", "forces", "about")


def profile(names: tuple[str, ...] | None = None) -> Document:
    published = {n: make() for n, make in ALL_TABLES.items() if names is None or n in names}
    export = SimpleNamespace(
        partner=SimpleNamespace(name="opcc", owner="Office of the Police and Crime "
                                                  "Commissioner for Leicestershire"),
        fy_quarter="2024-25Q2", reads={n: ("police/crimes",) for n in published})
    built = SimpleNamespace(published=published, tables=[
        SimpleNamespace(name=n, kind="health" if n == "sna_health" else "police_council")
        for n in published])
    return build_sna_profile(export, built)


@pytest.fixture(scope="module")
def full() -> Document:
    return profile()


def texts(doc: Document) -> list[str]:
    """Every piece of text a reader sees or hears, charts' words included."""
    out = [doc.title, doc.subtitle]
    for s in doc.sections:
        out.append(s.heading)
        for b in s.blocks:
            if isinstance(b, Paragraph):
                out.append(b.text)
            elif isinstance(b, Headlines):
                out += [f"{t.label} {t.value} {t.change} {t.rate} {t.period}" for t in b.tiles]
            elif isinstance(b, Table):
                out += [b.caption, *b.header, *(c for r in b.rows for c in r)]
            elif isinstance(b, Chart):
                out += [b.title, b.alt, b.note]
    return out


def chart_values(chart: Chart) -> list[object]:
    spec = chart.spec
    if isinstance(spec, HeatMap):
        return [v for row in spec.values for v in row]
    return [v for s in spec.series for v in s.values]


def test_chapters_follow_the_sna_order(full: Document) -> None:
    keys = [s.key for s in full.sections]
    assert keys == list(SNA_ORDER)


def test_chapters_are_built_only_from_the_tables_opcc_receives() -> None:
    keys = [s.key for s in profile(TODAY).sections]
    assert keys == ["rasso", "services", "custody", "about"]
    keys = [s.key for s in profile((*TODAY, "sna_sv_by_area", "sna_force_comparison"))
            .sections]
    assert keys == ["extent", "geography", "rasso", "services", "custody", "forces",
                    "about"]


def test_nothing_from_no_tables_but_what_the_figures_are() -> None:
    assert [s.key for s in profile(()).sections] == ["about"]


def test_the_change_is_said_in_words(full: Document) -> None:
    said = " ".join(texts(full))
    assert ("Serious violence in Leicester, Leicestershire and Rutland rose by 3% to 9,812 "
            "offences in the 12 months to September 2024.") in said
    assert ("The rape charge rate was 9.1% in the 12 months to September 2024, against the "
            "force's target of 8%") in said


def test_no_target_is_said_when_no_table_carries_one() -> None:
    published = rasso_performance().drop(columns=["charge_rate_target"])
    export = SimpleNamespace(partner=SimpleNamespace(name="opcc", owner="OPCC"),
                             fy_quarter="2024-25Q2", reads={})
    doc = build_sna_profile(export, SimpleNamespace(
        published={"rasso_performance": published}, tables=[]))
    said = " ".join(texts(doc))
    assert "The rape charge rate was 9.1%" in said
    assert "target" not in said.lower()


def test_no_suppressed_figure_appears_as_a_number(full: Document) -> None:
    said = " ".join(texts(full))
    for hidden in HIDDEN:
        assert not re.search(rf"\b{hidden:,}\b|\b{hidden}\b", said)
    for chart in full.charts():
        for v in chart_values(chart):
            assert isinstance(v, (int, float)) or v in (C, X) or v is None, (chart.title, v)
            assert v not in HIDDEN


def test_a_suppressed_cell_is_drawn_as_a_gap_and_said_as_suppressed(full: Document) -> None:
    groups = next(c for c in full.charts() if "serious violence group" in c.title)
    assert C in chart_values(groups)
    assert "suppressed" in groups.alt
    heat = next(c for c in full.charts() if isinstance(c.spec, HeatMap))
    assert C in chart_values(heat) and "suppressed" in heat.alt


def test_a_month_suppressed_throughout_is_not_drawn_but_named(full: Document) -> None:
    kinds = next(c for c in full.charts() if c.spec.key == "trend-kinds")
    assert "Domestic abuse-related" not in [s.name for s in kinds.spec.series]
    assert "Domestic abuse-related" in kinds.note


def test_not_available_is_never_a_zero(full: Document) -> None:
    area = next(b for s in full.sections if s.key == "geography" for b in s.blocks
                if isinstance(b, Table))
    charnwood = next(r for r in area.rows if r[0] == "Charnwood")
    assert charnwood[1] == X and charnwood[3] == X
    trend = next(c for c in full.charts() if c.spec.key == "trend-all")
    assert chart_values(trend)[-1] == X
    assert "Sep 2024: not available" in trend.alt


def test_a_share_over_nobody_is_a_dash_not_not_available(full: Document) -> None:
    icv = next(b for s in full.sections if s.key == "custody" for b in s.blocks
               if isinstance(b, Table) and "custody visits" in b.caption)
    bea = next(r for r in icv.rows if r[0] != "All" and r[1] == "0")
    assert bea[-1] == "–" and bea[-2] == "–"


def test_every_chart_has_a_title_axis_labels_and_a_text_alternative(full: Document) -> None:
    assert full.charts()
    for chart in full.charts():
        spec = chart.spec
        assert chart.title and chart.alt.startswith(chart.title)
        if isinstance(spec, BarChart):
            assert spec.value_axis and spec.category_axis
        elif isinstance(spec, LineChart):
            assert spec.y_axis and spec.x_axis
        else:
            assert spec.row_axis and spec.column_axis
    keys = [c.spec.key for c in full.charts()]
    assert len(keys) == len(set(keys))


def test_the_profile_renders_as_html_and_pdf(full: Document) -> None:
    page = html_bytes(full).decode()
    assert page.count("<svg") == len(full.charts())
    assert "<script" not in page and "src=\"http" not in page
    pdf = pdf_bytes(full)
    assert pdf.startswith(b"%PDF")


def test_the_profile_renders_before_the_sna_tables_land() -> None:
    doc = profile(TODAY)
    assert html_bytes(doc) and pdf_bytes(doc).startswith(b"%PDF")
