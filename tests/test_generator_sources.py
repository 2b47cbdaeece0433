"""The generator's non-person sources (health, OPCC ICV visits, commissioning, police.uk),
checked the way `published-figures.md` counts: straight from the files.

Each test calls the source writers directly on a temporary landing folder, so none of them
depends on the rest of the generator. Expected figures are written out from the papers
(003 SNA, SV Duty and ICV report; 000 returns), not imported from the generator.
"""

from __future__ import annotations

import csv
import hashlib
import io
import re
from collections import Counter
from datetime import date, datetime
from pathlib import Path

import openpyxl
import pytest

from ingest import specs
from synthetic import commissioning, health, opcc, policeuk
from synthetic.common import GenContext
from vrn import periods
from vrn.reference import LLR_DISTRICT_CODES

POPULATION_LLR = 1_136_705
SOURCE_WRITERS = (health, opcc, commissioning, policeuk)
CSV_ENTITIES = {e.entity: e for e in (specs.AE_ASSAULTS, specs.ASSAULT_ADMISSIONS,
                                      specs.AMBULANCE_ASSAULTS, specs.ICV_VISITS,
                                      specs.FUNDING)}


def generate(tmp: Path, *, start: date = date(2019, 4, 1), end: date = date(2025, 3, 31),
             scale: float = 1.0, defects: float = 0.0, seed: int = 42) -> GenContext:
    ctx = GenContext(out=tmp / "landing", truth=tmp / "truth", seed=seed, scale=scale,
                     start=start, end=end, defect_rate=defects)
    for writer in SOURCE_WRITERS:
        writer.write(ctx)
    return ctx


@pytest.fixture(scope="module")
def drop(tmp_path_factory: pytest.TempPathFactory) -> GenContext:
    """The default drop (seed 42, scale 1.0, 2019-04-01 to 2025-03-31), no defects."""
    return generate(tmp_path_factory.mktemp("drop"))


@pytest.fixture(scope="module")
def defect_drop(tmp_path_factory: pytest.TempPathFactory) -> GenContext:
    return generate(tmp_path_factory.mktemp("defects"), start=date(2022, 4, 1),
                    end=date(2024, 3, 31), scale=0.5, defects=0.08)


# ---------------------------------------------------------------------------------------
# Reading files the way the spec describes them.


def read_csv(path: Path) -> tuple[list[str], list[dict[str, str]]]:
    text = path.read_bytes().decode("utf-8-sig")
    reader = csv.reader(io.StringIO(text, newline=""))
    header = next(reader)
    return header, [dict(zip(header, r, strict=True)) for r in reader]


def parse_when(value: str) -> datetime:
    for fmt in ("%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M", "%d/%m/%Y %H:%M:%S", "%d/%m/%Y %H:%M"):
        try:
            return datetime.strptime(value, fmt)
        except ValueError:
            pass
    raise ValueError(value)


def rows_of(ctx: GenContext, entity: str, year: str) -> list[dict[str, str]]:
    source = CSV_ENTITIES[entity].source
    out = []
    for q in range(1, 5):
        path = ctx.out / source / f"{entity}_{year}Q{q}.csv"
        if path.exists():
            out += read_csv(path)[1]
    return out


def llr(rows: list[dict[str, str]]) -> list[dict[str, str]]:
    return [r for r in rows if r["lad_code"] in LLR_DISTRICT_CODES]


def pct_change(new: int, old: int) -> float:
    return round(100 * (new - old) / old, 1)


# ---------------------------------------------------------------------------------------
# Health (003 SNA, SV Duty para 26).


def test_ae_attendances_2022_23_are_1001_up_19_9_percent(drop: GenContext) -> None:
    this, last = (len(llr(rows_of(drop, "ae_assaults", y))) for y in ("2022-23", "2021-22"))
    assert this == 1001
    assert pct_change(this, last) == 19.9


def test_assault_admissions_2022_23_are_164_up_5_8_percent(drop: GenContext) -> None:
    this, last = (len(llr(rows_of(drop, "assault_admissions", y)))
                  for y in ("2022-23", "2021-22"))
    assert this == 164
    assert pct_change(this, last) == 5.8


def test_admissions_by_means_per_1000_match_the_sna_table(drop: GenContext) -> None:
    by_means = Counter(r["external_cause"][:3] for r in llr(rows_of(drop, "assault_admissions",
                                                                        "2022-23")))
    rates = {m: round(1000 * n / POPULATION_LLR, 3) for m, n in by_means.items()}
    assert {m: rates[m] for m in ("Y04", "X99", "Y09", "Y08", "Y05")} == {
        "Y04": 0.080, "X99": 0.025, "Y09": 0.020, "Y08": 0.006, "Y05": 0.004}
    top_five = {m for m, _ in by_means.most_common(5)}
    assert top_five == {"Y04", "X99", "Y09", "Y08", "Y05"}
    assert all(re.fullmatch(r"X8[5-9]|X9\d|Y0\d", m) for m in by_means)


@pytest.mark.parametrize(("year", "all_ages", "under_25"),
                         [("2019-20", 51, 19), ("2023-24", 38, 13)])
def test_sharp_object_admissions_are_the_sv_duty_measures(
        drop: GenContext, year: str, all_ages: int, under_25: int) -> None:
    x99 = [r for r in llr(rows_of(drop, "assault_admissions", year))
           if r["external_cause"].startswith("X99")]
    assert abs(len(x99) - all_ages) <= 6
    assert abs(sum(int(r["age"]) < 25 for r in x99) - under_25) <= 4


def test_external_cause_written_three_ways(drop: GenContext) -> None:
    causes = {r["external_cause"] for r in rows_of(drop, "assault_admissions", "2022-23")}
    assert any(re.fullmatch(r"[XY]\d\d", c) for c in causes)
    assert any(re.fullmatch(r"[XY]\d\d\.\d", c) for c in causes)
    assert any(re.fullmatch(r"[XY]\d{3}", c) for c in causes)


def test_stays_run_0_to_30_days_mostly_3_or_fewer_and_cost_about_2375(
        drop: GenContext) -> None:
    rows = llr(rows_of(drop, "assault_admissions", "2022-23"))
    stays = [(parse_when(r["discharged_at"]).date() - parse_when(r["admitted_at"]).date()).days
             for r in rows if r["discharged_at"]]
    assert min(stays) == 0 and max(stays) == 30
    assert sum(s <= 3 for s in stays) > len(stays) / 2
    costs = [float(r["cost_gbp"]) for r in rows if r["cost_gbp"]]
    assert abs(sum(costs) / len(costs) - 2375) < 25


def test_ambulance_shares_and_conveyance_match_the_sna(drop: GenContext) -> None:
    rows = llr(rows_of(drop, "ambulance_assaults", "2022-23"))
    stab = [r for r in rows if r["category"] == "stab_gunshot_penetrating"]
    assert round(100 * (len(rows) - len(stab)) / len(rows), 1) == 75.0
    assert round(100 * sum(r["conveyed"] == "Y" for r in rows) / len(rows), 1) == 52.3
    assert round(100 * sum(r["conveyed"] == "Y" for r in stab) / len(stab), 1) == 70.3


def test_other_years_have_realistic_health_volumes(drop: GenContext) -> None:
    for year in ("2019-20", "2020-21", "2023-24", "2024-25"):
        assert 600 <= len(llr(rows_of(drop, "ae_assaults", year))) <= 1600
        assert 120 <= len(llr(rows_of(drop, "assault_admissions", year))) <= 260
        assert 1000 <= len(llr(rows_of(drop, "ambulance_assaults", year))) <= 2000


def test_health_has_out_of_area_rows_and_blank_lsoas(drop: GenContext) -> None:
    rows = rows_of(drop, "ae_assaults", "2022-23")
    outside = [r for r in rows if r["lad_code"] not in LLR_DISTRICT_CODES]
    assert outside and all(re.fullmatch(r"E0\d{7}", r["lad_code"]) for r in outside)
    assert any(r["lsoa21_code"] == "" for r in rows)
    assert all(re.fullmatch(r"E01\d{6}", r["lsoa21_code"]) for r in rows if r["lsoa21_code"])


def test_health_is_anonymised(drop: GenContext) -> None:
    for entity in ("ae_assaults", "assault_admissions", "ambulance_assaults"):
        header, _ = read_csv(drop.out / "health" / f"{entity}_2022-23Q1.csv")
        assert not any(h.startswith("tok_") for h in header)
        assert not {h.lower() for h in header} & specs.RAW_IDENTIFIER_COLUMNS


def test_diagnoses_come_from_the_injury_code_list(drop: GenContext) -> None:
    known = set(health.injury_codes())
    assert {r["primary_diagnosis"] for r in rows_of(drop, "assault_admissions", "2022-23")} <= known


# ---------------------------------------------------------------------------------------
# ICV (003, ICV annual report 2023-24).

REPORT_GRIDS = {
    "EUS": [[1, 2, 2, 2, 3], [0, 1, 1, 2, 1], [1, 0, 1, 2, 2], [1, 1, 1, 1, 3],
            [1, 1, 2, 2, 2], [1, 2, 1, 1, 1], [1, 3, 2, 2, 1]],
    "KEY": [[0, 3, 2, 3, 2], [0, 1, 0, 4, 1], [1, 2, 0, 1, 2], [1, 1, 1, 2, 2],
            [1, 3, 1, 1, 1], [1, 3, 1, 2, 1], [1, 1, 2, 1, 1]],
}
COUNT_COLUMNS = ("detainees_in_cells", "offered", "not_offered_on_advice", "unavailable",
                 "asleep_observed", "agreed", "refused")


def test_icv_2023_24_visits_and_access_match_the_report(drop: GenContext) -> None:
    rows = rows_of(drop, "icv_visits", "2023-24")
    assert len(rows) == 101
    assert Counter(r["suite_code"] for r in rows) == {"EUS": 51, "KEY": 50}
    waits = [(parse_when(r["admitted_at"]) - parse_when(r["arrived_at"])).total_seconds() / 60
             for r in rows]
    assert sum(w <= 5 for w in waits) == 91
    assert sum(5 < w <= 15 for w in waits) == 1
    assert sum(w > 15 for w in waits) == 9


def test_icv_2023_24_detainees_match_the_report(drop: GenContext) -> None:
    rows = rows_of(drop, "icv_visits", "2023-24")
    totals = {c: sum(int(r[c]) for r in rows) for c in COUNT_COLUMNS}
    assert totals == {"detainees_in_cells": 1096, "offered": 407, "not_offered_on_advice": 72,
                      "unavailable": 222, "asleep_observed": 395, "agreed": 365, "refused": 42}


def test_icv_2023_24_food_and_drink_most_reported_then_cell_condition(
        drop: GenContext) -> None:
    issues = Counter(i for r in rows_of(drop, "icv_visits", "2023-24")
                     for i in r["issues"].split(";") if i)
    (first, n1), (second, n2), (_, n3) = issues.most_common(3)
    assert (first, second) == ("food_drink", "cell_condition") and n1 > n2 > n3


def test_icv_2023_24_visit_grids_match_the_report(drop: GenContext) -> None:
    slots = ((0, 8), (8, 12), (12, 16), (16, 20), (20, 24))
    for suite, expected in REPORT_GRIDS.items():
        grid = [[0] * 5 for _ in range(7)]
        for r in rows_of(drop, "icv_visits", "2023-24"):
            if r["suite_code"] == suite:
                t = parse_when(r["arrived_at"])
                slot = next(i for i, (lo, hi) in enumerate(slots) if lo <= t.hour < hi)
                grid[t.weekday()][slot] += 1
        assert grid == expected, suite


def test_icv_rows_add_up_in_every_year(drop: GenContext) -> None:
    for fy in periods.financial_years_between(drop.start, drop.end):
        rows = rows_of(drop, "icv_visits", fy.label)
        assert 40 <= len(rows) <= 130, fy.label
        for r in rows:
            n = {c: int(r[c]) for c in COUNT_COLUMNS}
            assert (n["offered"] + n["not_offered_on_advice"] + n["unavailable"]
                    + n["asleep_observed"]) == n["detainees_in_cells"]
            assert n["agreed"] + n["refused"] == n["offered"]


def test_icv_visits_do_not_follow_scale(tmp_path: Path) -> None:
    ctx = generate(tmp_path, start=date(2023, 4, 1), end=date(2024, 3, 31), scale=0.05)
    assert len(rows_of(ctx, "icv_visits", "2023-24")) == 101


# ---------------------------------------------------------------------------------------
# Commissioning (000 returns; 003 Op Soteria para 19).

PUBLISHED_2024_25Q2 = {
    "sarc": {
        "referrals_received": 74, "referrals_declined": 5, "referrals_from_out_of_area": 5,
        "individuals_supported": 70, "female": 64, "male": 6, "referred_by_police": 50,
        "self_referral": 4, "other_referral_source": 16, "forensic_examinations": 42,
        "forensic_examinations_in_hospital": 1, "hiv_prep_started": 6,
        "emergency_contraception_given": 20, "hepatitis_b_vaccination_started": 19,
        "referred_to_sexual_health_services": 27,
        "forensic_examination_within_60_minutes": 100, "complaints": 0,
    },
    "cyp_sarc": {
        "children_assessed_all_areas": 91, "children_assessed_llr": 20, "referred_for_rape": 15,
        "referred_for_sexual_assault": 5, "female": 20, "male": 0, "referred_by_police": 18,
        "referred_by_social_care": 2, "other_referral_source": 0, "looked_after_children": 3,
        "self_harm_behaviours": 8, "learning_disability": 4, "offered_onward_therapy": 18,
        "declined_onward_therapy": 4,
    },
    "isva": {
        "referrals_received": 238, "leicester": 105, "leicestershire": 126, "rutland": 5,
        "out_of_area": 2, "declined_further_engagement": 23,
        "supported_with_a_support_plan": 212, "average_length_of_support_months": 12.5,
        "longest_support_months": 88.8,
    },
}


def measure(label: str) -> str:
    """returns.md: lower-case, runs of other characters as one `_`, none at the ends."""
    return re.sub(r"[^a-z0-9]+", "_", label.lower()).strip("_")


def read_return(path: Path, service: str) -> dict[str, float]:
    """Label → value as returns.md reads a form: labels ignoring case, surrounding spaces
    and a trailing colon; required labels only; numbers may be stored as text."""
    wanted = {measure(lab): lab for lab in specs.RETURN_LABELS[service]}
    ws = openpyxl.load_workbook(path, read_only=True)["Return"]
    found: dict[str, float] = {}
    for i, row in enumerate(ws.iter_rows(values_only=True)):
        label, value = (*row, None, None)[:2]
        if i == 0 or label is None:
            continue
        key = measure(str(label).strip().removesuffix(":").strip())
        if key in wanted:
            assert key not in found, f"{path.name}: {label!r} twice"
            assert value is not None and not isinstance(value, bool), f"{path.name}: {label!r}"
            found[key] = float(value)
    assert set(found) == set(wanted), f"{path.name}: missing {set(wanted) - set(found)}"
    for key, v in found.items():
        if wanted[key] not in specs.RETURN_DECIMAL_LABELS:
            assert v == int(v), f"{path.name}: {wanted[key]} = {v}"
    return found


def return_problems(service: str, v: dict[str, float]) -> list[str]:
    """The checks of returns.md."""
    problems = []
    if service == "sarc":
        for parts in (("female", "male"),
                      ("referred_by_police", "self_referral", "other_referral_source")):
            if sum(v[p] for p in parts) != v["individuals_supported"]:
                problems.append(f"{parts} != individuals_supported")
        if not 0 <= v["forensic_examination_within_60_minutes"] <= 100:
            problems.append("percentage outside 0-100")
    elif service == "cyp_sarc":
        for parts in (("female", "male"), ("referred_for_rape", "referred_for_sexual_assault"),
                      ("referred_by_police", "referred_by_social_care",
                       "other_referral_source")):
            if sum(v[p] for p in parts) != v["children_assessed_llr"]:
                problems.append(f"{parts} != children_assessed_llr")
    else:
        if (v["leicester"] + v["leicestershire"] + v["rutland"] + v["out_of_area"]
                != v["referrals_received"]):
            problems.append("area split != referrals_received")
        if v["supported_with_a_support_plan"] > (v["referrals_received"]
                                                 - v["declined_further_engagement"]):
            problems.append("supported with a plan > referrals - declined")
    return problems


def test_returns_2024_25Q2_carry_the_published_figures(drop: GenContext) -> None:
    for service, expected in PUBLISHED_2024_25Q2.items():
        path = drop.out / "commissioning" / f"{service}_return_2024-25Q2.xlsx"
        assert read_return(path, service) == expected
    cyp = PUBLISHED_2024_25Q2["cyp_sarc"]
    assert round(100 * cyp["children_assessed_llr"] / cyp["children_assessed_all_areas"]) == 22


def test_every_return_passes_the_returns_checks(drop: GenContext) -> None:
    for q in periods.quarters_between(drop.start, drop.end):
        for service in specs.RETURN_LABELS:
            path = drop.out / "commissioning" / f"{service}_return_{q.label}.xlsx"
            ws = openpyxl.load_workbook(path, read_only=True)["Return"]
            assert next(ws.iter_rows(values_only=True))[0], f"{path.name}: no title"
            assert return_problems(service, read_return(path, service)) == [], path.name


def test_return_labels_vary_as_returns_md_allows(drop: GenContext) -> None:
    labels, text_numbers = set(), 0
    for path in (drop.out / "commissioning").glob("*_return_*.xlsx"):
        for row in openpyxl.load_workbook(path, read_only=True)["Return"].iter_rows(
                values_only=True):
            label, value = (*row, None, None)[:2]
            if isinstance(label, str):
                labels.add(label)
            text_numbers += isinstance(value, str) and value.replace(".", "").isdigit()
    assert any(lab.endswith(":") for lab in labels)
    assert any(lab != lab.strip() for lab in labels)
    assert any(lab.isupper() for lab in labels) and any(lab.islower() for lab in labels)
    assert text_numbers > 0


OP_SOTERIA_FUNDING = {
    ("Juniper Lodge (Sexual Assault Referral Centre)", None): 67906.00,
    ("New Dawn New Day", None): 32050.00,
    ("Freeva", "HES"): 434708.00,
    ("Freeva", "DASV"): 176539.00,
    ("Leicester Rape Crisis", None): 43500.00,
    ("Quetzal", None): 7625.00,
    ("Victim First", None): 508845.00,
    ("Women's Aid Leicestershire", None): 64294.00,
    ("Living Without Abuse", None): 132981.00,
    ("Hampton Trust - Cara", None): 44000.00,
}


def test_funding_2023_24_is_the_op_soteria_table(drop: GenContext) -> None:
    header, rows = read_csv(drop.out / "commissioning" / "funding_2023-24.csv")
    assert header == specs.FUNDING.header
    found = {}
    for r in rows:
        assert r["financial_year"] == "2023-24"
        assert r["service_category"] in specs.SERVICE_CATEGORIES
        service = r["service"].split(" ")[0] if r["provider"] == "Freeva" else None
        found[(r["provider"], service)] = float(r["amount_gbp"])
    assert found == OP_SOTERIA_FUNDING


def test_funding_every_year_with_unique_keys(drop: GenContext) -> None:
    for fy in periods.financial_years_between(drop.start, drop.end):
        _, rows = read_csv(drop.out / "commissioning" / f"funding_{fy.label}.csv")
        keys = [(r["provider"], r["service"], r["financial_year"]) for r in rows]
        assert len(keys) == len(set(keys)) >= 9
        assert all(r["financial_year"] == fy.label for r in rows)
        assert all(float(r["amount_gbp"]) > 0 for r in rows)


# ---------------------------------------------------------------------------------------
# police.uk, headers and file formats.


def test_policeuk_months_are_copied_byte_for_byte(drop: GenContext) -> None:
    for month in ("2023-01", "2023-02"):
        name = f"{month}-leicestershire-street.csv"
        copied = drop.out / "policeuk" / name
        assert copied.read_bytes() == (policeuk.POLICEUK_MONTHS / name).read_bytes()


def test_headers_are_the_specs(drop: GenContext) -> None:
    for path in sorted(drop.out.glob("*/*.csv")):
        if path.parent.name == "policeuk":
            assert read_csv(path)[0] == list(specs.POLICEUK_HEADER)
            continue
        entity = CSV_ENTITIES[path.stem.rsplit("_", 1)[0]]
        assert read_csv(path)[0] == entity.header, path.name


def test_the_drop_shows_every_encoding_line_ending_and_date_style(drop: GenContext) -> None:
    seen: set[str] = set()
    for path in sorted(drop.out.glob("*/*.csv")):
        if path.parent.name == "policeuk":
            continue
        raw = path.read_bytes()
        seen.add("bom" if raw.startswith(b"\xef\xbb\xbf") else "utf-8")
        seen.add("crlf" if b"\r\n" in raw else "lf")
        text = raw.decode("utf-8-sig")
        if re.search(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d", text):
            seen |= {"iso", "seconds"}
        if re.search(r"\d\d/\d\d/\d{4} \d\d:\d\d(?!:)", text):
            seen |= {"uk", "no_seconds"}
        if b"\r\n" in raw:  # one line ending per file
            assert raw.count(b"\n") == raw.count(b"\r\n"), f"{path.name} mixes line endings"
    assert seen == {"bom", "utf-8", "crlf", "lf", "iso", "uk", "seconds", "no_seconds"}


@pytest.mark.parametrize("which", ["drop", "defect_drop"])
def test_no_key_is_shared_across_periods(which: str, request: pytest.FixtureRequest) -> None:
    ctx: GenContext = request.getfixturevalue(which)
    keys = {"ae_assaults": "attendance_ref", "assault_admissions": "spell_ref",
            "ambulance_assaults": "incident_ref", "icv_visits": "visit_ref"}
    for entity, key in keys.items():
        source = CSV_ENTITIES[entity].source
        per_file = [{r.get(key) for r in read_csv(p)[1]}
                    for p in (ctx.out / source).glob(f"{entity}_*.csv")]
        assert sum(map(len, per_file)) == len(set().union(*per_file)), entity


# ---------------------------------------------------------------------------------------
# Determinism.


def digest(folder: Path) -> dict[str, str]:
    return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def test_same_seed_same_bytes(tmp_path: Path) -> None:
    options = {"start": date(2023, 10, 1), "end": date(2024, 9, 30), "scale": 0.2,
               "defects": 0.05}
    a = generate(tmp_path / "a", **options)
    b = generate(tmp_path / "b", **options)
    assert digest(a.out) == digest(b.out)
    assert digest(a.truth) == digest(b.truth)
    assert a.log.to_json() == b.log.to_json()
    c = generate(tmp_path / "c", seed=7, **options)
    assert digest(c.out) != digest(a.out)


def test_a_year_is_the_same_whatever_the_drop_covers(drop: GenContext, tmp_path: Path) -> None:
    one = generate(tmp_path, start=date(2022, 4, 1), end=date(2023, 3, 31))
    for rel in ("health/ae_assaults_2022-23Q3.csv", "opcc/icv_visits_2022-23Q4.csv",
                "commissioning/sarc_return_2022-23Q1.xlsx", "commissioning/funding_2022-23.csv"):
        assert (one.out / rel).read_bytes() == (drop.out / rel).read_bytes(), rel


def test_volumes_follow_scale(tmp_path: Path) -> None:
    ctx = generate(tmp_path, start=date(2022, 4, 1), end=date(2023, 3, 31), scale=0.1)
    assert len(llr(rows_of(ctx, "ae_assaults", "2022-23"))) == 100
    assert len(llr(rows_of(ctx, "assault_admissions", "2022-23"))) == 16


# ---------------------------------------------------------------------------------------
# Defects, counted as the warehouse must count them (partner-extracts.md, Validation
# rules): one quarantine row per bad row, the first failing rule in the table's order.

RULES = ("missing_value", "unknown_code", "bad_date", "impossible_date", "out_of_period",
         "bad_number", "duplicate_key", "sum_mismatch")


def _parse(value: str, kind: str, style: str) -> date | datetime | None:
    day = "%Y-%m-%d" if style == "iso" else "%d/%m/%Y"
    formats = [day] if kind == "date" else [f"{day} %H:%M:%S", f"{day} %H:%M"]
    for fmt in formats:
        try:
            return datetime.strptime(value, fmt)
        except ValueError:
            pass
    return None


def quarantine(path: Path, entity: specs.Entity) -> Counter[str] | None:
    """Reasons of the rows a spec-following warehouse quarantines; None = header rejected."""
    header, rows = read_csv(path)
    if [h.strip() for h in header] != entity.header:
        return None
    label = path.stem.rsplit("_", 1)[1]
    period = (periods.fy_quarter(label) if entity.period_kind == "fy_quarter"
              else periods.financial_year(label))
    cols = {c.name: c for c in entity.columns}
    dated = [c.name for c in entity.columns if c.kind in ("date", "datetime")]
    firsts = [r[c] for r in rows for c in dated if r[c]]
    style = "iso" if firsts and re.match(r"\d{4}-", firsts[0]) else "uk"

    def first_failure(r: dict[str, str]) -> str | None:
        checks = {
            "missing_value": lambda c, v: not v and not c.optional,
            "unknown_code": lambda c, v: bool(v) and (
                (c.kind in ("code", "flag") and v not in (c.values or ()))
                or (c.kind == "codes" and any(x not in c.values for x in v.split(";")))
                or (c.kind == "pattern" and not re.fullmatch(c.pattern, v))),
            "bad_date": lambda c, v: bool(v) and c.kind in ("date", "datetime")
                                     and _parse(v, c.kind, style) is None,
        }
        for rule, failing in checks.items():
            if any(failing(cols[name], r[name]) for name in header):
                return rule
        when = {n: _parse(r[n], cols[n].kind, style) for n in dated if r[n]}
        for pair in entity.date_pairs:
            if pair.start in when and pair.end in when and when[pair.end] < when[pair.start]:
                return "impossible_date"
        if any(n in when and when[n].date() > period.end for n in entity.not_after_period_end):
            return "impossible_date"
        placing = entity.placing_date
        if placing in when and not period.contains(when[placing].date()):
            return "out_of_period"
        if placing == "financial_year" and r[placing] != period.label:
            return "out_of_period"
        for c in entity.columns:
            v = r[c.name]
            if v and c.kind == "int" and not (
                    re.fullmatch(r"-?\d+", v) and (c.min is None or int(v) >= c.min)
                    and (c.max is None or int(v) <= c.max)):
                return "bad_number"
            if v and c.kind == "number":
                try:
                    float(v)
                except ValueError:
                    return "bad_number"
        return None

    reasons: dict[int, str] = {}
    for i, r in enumerate(rows):
        if (reason := first_failure(r)) is not None:
            reasons[i] = reason
    keys = Counter(tuple(r[k] for k in entity.key) for i, r in enumerate(rows)
                   if i not in reasons)
    for i, r in enumerate(rows):
        if i not in reasons and keys[tuple(r[k] for k in entity.key)] > 1:
            reasons[i] = "duplicate_key"
    if entity.has_sum_check:
        for i, r in enumerate(rows):
            if i in reasons:
                continue
            n = {c: int(r[c]) for c in COUNT_COLUMNS}
            if (n["offered"] + n["not_offered_on_advice"] + n["unavailable"]
                    + n["asleep_observed"] != n["detainees_in_cells"]
                    or n["agreed"] + n["refused"] != n["offered"]):
                reasons[i] = "sum_mismatch"
    return Counter(reasons.values())


def audit(ctx: GenContext) -> tuple[dict[str, dict[str, int]], list[str]]:
    found: dict[str, dict[str, int]] = {}
    rejected = []
    for path in sorted(ctx.out.glob("*/*.csv")):
        if path.parent.name == "policeuk":
            continue
        rel = f"{path.parent.name}/{path.name}"
        reasons = quarantine(path, CSV_ENTITIES[path.stem.rsplit("_", 1)[0]])
        if reasons is None:
            rejected.append(rel)
        elif reasons:
            found[rel] = dict(reasons)
    return found, rejected


def test_no_row_breaks_a_rule_at_defect_rate_zero(drop: GenContext) -> None:
    assert audit(drop) == ({}, [])
    assert drop.log.to_json()["row_defects_total"] == {}
    assert drop.log.files == [] and drop.log.resends == []


def test_defect_log_counts_what_the_warehouse_must_quarantine(defect_drop: GenContext) -> None:
    found, rejected = audit(defect_drop)
    logged = {f: dict(v) for f, v in defect_drop.log.rows.items()}
    assert found == logged
    assert set(defect_drop.log.totals()) <= set(RULES)
    bad_headers = [f["file"] for f in defect_drop.log.files if f["kind"] == "bad_header"]
    assert rejected == bad_headers and len(bad_headers) == 1
    assert bad_headers[0].startswith("health/")


def test_every_validation_rule_is_exercised(tmp_path: Path) -> None:
    ctx = generate(tmp_path, start=date(2023, 4, 1), end=date(2024, 3, 31), scale=0.1,
                   defects=0.4)
    found, _ = audit(ctx)
    assert found == {f: dict(v) for f, v in ctx.log.rows.items()}
    assert set(ctx.log.totals()) == set(RULES)


def test_defects_run_at_about_the_rate_asked(defect_drop: GenContext) -> None:
    good = sum(len(read_csv(p)[1]) for p in defect_drop.out.glob("health/*.csv"))
    bad = sum(sum(v.values()) for f, v in defect_drop.log.rows.items() if f.startswith("health/"))
    assert 0.04 < bad / (good - bad) < 0.14


def test_a_failed_return_fails_a_returns_check_and_its_resend_passes(
        defect_drop: GenContext) -> None:
    failed = [f for f in defect_drop.log.files if f["kind"] == "failed_return"]
    assert len(failed) == 1
    rel = failed[0]["file"]
    service = Path(rel).name.split("_return_")[0]
    assert return_problems(service, read_return(defect_drop.out / rel, service))
    assert return_problems(service, read_return(defect_drop.resend_path(rel), service)) == []
    assert not rel.endswith("2024-25Q2.xlsx")


def test_a_broken_health_header_has_a_corrected_resend(defect_drop: GenContext) -> None:
    (bad,) = [f["file"] for f in defect_drop.log.files if f["kind"] == "bad_header"]
    entity = CSV_ENTITIES[Path(bad).stem.rsplit("_", 1)[0]]
    resend = defect_drop.resend_path(bad)
    assert read_csv(resend)[0] == entity.header
    assert quarantine(resend, entity) == Counter()
    sent = [list(r.values()) for r in read_csv(defect_drop.out / bad)[1]]
    assert [list(r.values()) for r in read_csv(resend)[1]] == sent


def test_defects_leave_the_published_figures_alone(defect_drop: GenContext,
                                                   tmp_path: Path) -> None:
    """Defects are extra rows: what loads is what a clean drop holds."""
    clean = generate(tmp_path, start=date(2022, 4, 1), end=date(2024, 3, 31), scale=0.5)
    rel = "opcc/icv_visits_2023-24Q3.csv"
    bad_rows = read_csv(defect_drop.out / rel)[1]
    good_rows = read_csv(clean.out / rel)[1]
    refs = {r["visit_ref"] for r in good_rows}
    assert [r for r in bad_rows if r["visit_ref"] in refs] == good_rows
