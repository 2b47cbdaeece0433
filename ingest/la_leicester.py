"""Leicester City Council (unitary); CSV extracts.

Thin: every council shares `ingest.councils`; this module only names the folder.
"""

from __future__ import annotations

from pathlib import Path

from ingest import councils
from ingest.files import LandingFile
from ingest.tabular import ParsedFile, Scratch

LA_CODE = "E06000016"
SOURCE = f"la/{LA_CODE}"
ENTITIES = councils.ENTITIES


def parse(file: LandingFile, workdir: Path, *, sha256: str | None = None,
          held_keys: Path | None = None, scratch: Scratch = None) -> ParsedFile:
    return councils.parse(file, workdir, sha256=sha256, held_keys=held_keys,
                          scratch=scratch)


def read_file(path: Path, workdir: Path) -> ParsedFile:
    return councils.read_file(path, LA_CODE, workdir)
