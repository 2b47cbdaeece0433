"""Defects on request are injected at about the rate asked, of every row reason code,
and the truth counts them exactly as the warehouse must (spec "Validation rules": one
quarantine row per bad row, the first failing rule in the table's order; every row
sharing a key in a file; a key another period's file already holds).

The count here is independent of the generator: a small validator written from the
spec table (`ingest.specs`, the contract as data) and run over the raw files.
"""

from __future__ import annotations

import json
import re
from collections import Counter, defaultdict
from datetime import datetime
from pathlib import Path

import pandas as pd
import pytest

from ingest.specs import BY_NAME, PATTERNS, Entity
from tests.figures import PERIOD_RE, read_table
from vrn.periods import academic_year, financial_year, fy_quarter
from vrn.reference import beat_codes, offence_codes, outcome_codes

REASONS = ("missing_value", "unknown_code", "bad_date", "impossible_date", "out_of_period",
           "bad_number", "duplicate_key")
REFS = {"offence_codes": offence_codes(), "outcome_codes": outcome_codes(),
        "beat_codes": beat_codes()}
ISO = re.compile(r"^(\d{4})-(\d{2})-(\d{2})(?: (\d{2}):(\d{2})(?::(\d{2}))?)?$")
UK = re.compile(r"^(\d{2})/(\d{2})/(\d{4})(?: (\d{2}):(\d{2})(?::(\d{2}))?)?$")


def file_style(table: pd.DataFrame, entity: Entity) -> str:
    """The file's date style: the style most of its date values are written in."""
    votes: Counter[str] = Counter()
    for c in entity.columns:
        if c.kind in ("date", "datetime"):
            for v in table[c.name]:
                votes["iso" if ISO.match(v) else "uk" if UK.match(v) else "none"] += 1
    votes.pop("none", None)
    return votes.most_common(1)[0][0] if votes else "iso"


def parse(value: str, kind: str, style: str) -> datetime | None:
    m = (ISO if style == "iso" else UK).match(value)
    if not m:
        return None
    g = m.groups()
    y, mo, d = (int(g[0]), int(g[1]), int(g[2])) if style == "iso" else \
        (int(g[2]), int(g[1]), int(g[0]))
    if (kind == "datetime") != (g[3] is not None):
        return None
    try:
        return datetime(y, mo, d, int(g[3] or 0), int(g[4] or 0), int(g[5] or 0))
    except ValueError:
        return None


def period_of(path: Path, entity: Entity):
    label = PERIOD_RE.search(path.name).group(1)
    return {"fy_quarter": fy_quarter, "academic_year": academic_year,
            "financial_year": financial_year}[entity.period_kind](label)


def first_failure(row: dict[str, str], entity: Entity, style: str, period) -> str | None:
    cols = entity.columns
    if any(row[c.name] == "" for c in cols if not c.optional):
        return "missing_value"
    for c in cols:
        v = row[c.name]
        if v == "":
            continue
        if c.kind == "flag" and v not in ("Y", "N"):
            return "unknown_code"
        if c.kind == "code" and v not in (set(REFS[c.ref]) if c.ref else set(c.values or ())):
            return "unknown_code"
        if c.kind == "pattern" and not re.match(PATTERNS[c.name], v):
            return "unknown_code"
    when = {}
    for c in cols:
        if c.kind in ("date", "datetime") and row[c.name] != "":
            when[c.name] = parse(row[c.name], c.kind, style)
            if when[c.name] is None:
                return "bad_date"
    end = datetime.combine(period.end, datetime.max.time())
    for pair in entity.date_pairs:
        a, b = when.get(pair.start), when.get(pair.end)
        if a and b and b < a:
            return "impossible_date"
    for pair in entity.not_after:
        a, b = when.get(pair.start), when.get(pair.end)
        if a and b and a.date() > b.date():
            return "impossible_date"
    if any(when.get(n) and when[n] > end for n in entity.not_after_period_end):
        return "impossible_date"
    placing = entity.placing_date
    if placing:
        if entity.columns[entity.header.index(placing)].kind == "text":
            if row[placing] != period.label:
                return "out_of_period"
        else:
            d = when[placing].date()
            early_ok = entity.entity == "outcomes"  # may fall in an earlier period
            if d > period.end or (d < period.start and not early_ok):
                return "out_of_period"
    for c in cols:
        v = row[c.name]
        if c.kind == "int" and v != "" and (
                not re.fullmatch(r"\d+", v) or (c.max is not None and int(v) > c.max)):
            return "bad_number"
    return None


def validate(landing: Path, sources=("police", "la")) -> tuple[dict, dict, set[str]]:
    """(row defects by file and reason, orphans by file, rejected files)."""
    found: dict[str, Counter] = defaultdict(Counter)
    held: dict[tuple, set] = defaultdict(set)
    loaded: dict[str, list[pd.DataFrame]] = defaultdict(list)
    rejected: set[str] = set()
    files = []
    for source in sources:
        for path in (landing / source).rglob("*"):
            m = PERIOD_RE.search(path.name)
            if m and path.name[: m.start()] in BY_NAME:
                entity = BY_NAME[path.name[: m.start()]]
                files.append((period_of(path, entity).start, path, entity))
    for _, path, entity in sorted(files, key=lambda f: (f[0], str(f[1]))):
        rel = path.relative_to(landing).as_posix()
        table = read_table(path)
        if list(table.columns) != entity.header:
            rejected.add(rel)
            continue
        style = file_style(table, entity)
        period = period_of(path, entity)
        rows = table.to_dict("records")
        reasons = [first_failure(r, entity, style, period) for r in rows]
        scope = (str(path.parent.relative_to(landing)), entity.entity)
        if entity.key:
            keys = [tuple(r[k] for k in entity.key) for r in rows]
            ok_keys = Counter(k for k, why in zip(keys, reasons, strict=True) if why is None)
            for i, k in enumerate(keys):
                if reasons[i] is None and (ok_keys[k] > 1 or k in held[scope]):
                    reasons[i] = "duplicate_key"
            held[scope] |= {k for k, why in zip(keys, reasons, strict=True) if why is None}
        for why in reasons:
            if why:
                found[rel][why] += 1
        good = table[[why is None for why in reasons]].assign(file_name=rel)
        loaded[entity.entity].append(good)
    crimes = set(pd.concat(loaded["crimes"])["crime_ref"]) if loaded["crimes"] else set()
    orphans: Counter[str] = Counter()
    for name in ("crime_people", "outcomes"):
        for part in loaded[name]:
            for rel, n in part[~part["crime_ref"].isin(crimes)]["file_name"].value_counts().items():
                orphans[rel] += int(n)
    return ({k: dict(v) for k, v in found.items()}, dict(orphans), rejected)


def ours(by_file: dict) -> dict:
    return {f: dict(sorted(v.items())) for f, v in sorted(by_file.items())
            if v and f.split("/")[0] in ("police", "la")}


@pytest.fixture(scope="module")
def defects(defect_drop) -> dict:
    return json.loads((defect_drop.truth / "defects.json").read_text())


@pytest.fixture(scope="module")
def validated(defect_drop) -> tuple[dict, dict, set[str]]:
    return validate(defect_drop.landing)


def test_a_drop_without_defects_breaks_no_rule(small_drop) -> None:
    found, orphans, rejected = validate(small_drop.landing)
    assert found == {} and orphans == {} and rejected == set()
    truth = json.loads((small_drop.truth / "defects.json").read_text())
    assert ours(truth["row_defects_by_file"]) == {}
    assert truth["orphans_total"] == 0


def test_the_truth_counts_row_defects_exactly_as_the_rules_do(defects, validated) -> None:
    found, _, _ = validated
    assert ours(found) == ours(defects["row_defects_by_file"])


def test_every_row_reason_code_is_injected(defects) -> None:
    seen = Counter()
    for f, per in ours(defects["row_defects_by_file"]).items():
        seen.update(per)
        assert f.startswith(("police/", "la/"))
    assert set(seen) == set(REASONS)


def test_defects_come_at_about_the_rate_asked(defect_drop, defects) -> None:
    rows = sum(f["rows"] for f in json.loads((defect_drop.truth / "manifest.json").read_text())
               ["files"] if f["file"].startswith(("police/", "la/")) and f["rows"])
    bad = sum(sum(v.values()) for v in ours(defects["row_defects_by_file"]).values())
    assert 0.01 <= bad / rows <= 0.04, bad / rows


def test_whole_file_defects_are_recorded_and_the_files_rejected(defects, validated) -> None:
    _, _, rejected = validated
    kinds = {d["file"]: d["kind"] for d in defects["file_defects"]
             if d["file"].startswith(("police/", "la/"))}
    assert sorted(kinds.values()) == ["bad_header", "raw_identifier"]
    assert set(kinds) == rejected


def test_a_raw_identifier_file_carries_a_dob_column(defect_drop, defects) -> None:
    rel = next(d["file"] for d in defects["file_defects"] if d["kind"] == "raw_identifier")
    assert "dob" in read_table(defect_drop.landing / rel).columns


def test_orphans_are_counted_as_the_warehouse_reports_them(defects, validated) -> None:
    _, orphans, _ = validated
    assert orphans == defects["orphans_by_file"]
    assert defects["orphans_total"] > 0


def test_a_resent_crimes_file_corrects_the_quarter(defect_drop, defects) -> None:
    resend = next(r for r in defects["resends"] if r["file"].startswith("police/crimes_"))
    path = defect_drop.truth / "resends" / resend["file"]
    original = read_table(defect_drop.landing / resend["file"])
    corrected = read_table(path)
    entity = BY_NAME["crimes"]
    period = period_of(path, entity)
    style = file_style(corrected, entity)
    assert all(first_failure(r, entity, style, period) is None
               for r in corrected.to_dict("records"))
    assert corrected["crime_ref"].is_unique
    was = original.drop_duplicates("crime_ref", keep=False).set_index("crime_ref")
    now = corrected.set_index("crime_ref")
    cancelled = now.index.isin(was.index) & (now["status"] == "cancelled")
    newly_cancelled = (now[cancelled]["status"] != was.reindex(now[cancelled].index)["status"])
    assert int(newly_cancelled.sum()) == resend["crimes_cancelled"] > 0
    assert resend["rows_removed"] > 0 and resend["rows_corrected"] > 0
    assert resend["quarantined_rows_fixed"] > 0
