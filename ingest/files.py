"""What is in the landing folder: each file's source, entity, period and fingerprint.

Partners name files `<landing>/<source>/<entity>_<period>.<ext>` (spec, General rules);
police.uk downloads keep their own name, `YYYY-MM-leicestershire-street.csv`. A file is
identified by its path under the landing folder, which is also its name in the audit
trail, so a re-send is simply the same name with a new SHA-256.
"""

from __future__ import annotations

import difflib
import hashlib
import os
import re
import stat
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
class WorkbookText:
    """A workbook's header and its data rows as a numbered UTF-8 CSV of text, as
    `ingest.tabular.workbook_as_csv` makes them, made from the file's private copy
    before its turn came (`ingest.ahead`)."""

    header: tuple[str, ...]
    csv: Path


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
    text: WorkbookText | None = None  # a workbook's text, made ahead (`ingest.ahead`)

    @property
    def size(self) -> int | None:
        """Its size in bytes now, the file itself (a link not followed); None when it is
        gone or cannot be read (landing it then says what is wrong)."""
        try:
            return self.path.lstat().st_size
        except OSError:
            return None

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


# Editor lock and temporary files: partners' tools' leftovers, never extracts. They are
# not read and get no audit row; `vrn status` and the run's summary list them.
_LEFTOVER = re.compile(r"^(~\$.*|\.~lock\..*#|\..*|.*~|.*\.(tmp|part|crdownload|swp))$", re.I)
_KINDS = {  # what stat says a non-regular entry is, in a partner's words
    stat.S_IFLNK: "a symbolic link",
    stat.S_IFIFO: "a named pipe (FIFO)",
    stat.S_IFSOCK: "a socket",
    stat.S_IFCHR: "a character device",
    stat.S_IFBLK: "a block device",
}
MAX_DEPTH = 16  # folders deeper than this are reported, not walked


def is_leftover(name: str) -> bool:
    """`~$crimes.xlsx`, `.~lock.crimes.csv#`, hidden files, `*.tmp`, `*~`: not extracts."""
    return bool(_LEFTOVER.match(name))


@dataclass(frozen=True)
class Stray:
    """Something under the landing folder that is never read: a link, pipe or device
    anywhere, a file outside the source folders (an unknown folder, a subfolder, the
    landing folder itself), or an editor's lock or temporary file (`ignored`)."""

    file_name: str  # path under the landing folder, `/`-separated
    source: str | None  # the source folder it lies in or under, if any
    size_bytes: int | None  # a regular file's size (lstat); None for anything else
    reason: str
    ignored: bool = False  # a lock or temporary file: listed, not recorded as rejected


@dataclass
class Survey:
    """Everything under the landing folder, sorted into what ingest reads (`files`, in
    load order) and what it never opens (`strays`)."""

    files: list[LandingFile]
    strays: list[Stray]

    @property
    def rejected(self) -> list[Stray]:
        return [s for s in self.strays if not s.ignored]

    @property
    def ignored(self) -> list[Stray]:
        return [s for s in self.strays if s.ignored]


def _source_of(rel: str) -> str | None:
    """The source folder `rel` lies in or under (`police/x/y.csv` -> `police`)."""
    return next((s for s in SOURCES if rel == s or rel.startswith(f"{s}/")), None)


def _where(rel: str) -> str:
    """Why a regular file at `rel` is not read: where it is, where it should be."""
    parent = rel.rpartition("/")[0]
    folders = ", ".join(f"{s}/" for s in SOURCES)
    if not parent:
        return (f"it lies in the landing folder itself, not in a source folder "
                f"({folders}); nothing outside them is read")
    source = _source_of(parent)
    if source is not None:
        return (f"it lies in a subfolder ({parent}/) of {source}/; only files directly "
                f"in {source}/ are read. Move it up into {source}/")
    top = parent.split("/")[0]
    close = difflib.get_close_matches(parent, SOURCES, n=1) or difflib.get_close_matches(
        top, [s.split("/")[0] for s in SOURCES], n=1)
    hint = f" (did you mean {close[0]}/?)" if close else ""
    return (f"{parent}/ is not a landing folder{hint}; files are read only from "
            f"{folders}")


def survey(landing: Path) -> Survey:
    """Every entry under the landing folder, without following a link or opening a file.

    The landing folder is the boundary: only regular files directly in a source folder
    are candidates (`describe`); a link, pipe, socket or device anywhere is never opened
    (a link is not followed, so nothing it points at is read or named); any other file
    is a stray to be recorded, so that nothing a partner sends vanishes unexplained.
    """
    files: list[LandingFile] = []
    strays: list[Stray] = []

    def walk(folder: Path, rel: str, depth: int) -> None:
        try:
            entries = sorted(os.scandir(folder), key=lambda e: e.name)
        except OSError as e:
            strays.append(Stray(rel, _source_of(rel), None,
                                f"the folder {rel}/ cannot be listed ({e.strerror})"))
            return
        for entry in entries:
            name = f"{rel}/{entry.name}" if rel else entry.name
            try:
                st = entry.stat(follow_symlinks=False)
            except OSError as e:
                strays.append(Stray(name, _source_of(name), None,
                                    f"{name} cannot be examined ({e.strerror})"))
                continue
            mode = stat.S_IFMT(st.st_mode)
            if mode == stat.S_IFDIR:
                if depth >= MAX_DEPTH:
                    strays.append(Stray(name, _source_of(name), None,
                                        f"{name}/ is more than {MAX_DEPTH} folders deep; "
                                        "it was not searched"))
                else:
                    walk(Path(entry.path), name, depth + 1)
            elif mode == stat.S_IFREG:
                if is_leftover(entry.name):
                    strays.append(Stray(name, _source_of(name), st.st_size,
                                        "an editor's lock or temporary file, not an "
                                        "extract: ignored", ignored=True))
                elif rel in SOURCES:
                    files.append(describe(Path(entry.path), landing, rel))
                else:
                    strays.append(Stray(name, _source_of(name), st.st_size,
                                        f"not read: {_where(name)}"))
            else:
                kind = _KINDS.get(mode, "not a regular file")
                strays.append(Stray(
                    name, _source_of(name), None,
                    f"{name} is {kind}, not a regular file: it was not opened. Only "
                    "regular files directly in a source folder are read (links are "
                    "never followed); put the file itself there"))

    walk(landing, "", 0)
    return Survey(sorted(files, key=_sort_key), sorted(strays, key=lambda s: s.file_name))


def chosen_sources(sources: Iterable[str] | None) -> list[str]:
    """The source folders asked for (all when None); an unknown one raises ValueError."""
    chosen = list(SOURCES if sources is None else sources)
    unknown = [s for s in chosen if s not in SOURCES]
    if unknown:
        raise ValueError(f"unknown source(s) {unknown}; expected some of {list(SOURCES)}")
    return chosen


def discover(landing: Path, sources: Iterable[str] | None = None) -> list[LandingFile]:
    """The regular files directly inside each chosen source folder, in load order
    (`survey` says what else is there)."""
    chosen = chosen_sources(sources)
    return [f for f in survey(landing).files if f.source in chosen]


class OutsideLanding(Exception):
    """A landing path that is (or became) a link, pipe or device: never read."""


def _open_in_landing(file: LandingFile) -> int:
    """A read-only descriptor of the file, reached without following any link: each
    folder from the landing folder down is opened with O_NOFOLLOW, and the file itself
    too, non-blocking (a FIFO put there does not hang the run) and checked to be a
    regular file before a byte is read. Raises OutsideLanding otherwise."""
    parts = file.file_name.split("/")
    path = file.path
    top = path.parents[len(parts) - 1] if path.as_posix().endswith(
        "/" + file.file_name) else path.parent
    folders = parts[:-1] if top != path.parent else []
    fd = os.open(top, os.O_RDONLY | os.O_DIRECTORY)
    try:
        for part in folders:
            try:
                inner = os.open(part, os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW, dir_fd=fd)
            except OSError as e:
                raise OutsideLanding(f"{file.file_name}: the folder {part}/ on its path is "
                                     f"not a plain folder ({e.strerror}); not opened") from e
            os.close(fd)
            fd = inner
        try:
            handle = os.open(path.name, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK,
                             dir_fd=fd)
        except OSError as e:
            raise OutsideLanding(f"{file.file_name} is a symbolic link or cannot be opened "
                                 f"({e.strerror}); links are never followed") from e
    finally:
        os.close(fd)
    if not stat.S_ISREG(os.fstat(handle).st_mode):
        os.close(handle)
        raise OutsideLanding(f"{file.file_name} is not a regular file; it was not read")
    return handle


def fingerprint(file: LandingFile | Path, copy_to: Path | None = None) -> tuple[str, int]:
    """SHA-256 (hex) and size in bytes, read in chunks so big files stay out of memory.

    A landing file is opened as `_open_in_landing` says; `copy_to` also writes the bytes
    hashed to that path, so what is parsed is exactly what was fingerprinted even if the
    partner replaces the file meanwhile."""
    if isinstance(file, Path):
        file = LandingFile(file, file.name, "police", None, None, "")
    h = hashlib.sha256()
    size = 0
    out = copy_to.open("wb") if copy_to is not None else None
    try:
        with os.fdopen(_open_in_landing(file), "rb") as f:
            while chunk := f.read(1 << 20):
                h.update(chunk)
                size += len(chunk)
                if out is not None:
                    out.write(chunk)
    finally:
        if out is not None:
            out.close()
    return h.hexdigest(), size
