"""The Office of the Police and Crime Commissioner: Independent Custody Visitor visits.

One CSV a quarter (spec, opcc). Its own rule is `sum_mismatch`: the people in the cells
split into offered, not offered on advice, unavailable and asleep, and those offered
into agreed and refused; a row whose parts do not add up is quarantined, not the file.
"""

from __future__ import annotations

from pathlib import Path

from ingest.files import LandingFile, for_path
from ingest.specs import ICV_VISITS
from ingest.tabular import HeldKeys, ParsedFile, Scratch, parse_table

SOURCE = "opcc"
ENTITIES = (ICV_VISITS,)


def parse(file: LandingFile, workdir: Path, *, sha256: str | None = None,
          held_keys: HeldKeys = None, scratch: Scratch = None) -> ParsedFile:
    """Validate one ICV extract; see `ingest.tabular.parse_table`."""
    return parse_table(file, workdir, sha256=sha256, held_keys=held_keys,
                       scratch=scratch)


def read_file(path: Path, workdir: Path) -> ParsedFile:
    """An OPCC file outside any landing folder (tests, a partner's file checked by hand)."""
    return parse(for_path(path, SOURCE), workdir)
