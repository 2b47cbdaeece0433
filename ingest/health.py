"""Health: A&E assault attendances, emergency admissions for assault, ambulance call-outs.

Anonymised CSV extracts (spec, health): no tokens, so these rows never link to a person.
Residence is an ONS district code; any well-formed code loads, and only the nine LLR
codes count in LLR figures (that filter is dbt's, not ingest's).
"""

from __future__ import annotations

from pathlib import Path

from ingest.files import LandingFile, for_path
from ingest.specs import AE_ASSAULTS, AMBULANCE_ASSAULTS, ASSAULT_ADMISSIONS
from ingest.tabular import HeldKeys, ParsedFile, Scratch, parse_table

SOURCE = "health"
ENTITIES = (AE_ASSAULTS, ASSAULT_ADMISSIONS, AMBULANCE_ASSAULTS)


def parse(file: LandingFile, workdir: Path, *, sha256: str | None = None,
          held_keys: HeldKeys = None, scratch: Scratch = None) -> ParsedFile:
    """Validate one health extract; see `ingest.tabular.parse_table`."""
    return parse_table(file, workdir, sha256=sha256, held_keys=held_keys,
                       scratch=scratch)


def read_file(path: Path, workdir: Path) -> ParsedFile:
    """A health file outside any landing folder (tests, a partner's file checked by hand)."""
    return parse(for_path(path, SOURCE), workdir)
