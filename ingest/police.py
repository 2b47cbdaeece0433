"""Leicestershire Police: recorded crimes, the people in them, outcomes and custody.

Four CSV extracts a quarter (spec, police). `crime_people` and `outcomes` rows whose crime
is not (yet) in the warehouse are loaded all the same and wait: dbt joins them when their
crime arrives, and `vrn status` counts them.
"""

from __future__ import annotations

from pathlib import Path

from ingest.files import LandingFile, for_path
from ingest.specs import CRIME_PEOPLE, CRIMES, CUSTODY, OUTCOMES
from ingest.tabular import HeldKeys, ParsedFile, Scratch, parse_table

SOURCE = "police"
ENTITIES = (CRIMES, CRIME_PEOPLE, OUTCOMES, CUSTODY)


def parse(file: LandingFile, workdir: Path, *, sha256: str | None = None,
          held_keys: HeldKeys = None, scratch: Scratch = None) -> ParsedFile:
    """Validate one police extract; see `ingest.tabular.parse_table`."""
    return parse_table(file, workdir, sha256=sha256, held_keys=held_keys,
                       scratch=scratch)


def read_file(path: Path, workdir: Path) -> ParsedFile:
    """A police file outside any landing folder (tests, a partner's file checked by hand)."""
    return parse(for_path(path, SOURCE), workdir)
