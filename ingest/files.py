"""What is in the landing folder: each file's source, entity, period and fingerprint.

Partners name files `<landing>/<source>/<entity>_<period>.<ext>` (spec, General rules);
police.uk downloads keep their own name, `YYYY-MM-leicestershire-street.csv`. A file is
identified by its path under the landing folder, which is also its name in the audit
trail, so a re-send is simply the same name with a new SHA-256.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from ingest import SOURCES
from ingest.specs import BY_NAME, ENTITIES
from vrn import periods

RETURN_ENTITIES: dict[str, str] = {
    # file-name stem -> service (returns.md)
    "sarc_return": "sarc",
    "cyp_sarc_return": "cyp_sarc",
    "isva_return": "isva",
}
POLICEUK_NAME = re.compile(r"^(\d{4})-(0[1-9]|1[0-2])-leicestershire-street\.csv$")
_NAME = re.compile(
    r"^(?P<entity>[a-z][a-z0-9_]*)_(?P<period>\d{4}-\d{2}(Q\d)?)\.(?P<ext>[A-Za-z]+)$"
)


def _entities_of(source: str) -> dict[str, tuple[str, ...]]:
    """Entity stem -> allowed extensions for one landing folder."""
    kind = source.split("/")[0]
    out = {e.entity: e.extensions for e in ENTITIES if e.source == kind}
    if kind == "commissioning":
        out.update({stem: ("xlsx",) for stem in RETURN_ENTITIES})
    return out


@dataclass(frozen=True)
class LandingFile:
    """One file found in the landing folder, with what its name says about it."""

    path: Path
    file_name: str  # path under the landing folder, `/`-separated: its name in the audit trail
    source: str  # one of ingest.SOURCES
    entity: str | None  # None when the name is not one the spec allows
    period: str | None  # `2023-24Q1`, `2023-24` or (police.uk) `2023-01`
    extension: str
    problem: str | None = None  # why the name was not recognised

    @property
    def la_code(self) -> str | None:
        """The council's ONS code for `la/<code>` folders."""
        return self.source.split("/")[1] if self.source.startswith("la/") else None

    @property
    def period_bounds(self) -> periods.Period | None:
        """The period as dates; None for police.uk months and unrecognised names."""
        if self.entity is None or self.period is None:
            return None
        if self.entity in RETURN_ENTITIES:
            return periods.fy_quarter(self.period)
        spec = BY_NAME.get(self.entity)
        if spec is None:
            return None
        return {
            "fy_quarter": periods.fy_quarter,
            "academic_year": periods.academic_year,
            "financial_year": periods.financial_year,
        }[spec.period_kind](self.period)


def describe(path: Path, landing: Path, source: str) -> LandingFile:
    """Read a file's name; never raises (an unrecognised name is a rejection reason)."""
    return for_path(path, source, path.relative_to(landing).as_posix())


def for_path(path: Path, source: str, file_name: str | None = None) -> LandingFile:
    """A file of `source` wherever it lies (tests, one-off checks): named
    `<source>/<file name>` in the audit trail unless told otherwise."""
    if source not in SOURCES:
        raise ValueError(f"unknown source {source!r}; expected one of {list(SOURCES)}")
    file_name = file_name or f"{source}/{path.name}"
    ext = path.suffix.lstrip(".").lower()

    def bad(why: str) -> LandingFile:
        return LandingFile(path, file_name, source, None, None, ext, why)

    if source == "policeuk":
        m = POLICEUK_NAME.match(path.name)
        if not m:
            return bad("a police.uk file must be named YYYY-MM-leicestershire-street.csv")
        return LandingFile(path, file_name, source, "street", f"{m[1]}-{m[2]}", ext)

    allowed = _entities_of(source)
    m = _NAME.match(path.name)
    expected = ", ".join(sorted(allowed))
    if not m:
        return bad(f"the name should be <entity>_<period>.<ext>, with entity one of {expected}")
    entity, period = m["entity"], m["period"]
    if entity not in allowed:
        return bad(f"{entity!r} is not a file this folder receives (expected one of {expected})")
    if ext not in allowed[entity]:
        return bad(f"{entity} files must be .{' or .'.join(allowed[entity])}, not .{ext}")
    kind = "fy_quarter" if entity in RETURN_ENTITIES else BY_NAME[entity].period_kind
    parse = {
        "fy_quarter": periods.fy_quarter,
        "academic_year": periods.academic_year,
        "financial_year": periods.financial_year,
    }[kind]
    try:
        parse(period)
    except ValueError:
        example = {"fy_quarter": "2023-24Q1", "academic_year": "2023-24",
                   "financial_year": "2023-24"}[kind]
        return bad(f"{period!r} is not a {kind.replace('_', ' ')} like {example}")
    return LandingFile(path, file_name, source, entity, period, ext)


ENTITY_ORDER: tuple[str, ...] = (*(e.entity for e in ENTITIES), *RETURN_ENTITIES, "street")


def _sort_key(f: LandingFile) -> tuple:
    """Load order: source, then entity in the spec's order (crimes before the people and
    outcomes that refer to them), then period (spec: files load in period order)."""
    bounds = f.period_bounds
    start = bounds.start.isoformat() if bounds else (f.period or "")
    entity = ENTITY_ORDER.index(f.entity) if f.entity in ENTITY_ORDER else len(ENTITY_ORDER)
    return (SOURCES.index(f.source), entity, start, f.file_name)


def discover(landing: Path, sources: Iterable[str] | None = None) -> list[LandingFile]:
    """Every file directly inside each source folder, in load order.

    Hidden files and Office lock files (`~$…`) are partners' tools' leftovers, not
    extracts, and are not seen at all.
    """
    chosen = list(SOURCES if sources is None else sources)
    unknown = [s for s in chosen if s not in SOURCES]
    if unknown:
        raise ValueError(f"unknown source(s) {unknown}; expected some of {list(SOURCES)}")
    found: list[LandingFile] = []
    for source in chosen:
        folder = landing / source
        if not folder.is_dir():
            continue
        for path in folder.iterdir():
            if not path.is_file() or path.name.startswith((".", "~$")):
                continue
            found.append(describe(path, landing, source))
    return sorted(found, key=_sort_key)


def fingerprint(path: Path) -> tuple[str, int]:
    """SHA-256 (hex) and size in bytes, read in chunks so big files stay out of memory."""
    h = hashlib.sha256()
    size = 0
    with path.open("rb") as f:
        while chunk := f.read(1 << 20):
            h.update(chunk)
            size += len(chunk)
    return h.hexdigest(), size
