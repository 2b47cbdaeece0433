"""The truth behind a generated drop, for tests: who each record really is.

`vrn generate` writes the truth beside the landing folder (`<landing>.truth`), never in
it: `persons.csv` (true names and dates of birth), `person_records.csv` (every person
record written, `record_ref` as `marts.bridge_person_record` names it, with its token
error and whether it reaches the warehouse), `cohort.csv` (the planted cohort and the
dates of their factors), `defects.json` (every defect injected, counted as the warehouse
must count it) and `manifest.json` (options and every landing file with its SHA-256).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd


@dataclass
class Truth:
    persons: pd.DataFrame
    person_records: pd.DataFrame
    cohort: pd.DataFrame
    defects: dict[str, Any]
    manifest: dict[str, Any]

    def row_defects(self, file_name: str | None = None) -> dict[str, int]:
        """Quarantinable rows by reason, for one landing file or the whole drop."""
        if file_name is None:
            return dict(self.defects["row_defects_total"])
        return dict(self.defects["row_defects_by_file"].get(file_name, {}))

    @property
    def rejected_files(self) -> list[str]:
        return [d["file"] for d in self.defects["file_defects"]]


def load_truth(truth_dir: Path | str) -> Truth:
    d = Path(truth_dir)
    text = {"person_id": "int64"}
    persons = pd.read_csv(d / "persons.csv", dtype={**text, "surname": str, "forename": str,
                                                     "dob": str, "postcode_district": str},
                          keep_default_na=False)
    records = pd.read_csv(d / "person_records.csv",
                          dtype={"source": str, "record_ref": str, "person_id": "int64",
                                 "token_error": str, "file_name": str, "in_warehouse": str},
                          keep_default_na=False)
    records["in_warehouse"] = records["in_warehouse"] == "Y"
    cohort = pd.read_csv(d / "cohort.csv", dtype=str, keep_default_na=False)
    if len(cohort):
        cohort["person_id"] = cohort["person_id"].astype("int64")
        cohort["factor_count"] = cohort["factor_count"].astype("int64")
    return Truth(
        persons=persons,
        person_records=records,
        cohort=cohort,
        defects=json.loads((d / "defects.json").read_text()),
        manifest=json.loads((d / "manifest.json").read_text()),
    )
