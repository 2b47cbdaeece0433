"""Small partner files written by hand, for tests of ingest (and anyone else's).

`good_row(entity)` is one valid row of an entity in period `2023-24Q1` (academic and
financial year `2023-24`), as text in ISO style; tests change one value to break one
rule. `write_table` writes rows into a landing folder the way a partner would (encoding,
line endings, date style, CSV or workbook); `write_return` writes a commissioning form.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Mapping, Sequence
from datetime import date, datetime
from pathlib import Path
from typing import Any

from ingest.specs import BY_NAME, RETURN_LABELS

TOKEN = "ab" * 32  # a well-formed keyed-hash token (64 lower-case hex)
TOKENS = {"tok_surname": TOKEN, "tok_forename": TOKEN, "tok_dob": TOKEN}

GOOD_ROWS: dict[str, dict[str, str]] = {
    "crimes": {
        "crime_ref": "CR/0000001/23", "recorded_date": "2023-04-10",
        "offence_from": "2023-04-09 22:30", "offence_to": "", "ho_offence_code": "8N",
        "beat_code": "LC01", "location_type": "dwelling", "flag_domestic_abuse": "Y",
        "flag_knife_sharp": "N", "flag_firearm": "", "flag_alcohol": "N", "flag_hate": "N",
        "status": "recorded",
    },
    "crime_people": {
        "crime_ref": "CR/0000001/23", "person_ref": "P0001", "role": "victim", "age": "23",
        "sex": "F", "ethnicity": "W1", "postcode_district": "LE3", **TOKENS,
    },
    "outcomes": {"crime_ref": "CR/0000001/23", "outcome_code": "1",
                 "outcome_date": "2023-05-01"},
    "custody": {
        "custody_ref": "CU0001", "suite_code": "EUS", "arrived_at": "2023-04-10 10:00:00",
        "authorised_at": "2023-04-10 10:20:00", "released_at": "2023-04-11 08:00:00",
        "person_ref": "P0002", "age": "30", "sex": "M", "ethnicity": "NS",
        "arrest_ho_offence_code": "8N", "disposal": "charged", "appropriate_adult": "N",
        "mental_health_s136": "N", "interpreter": "", "strip_search": "N", **TOKENS,
    },
    "icv_visits": {
        "visit_ref": "ICV2023-0001", "suite_code": "EUS", "arrived_at": "2023-04-12 14:00:00",
        "admitted_at": "2023-04-12 14:03:00", "detainees_in_cells": "10", "offered": "4",
        "not_offered_on_advice": "1", "unavailable": "2", "asleep_observed": "3",
        "agreed": "3", "refused": "1", "issues": "food_drink;hygiene",
    },
    "ae_assaults": {
        "attendance_ref": "AE0001", "site_code": "RWE", "arrived_at": "2023-04-12 23:10",
        "assault_at": "2023-04-12 22:45", "age": "25", "sex": "M", "ethnicity": "",
        "lad_code": "E06000016", "lsoa21_code": "E01013600", "assault_method": "knife_sharp",
        "assault_location_type": "street",
    },
    "assault_admissions": {
        "spell_ref": "SP0001", "admitted_at": "2023-04-12 23:10",
        "discharged_at": "2023-04-14 10:00", "age": "19", "sex": "M", "ethnicity": "A1",
        "lad_code": "E07000129", "lsoa21_code": "", "primary_diagnosis": "S01.8",
        "external_cause": "X99.1", "cost_gbp": "2375.00",
    },
    "ambulance_assaults": {
        "incident_ref": "EM0001", "call_at": "2023-04-12 22:50", "lad_code": "E06000017",
        "lsoa21_code": "", "category": "stab_gunshot_penetrating", "conveyed": "Y",
        "age": "22", "sex": "M",
    },
    "children_looked_after": {
        "child_ref": "C0001", **TOKENS, "sex": "F", "episode_start": "2023-05-01",
        "episode_end": "", "category_of_need": "N1", "legal_status": "C2",
    },
    "child_protection_plans": {
        "child_ref": "C0002", **TOKENS, "plan_start": "2023-06-01", "plan_end": "2023-09-01",
        "category": "NEG",
    },
    "school_absence": {
        "child_ref": "C0003", **TOKENS, "academic_year": "2023-24",
        "sessions_possible": "300", "sessions_missed": "40",
    },
    "exclusions": {
        "child_ref": "C0004", **TOKENS, "start_date": "2023-10-05", "type": "suspension",
        "sessions": "2",
    },
    "funding": {
        "provider": "Juniper Lodge", "service": "Sexual assault referral centre",
        "service_category": "sexual_violence", "financial_year": "2023-24",
        "amount_gbp": "67906.00",
    },
}

PERIOD = {"fy_quarter": "2023-24Q1", "academic_year": "2023-24", "financial_year": "2023-24"}


def good_row(entity: str, **changes: str) -> dict[str, str]:
    """One valid row of `entity` (in `default_period(entity)`), with `changes` applied."""
    row = dict(GOOD_ROWS[entity])
    unknown = set(changes) - set(row)
    if unknown:
        raise KeyError(f"{entity} has no column(s) {sorted(unknown)}")
    row.update(changes)
    return row


def default_period(entity: str) -> str:
    return PERIOD[BY_NAME[entity].period_kind]


def to_uk(text: str) -> str:
    """An ISO date or datetime written DD/MM/YYYY (other text unchanged)."""
    if len(text) >= 10 and text[4] == "-" and text[7] == "-":
        return f"{text[8:10]}/{text[5:7]}/{text[0:4]}{text[10:]}"
    return text


def csv_bytes(header: Sequence[str], rows: Iterable[Sequence[Any]], *,
              encoding: str = "utf-8", newline: str = "\n") -> bytes:
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator=newline)
    w.writerow(header)
    w.writerows(rows)
    return buf.getvalue().encode(encoding)


def write_xlsx(path: Path, rows: Iterable[Sequence[Any]], sheet: str = "Sheet1") -> Path:
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.title = sheet
    for r in rows:
        ws.append(list(r))
    path.parent.mkdir(parents=True, exist_ok=True)
    wb.save(path)
    return path


def write_table(landing: Path, source: str, entity: str, rows: Iterable[Mapping[str, Any]],
                *, period: str | None = None, header: Sequence[str] | None = None,
                ext: str = "csv", encoding: str = "utf-8", newline: str = "\n",
                style: str = "iso", name: str | None = None) -> Path:
    """A partner file `<landing>/<source>/<entity>_<period>.<ext>`.

    `style="uk"` rewrites ISO text dates as DD/MM/YYYY; in a workbook, values that are
    `date`/`datetime` objects become date cells. `header` overrides the spec's header
    (rows are then written in that order, missing columns blank).
    """
    cols = list(header) if header is not None else BY_NAME[entity].header
    period = period or default_period(entity)
    path = landing / source / (name or f"{entity}_{period}.{ext}")
    path.parent.mkdir(parents=True, exist_ok=True)

    def cell(v: Any) -> Any:
        if isinstance(v, str) and style == "uk":
            return to_uk(v)
        return v

    table = [[cell(r.get(c.strip(), "")) for c in cols] for r in rows]
    if ext == "xlsx":
        return write_xlsx(path, [cols, *[[None if v == "" else v for v in r] for r in table]])
    text_rows = [[v.isoformat(" ") if isinstance(v, datetime)
                  else v.isoformat() if isinstance(v, date) else v for v in r] for r in table]
    path.write_bytes(csv_bytes(cols, text_rows, encoding=encoding, newline=newline))
    return path


def return_values(service: str) -> dict[str, float]:
    """A return that passes every check of returns.md."""
    if service == "sarc":
        return {
            "Referrals received": 60, "Referrals declined": 4, "Referrals from out of area": 3,
            "Individuals supported": 50, "Female": 44, "Male": 6, "Referred by police": 30,
            "Self referral": 15, "Other referral source": 5, "Forensic examinations": 20,
            "Forensic examinations in hospital": 1, "HIV PrEP started": 4,
            "Emergency contraception given": 12, "Hepatitis B vaccination started": 13,
            "Referred to sexual health services": 19,
            "Forensic examination within 60 minutes (%)": 85.5, "Complaints": 0,
        }
    if service == "cyp_sarc":
        return {
            "Children assessed (all areas)": 90, "Children assessed (LLR)": 20,
            "Referred for rape": 14, "Referred for sexual assault": 6, "Female": 18, "Male": 2,
            "Referred by police": 16, "Referred by social care": 3, "Other referral source": 1,
            "Looked after children": 3, "Self-harm behaviours": 7, "Learning disability": 4,
            "Offered onward therapy": 18, "Declined onward therapy": 4,
        }
    return {
        "Referrals received": 238, "Leicester": 105, "Leicestershire": 126, "Rutland": 5,
        "Out of area": 2, "Declined further engagement": 20,
        "Supported with a support plan": 210, "Average length of support (months)": 12.4,
        "Longest support (months)": 88.8,
    }


def write_return(landing: Path, service: str, values: Mapping[str, Any] | None = None, *,
                 period: str = "2024-25Q2", labels: Mapping[str, str] | None = None,
                 sheet: str = "Return", extra_rows: Sequence[Sequence[Any]] = ()) -> Path:
    """A provider's form: title, blank rows, a section heading, then label/value rows.
    `labels` renames labels as typed (`{"Female": " female: "}`); a value of `...`
    (Ellipsis) drops that label's row."""
    values = dict(return_values(service) if values is None else values)
    labels = labels or {}
    rows: list[list[Any]] = [[f"{service.upper()} quarterly return {period}"], [],
                             ["Section one"]]
    for label in RETURN_LABELS[service]:
        v = values.get(label)
        if v is Ellipsis:
            continue
        rows.append([labels.get(label, label), v])
        if label == RETURN_LABELS[service][3]:
            rows += [[], ["Section two"]]
    rows += [list(r) for r in extra_rows]
    path = landing / "commissioning" / f"{service}_return_{period}.xlsx"
    return write_xlsx(path, rows, sheet=sheet)


def default_source(entity: str) -> str:
    """The landing folder an entity's file is put in by default (Leicester for councils)."""
    kind = BY_NAME[entity].source
    return "la/E06000016" if kind == "la" else kind


def parse_rows(tmp: Path, entity: str, rows: Iterable[Mapping[str, Any]], *,
               source: str | None = None, **write: Any):
    """Write a file into `<tmp>/landing` and parse it as ingest would (no warehouse)."""
    from ingest.files import describe
    from ingest.load import PARSERS

    source = source or default_source(entity)
    landing = tmp / "landing"
    path = write_table(landing, source, entity, rows, **write)
    work = tmp / "work" / path.relative_to(landing).as_posix().replace("/", "__")
    return PARSERS[source](describe(path, landing, source), work)
