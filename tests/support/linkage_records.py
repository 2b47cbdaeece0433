"""Hand-made raw person records with known truth, for the linkage tests.

The generator (`synthetic/`) writes whole landing drops; these helpers write a handful of
rows straight into `raw.*` (with the audit rows that make them current) so that one rule
can be tested on two or three records whose true identity the test states.
Tokens are made the way partners make them (`synthetic.common.token`): HMAC of the
upper-cased, trimmed value. The linkage itself never sees the key or the values.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, replace
from datetime import date, datetime
from typing import Any

import duckdb
import pandas as pd

from ingest.schema import create_schemas
from synthetic.common import dob_token, token
from vrn.periods import academic_year_label, fy_quarter_label


@dataclass(frozen=True)
class Person:
    """A true person: what the partners know and tokenise."""

    surname: str
    forename: str
    dob: date
    sex: str = "M"
    postcode_district: str | None = "LE3"

    def misspelt(self) -> Person:
        """The same person with a surname typed wrongly (one disagreeing token)."""
        return replace(self, surname=self.surname[:-1] + ("X" if self.surname[-1] != "X" else "Y"))

    def wrong_dob(self) -> Person:
        """The same person with a day-of-month slip in the recorded dob."""
        day = self.dob.day + 1 if self.dob.day < 28 else self.dob.day - 1
        return replace(self, dob=self.dob.replace(day=day))

    def tokens(self) -> dict[str, str]:
        return {
            "tok_surname": token(self.surname),
            "tok_forename": token(self.forename),
            "tok_dob": dob_token(self.dob),
        }


NO_TOKENS: dict[str, Any] = {"tok_surname": None, "tok_forename": None, "tok_dob": None}


def age_on(dob: date, day: date) -> int:
    return day.year - dob.year - ((day.month, day.day) < (dob.month, dob.day))


class RawRecords:
    """Collects raw rows per table and writes them, with `loaded` audit rows, in one go."""

    def __init__(self) -> None:
        self.rows: dict[str, list[dict[str, Any]]] = defaultdict(list)
        self._file_rows: dict[str, int] = defaultdict(int)

    def _add(self, table: str, file_name: str, period: str, row: dict[str, Any]) -> None:
        self._file_rows[file_name] += 1
        self.rows[table].append({**row, "file_name": file_name, "file_sha256": f"sha-{file_name}",
                                 "row_number": self._file_rows[file_name], "period": period})

    def crime(self, crime_ref: str, offence_from: date, code: str, *,
              recorded: date | None = None, status: str = "recorded") -> None:
        recorded = recorded or offence_from
        period = fy_quarter_label(recorded)
        self._add("raw.police__crimes", f"police/crimes_{period}.csv", period, {
            "crime_ref": crime_ref, "recorded_date": recorded,
            "offence_from": datetime.combine(offence_from, datetime.min.time()),
            "ho_offence_code": code, "beat_code": "NC01", "status": status,
        })

    def crime_person(self, crime_ref: str, person_ref: str, role: str, person: Person | None,
                     on: date, *, age: int | None = None) -> str:
        """`on` is the crime's recorded date (it places the row's file)."""
        period = fy_quarter_label(on)
        toks = person.tokens() if person else NO_TOKENS
        if age is None and person is not None:
            age = age_on(person.dob, on)
        self._add("raw.police__crime_people", f"police/crime_people_{period}.csv", period, {
            "crime_ref": crime_ref, "person_ref": person_ref, "role": role, "age": age,
            "sex": person.sex if person else None,
            "postcode_district": person.postcode_district if person else None, **toks,
        })
        return f"{crime_ref}:{person_ref}:{role}"

    def custody(self, custody_ref: str, person_ref: str, person: Person | None,
                arrived: date) -> str:
        period = fy_quarter_label(arrived)
        self._add("raw.police__custody", f"police/custody_{period}.csv", period, {
            "custody_ref": custody_ref, "suite_code": "EUS",
            "arrived_at": datetime.combine(arrived, datetime.min.time()),
            "authorised_at": datetime.combine(arrived, datetime.min.time()),
            "person_ref": person_ref,
            "age": age_on(person.dob, arrived) if person else 30,
            "sex": person.sex if person else "U", "arrest_ho_offence_code": "8N",
            "disposal": "charged", **(person.tokens() if person else NO_TOKENS),
        })
        return custody_ref

    def _council_file(self, la_code: str, entity: str, period: str) -> str:
        return f"la/{la_code}/{entity}_{period}.csv"

    def looked_after(self, la_code: str, child_ref: str, person: Person, start: date) -> str:
        period = fy_quarter_label(start)
        self._add("raw.la__children_looked_after",
                  self._council_file(la_code, "children_looked_after", period), period, {
                      "la_code": la_code, "child_ref": child_ref, **person.tokens(),
                      "sex": person.sex, "episode_start": start, "category_of_need": "N1",
                  })
        return f"{la_code}:{child_ref}:{start.isoformat()}"

    def protection_plan(self, la_code: str, child_ref: str, person: Person, start: date) -> str:
        period = fy_quarter_label(start)
        self._add("raw.la__child_protection_plans",
                  self._council_file(la_code, "child_protection_plans", period), period, {
                      "la_code": la_code, "child_ref": child_ref, **person.tokens(),
                      "plan_start": start, "category": "NEG",
                  })
        return f"{la_code}:{child_ref}:{start.isoformat()}"

    def absence(self, la_code: str, child_ref: str, person: Person, academic_year: str,
                possible: int, missed: int) -> str:
        self._add("raw.la__school_absence",
                  self._council_file(la_code, "school_absence", academic_year), academic_year, {
                      "la_code": la_code, "child_ref": child_ref, **person.tokens(),
                      "academic_year": academic_year, "sessions_possible": possible,
                      "sessions_missed": missed,
                  })
        return f"{la_code}:{child_ref}:{academic_year}"

    def exclusion(self, la_code: str, child_ref: str, person: Person, start: date,
                  kind: str) -> str:
        year = academic_year_label(start)
        self._add("raw.la__exclusions", self._council_file(la_code, "exclusions", year), year, {
            "la_code": la_code, "child_ref": child_ref, **person.tokens(),
            "start_date": start, "type": kind, "sessions": 2,
        })
        return f"{la_code}:{child_ref}:{start.isoformat()}"

    def write(self, con: duckdb.DuckDBPyConnection) -> None:
        """Create the landing schemas if missing, insert the rows, mark their files loaded."""
        create_schemas(con)
        files: dict[str, str] = {}
        for table, rows in self.rows.items():
            frame = pd.DataFrame(rows)
            con.register("sample_rows", frame)
            con.execute(f"insert into {table} by name select * from sample_rows")
            con.unregister("sample_rows")
            for r in rows:
                files[r["file_name"]] = r["file_sha256"]
        for file_name, sha in files.items():
            con.execute(
                "insert into audit.files (file_name, sha256, size_bytes, outcome, loaded_at) "
                "values (?, ?, 0, 'loaded', now())", [file_name, sha],
            )
