"""The project's own copy of the public reference data (never `../shared` at run time).

The lists partners' codes are checked against are the dbt seeds in
`dbt_project/seeds/`: one copy, read by the generator, the ingest validator and dbt alike,
so an analyst who edits a seed changes every use of it. Sources and licences are in
`dbt_project/seeds/README.md`.
"""

from __future__ import annotations

import csv
from functools import cache
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
SEEDS_DIR = PROJECT_ROOT / "dbt_project" / "seeds"
DBT_PROJECT_DIR = PROJECT_ROOT / "dbt_project"


@cache
def seed_rows(name: str) -> tuple[dict[str, str], ...]:
    """Rows of seed `name` (file stem, e.g. `ref_beats`) as dicts of text."""
    with (SEEDS_DIR / f"{name}.csv").open(encoding="utf-8", newline="") as f:
        return tuple(csv.DictReader(f))


def offence_codes() -> frozenset[str]:
    return frozenset(r["ho_offence_code"] for r in seed_rows("ref_offence_codes"))


def outcome_codes() -> frozenset[str]:
    return frozenset(r["outcome_code"] for r in seed_rows("ref_outcome_types"))


def beat_codes() -> frozenset[str]:
    return frozenset(r["beat_code"] for r in seed_rows("ref_beats"))


LLR_DISTRICT_CODES: frozenset[str] = frozenset(
    {"E06000016", "E06000017", "E07000129", "E07000130", "E07000131",
     "E07000132", "E07000133", "E07000134", "E07000135"}
)
LA_CODES: tuple[str, ...] = ("E06000016", "E10000018", "E06000017")
