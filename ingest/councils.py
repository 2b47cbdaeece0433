"""The three councils' children's social care and education extracts: one reader.

Leicester, Leicestershire and Rutland send the same four files (spec, la), each from its
own folder `la/<ONS code>`: Leicestershire as one-sheet workbooks, the others as CSV
(Rutland's in Windows-1252). Rows carry the council's code as `la_code`; a child's key
(`child_ref` and start date or academic year) is unique within one council only.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from ingest.files import LandingFile, for_path
from ingest.specs import (
    CHILD_PROTECTION_PLANS,
    CHILDREN_LOOKED_AFTER,
    EXCLUSIONS,
    SCHOOL_ABSENCE,
)
from ingest.tabular import HeldKeys, ParsedFile, Scratch, parse_table

ENTITIES = (CHILDREN_LOOKED_AFTER, CHILD_PROTECTION_PLANS, SCHOOL_ABSENCE, EXCLUSIONS)


def parse(file: LandingFile, workdir: Path, *, sha256: str | None = None,
          held_keys: HeldKeys = None, scratch: Scratch = None) -> ParsedFile:
    """Validate one council extract, CSV or workbook; see `ingest.tabular.parse_table`."""
    if file.la_code is None:
        raise ValueError(f"{file.file_name}: council files live under la/<ONS code>/")
    return parse_table(file, workdir, sha256=sha256, held_keys=held_keys,
                       scratch=scratch)


def read_file(path: Path, la_code: str, workdir: Path) -> ParsedFile:
    """A council file outside any landing folder (tests, a file checked by hand)."""
    return parse(for_path(path, f"la/{la_code}"), workdir)


@dataclass(frozen=True)
class Council:
    """One council's landing folder; `ingest/la_<council>.py` each hold one of these."""

    la_code: str

    @property
    def source(self) -> str:
        return f"la/{self.la_code}"

    def parse(self, file: LandingFile, workdir: Path, *, sha256: str | None = None,
              held_keys: HeldKeys = None, scratch: Scratch = None) -> ParsedFile:
        return parse(file, workdir, sha256=sha256, held_keys=held_keys, scratch=scratch)

    def read_file(self, path: Path, workdir: Path) -> ParsedFile:
        return read_file(path, self.la_code, workdir)
