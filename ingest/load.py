"""The warehouse side of ingest: new and changed landing files into `raw`, `quarantine`
and `audit`, one file per transaction.

Spec, General rules (re-sends): a file is identified by its name; the same content again
changes nothing and adds no audit row; new content replaces that one file's rows — loaded
and quarantined — entirely, and the older version stays in the audit trail as
`superseded`. A file is parsed and validated completely before its transaction opens,
and everything written for it is written in that one transaction, so a crash mid-file
leaves the warehouse as it was.
"""

from __future__ import annotations

import dataclasses
import tempfile
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import duckdb

from ingest import (
    commissioning,
    health,
    la_leicester,
    la_leicestershire,
    la_rutland,
    opcc,
    police,
    policeuk,
    validate,
)
from ingest.ahead import Ahead, Landed, copy_of, landing_ahead
from ingest.files import (
    LandingFile,
    OutsideLanding,
    Stray,
    chosen_sources,
    fingerprint,
    survey,
)
from ingest.schema import create_schemas
from ingest.specs import BY_NAME
from ingest.tabular import (
    AttachedScratch,
    HeldKeys,
    ParsedFile,
    Scratch,
    parse_tables,
    release,
)
from vrn import failpoints

Parser = Callable[..., ParsedFile]
PARSERS: dict[str, Parser] = {
    "police": police.parse,
    "opcc": opcc.parse,
    "health": health.parse,
    la_leicester.SOURCE: la_leicester.parse,
    la_leicestershire.SOURCE: la_leicestershire.parse,
    la_rutland.SOURCE: la_rutland.parse,
    "commissioning": commissioning.parse,
    "policeuk": policeuk.parse,
}


@dataclass(frozen=True)
class FileResult:
    """What happened to one landing file in this run."""

    file_name: str
    source: str
    entity: str | None
    period: str | None
    outcome: str  # loaded | rejected | unchanged
    rows_read: int = 0
    rows_loaded: int = 0
    rows_quarantined: int = 0
    reason: str | None = None
    supersedes: str | None = None  # sha256 of the version this one replaced, if any

    def describe(self) -> str:
        if self.outcome == "unchanged":
            return f"{self.file_name}: unchanged"
        if self.outcome == "rejected":
            return f"{self.file_name}: REJECTED: {self.reason}"
        again = " (re-sent: replaces the earlier version)" if self.supersedes else ""
        return (f"{self.file_name}: loaded {self.rows_loaded} of {self.rows_read} rows, "
                f"{self.rows_quarantined} quarantined{again}")


@dataclass
class IngestReport:
    files: list[FileResult] = field(default_factory=list)
    ignored: list[str] = field(default_factory=list)  # lock and temporary files, not read

    def with_outcome(self, outcome: str) -> list[FileResult]:
        return [f for f in self.files if f.outcome == outcome]

    @property
    def loaded(self) -> list[FileResult]:
        return self.with_outcome("loaded")

    @property
    def rejected(self) -> list[FileResult]:
        return self.with_outcome("rejected")

    @property
    def unchanged(self) -> list[FileResult]:
        return self.with_outcome("unchanged")

    @property
    def superseding(self) -> list[FileResult]:
        """Files that replaced an earlier version of themselves."""
        return [f for f in self.files if f.supersedes is not None]

    @property
    def rows_loaded(self) -> int:
        return sum(f.rows_loaded for f in self.files if f.outcome != "unchanged")

    @property
    def rows_quarantined(self) -> int:
        return sum(f.rows_quarantined for f in self.files if f.outcome != "unchanged")

    def summary(self) -> str:
        return (f"{len(self.loaded)} file(s) loaded ({len(self.superseding)} replacing an "
                f"earlier version), {len(self.rejected)} rejected, {len(self.unchanged)} "
                f"unchanged; {self.rows_loaded} rows loaded, {self.rows_quarantined} "
                "quarantined" + (f"; {len(self.ignored)} lock or temporary file(s) ignored "
                                 f"({', '.join(self.ignored)})" if self.ignored else ""))


# --- reading the warehouse (outside any write transaction) ----------------------------


_VERSION = "sha256, outcome, rows_read, rows_loaded, rows_quarantined, reason"


def current_version(con: duckdb.DuckDBPyConnection, file_name: str) -> tuple | None:
    """The audit row of the file's current version (loaded or rejected), if any."""
    rows = con.execute(
        f"SELECT {_VERSION} FROM audit.files WHERE file_name = ? "
        "AND outcome <> 'superseded' ORDER BY loaded_at DESC LIMIT 1",
        [file_name],
    ).fetchall()
    return rows[0] if rows else None


def current_versions(con: duckdb.DuckDBPyConnection) -> dict[str, tuple]:
    """`current_version` of every file the warehouse holds, in one query: a run reads
    them once, not once per landing file (each file's load changes only its own)."""
    rows = con.execute(
        f"SELECT file_name, {_VERSION} FROM audit.files WHERE outcome <> 'superseded' "
        "QUALIFY row_number() OVER (PARTITION BY file_name ORDER BY loaded_at DESC) = 1"
    ).fetchall()
    return {r[0]: r[1:] for r in rows}


def held_keys_lookup(con: duckdb.DuckDBPyConnection, file: LandingFile,
                     workdir: Path, scratch: Scratch = None,
                     new_files: bool = False) -> HeldKeys:
    """How the validator finds which of a file's keys every other current file of its
    entity holds (`ingest.tabular.HeldKeys`): a query of the warehouse; None when the
    entity has no key. From a scratch attached to the warehouse it is one query over the
    file's keys and the warehouse's table; from a database of its own, the keys go to
    the warehouse and the answer comes back as Parquet. `new_files`: the keys are those
    of files the warehouse holds no version of, `file`'s among them (`ingest_batch`),
    so a current file holding one is never one of them."""
    entity = BY_NAME.get(file.entity or "")
    if entity is None or not entity.key:
        return None
    own = None if new_files else file.file_name

    if isinstance(scratch, AttachedScratch):
        table = f"{validate.q(scratch.warehouse)}.{entity.raw_table}"

        def attached(_: duckdb.DuckDBPyConnection, keys_sql: str) -> str:
            return "(" + validate.held_keys_sql(entity, table, own, file.la_code,
                                                f"({keys_sql})") + ")"

        return attached

    def lookup(scratch_con: duckdb.DuckDBPyConnection, keys_sql: str) -> str:
        keys, out = workdir / "keys.parquet", workdir / "held_keys.parquet"
        scratch_con.execute(f"COPY ({keys_sql}) TO {validate.lit(str(keys))} (FORMAT parquet)")
        sql = validate.held_keys_sql(entity, entity.raw_table, own, file.la_code,
                                     f"read_parquet({validate.lit(str(keys))})")
        con.execute(f"COPY ({sql}) TO {validate.lit(str(out))} (FORMAT parquet)")
        return f"read_parquet({validate.lit(str(out))})"

    return lookup


def parse_landing_file(con: duckdb.DuckDBPyConnection, file: LandingFile, workdir: Path,
                       sha256: str, size: int, scratch: Scratch = None) -> ParsedFile:
    """Everything about a file that can be known before writing: rows or rejection."""
    if file.entity is None:
        return ParsedFile(file, sha256, size,
                          rejected=f"file name not recognised: {file.problem}")
    return PARSERS[file.source](file, workdir / "parsed", sha256=sha256,
                                held_keys=held_keys_lookup(con, file, workdir, scratch),
                                scratch=scratch)


# --- writing: one transaction per file -----------------------------------------------


def _remove_previous(con: duckdb.DuckDBPyConnection, parsed: ParsedFile) -> None:
    """Drop every row of the earlier version: nothing of it survives (spec, re-sends)."""
    name = parsed.file.file_name
    if parsed.table:
        con.execute(f"DELETE FROM {parsed.table} WHERE file_name = ?", [name])
    con.execute("DELETE FROM quarantine.rows WHERE file_name = ?", [name])
    con.execute(
        "UPDATE audit.files SET outcome = 'superseded' "
        "WHERE file_name = ? AND outcome <> 'superseded'", [name],
    )


def _rows_of(sql: str | None, path: Path | None) -> str | None:
    """The SELECT giving a parsed file's rows: over the attached scratch, or Parquet."""
    if sql is not None:
        return sql
    if path is not None:
        return f"SELECT * FROM read_parquet({validate.lit(str(path))})"
    return None


def _insert_rows(con: duckdb.DuckDBPyConnection, parsed: ParsedFile) -> None:
    rows = _rows_of(parsed.rows_sql, parsed.rows_path)
    if parsed.rejected or rows is None or parsed.table is None:
        return
    con.execute(f"INSERT INTO {parsed.table} BY NAME {rows}")


def _insert_quarantine(con: duckdb.DuckDBPyConnection, parsed: ParsedFile) -> None:
    rows = _rows_of(parsed.quarantine_sql, parsed.quarantine_path)
    if parsed.rejected or rows is None:
        return
    con.execute(f"INSERT INTO quarantine.rows BY NAME {rows}")


def _record(con: duckdb.DuckDBPyConnection, parsed: ParsedFile, outcome: str) -> None:
    f = parsed.file
    con.execute(
        "INSERT INTO audit.files (file_name, source, entity, period, sha256, size_bytes, "
        "rows_read, rows_loaded, rows_quarantined, outcome, reason, loaded_at) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [f.file_name, f.source, f.entity, f.period, parsed.sha256, parsed.size_bytes,
         parsed.rows_read, 0 if parsed.rejected else parsed.rows_loaded,
         0 if parsed.rejected else parsed.rows_quarantined, outcome, parsed.rejected,
         datetime.now(UTC).replace(tzinfo=None)],
    )


def write_file(con: duckdb.DuckDBPyConnection, parsed: ParsedFile,
               replaces: bool = True) -> str:
    """Replace the file's rows and record it, all in one transaction; returns the outcome.

    A rejected new version supersedes the earlier one too: the partner has replaced
    that period, and nothing from the older version may survive (spec, re-sends).
    `replaces=False` says the warehouse holds no version of the file (no current audit
    row, so no row of it anywhere: each version's rows and audit row are written in one
    transaction): there is nothing to remove.
    """
    outcome = "rejected" if parsed.rejected else "loaded"
    con.execute("BEGIN TRANSACTION")
    try:
        if replaces:
            _remove_previous(con, parsed)
        _insert_rows(con, parsed)
        _insert_quarantine(con, parsed)
        _record(con, parsed, outcome)
        failpoints.reached("ingest.mid_file")
        con.execute("COMMIT")
    except BaseException:
        con.execute("ROLLBACK")
        raise
    return outcome


def record_stray(con: duckdb.DuckDBPyConnection, stray: Stray) -> FileResult:
    """Something under the landing folder that is never read (`ingest.files.survey`):
    recorded as rejected with its reason, once; it has no SHA-256 because it was never
    opened. Like any rejected version, it replaces a file of the same name (spec,
    re-sends: nothing of the older version survives)."""
    current = con.execute(
        "SELECT outcome, reason, size_bytes FROM audit.files WHERE file_name = ? "
        "AND outcome <> 'superseded' ORDER BY loaded_at DESC LIMIT 1",
        [stray.file_name]).fetchall()
    result = FileResult(stray.file_name, stray.source or "", None, None, "rejected",
                        reason=stray.reason)
    if current and current[0] == ("rejected", stray.reason, stray.size_bytes):
        return dataclasses.replace(result, outcome="unchanged")
    placeholder = LandingFile(Path(stray.file_name), stray.file_name,
                              stray.source,  # type: ignore[arg-type]  # None: no source
                              None, None, "")
    write_file(con, ParsedFile(placeholder, None, stray.size_bytes, rejected=stray.reason),
               replaces=bool(current))
    return result


def _land(file: LandingFile, folder: Path, ahead: Ahead | None) -> Landed:
    """A new version's private copy in `folder` (`ingest.ahead.copy_of`), or what the
    worker landed of it ahead, moved there."""
    if ahead is not None and (landed := ahead.take(file, folder)) is not None:
        return landed
    return copy_of(file, folder)


def ingest_file(con: duckdb.DuckDBPyConnection, file: LandingFile,
                scratch: Scratch = None,
                versions: dict[str, tuple] | None = None,
                ahead: Ahead | None = None) -> FileResult:
    """One landing file: unchanged, loaded (perhaps replacing a version) or rejected.

    The file is read through `ingest.files.fingerprint` only (never through a link), and
    a new version is parsed from the private copy made as it is hashed. A file the
    warehouse has no version of is read once, as it is copied; one it has is hashed first,
    and copied only when its bytes changed. `versions`: the run's `current_versions`,
    read before any of its files loaded (else the warehouse is asked). `ahead`: what
    `ingest.ahead` landed of the run's new workbooks."""
    current = (versions.get(file.file_name) if versions is not None
               else current_version(con, file.file_name))
    if current is not None:
        try:
            sha256, _ = fingerprint(file)
        except OutsideLanding as e:
            return record_stray(con, Stray(file.file_name, file.source, None, str(e)))
        if current[0] == sha256:
            return FileResult(file.file_name, file.source, file.entity, file.period,
                              "unchanged", current[2] or 0, current[3] or 0, current[4] or 0,
                              current[5])
    with tempfile.TemporaryDirectory(prefix="vrn-ingest-") as tmp:
        try:
            landed = _land(file, Path(tmp) / "landed", ahead)
        except OutsideLanding as e:
            return record_stray(con, Stray(file.file_name, file.source, None, str(e)))
        try:
            parsed = parse_landing_file(con, landed.file(file), Path(tmp), landed.sha256,
                                        landed.size, scratch)
            outcome = write_file(con, parsed, replaces=current is not None)
        finally:
            release(scratch)
    return FileResult(
        file.file_name, file.source, file.entity, file.period, outcome, parsed.rows_read,
        0 if parsed.rejected else parsed.rows_loaded,
        0 if parsed.rejected else parsed.rows_quarantined, parsed.rejected,
        current[0] if current is not None else None,
    )


# New files of one entity validated together (`ingest_batch`): those smaller than this,
# at most this many at a time. Each file validated alone cost a few queries (about 20 ms
# for a file of a few hundred rows, most of it DuckDB planning the query that judges its
# rows); a big file is judged alone, its planning a small part of its time.
BATCH_FILE_BYTES = 1 << 20
BATCH_FILES = 64


def batchable(file: LandingFile, versions: dict[str, tuple]) -> bool:
    """A file that can be validated with others of its entity: a table of the spec
    (`ingest.specs`) the warehouse holds no version of, and small."""
    if file.entity not in BY_NAME or file.file_name in versions:
        return False
    return file.size is not None and file.size < BATCH_FILE_BYTES


def ingest_batch(con: duckdb.DuckDBPyConnection, files: Sequence[LandingFile],
                 scratch: AttachedScratch, ahead: Ahead | None = None
                 ) -> Iterator[FileResult]:
    """Several new files of one entity (and council), in load order, with the same
    outcome for each as `ingest_file` (each then being new): validated together
    (`ingest.tabular.parse_tables`), then written one transaction per file, each
    result yielded once its file is written. Each file is copied as it is hashed, and
    its copy is what is validated, as `ingest_file` does."""
    with tempfile.TemporaryDirectory(prefix="vrn-ingest-") as tmp:
        slots: list[FileResult | None] = []  # a stray's result, or a file to validate
        landed: list[tuple[LandingFile, str]] = []
        for i, file in enumerate(files):
            try:
                version = _land(file, Path(tmp) / "landed" / str(i), ahead)
            except OutsideLanding as e:
                slots.append(record_stray(con, Stray(file.file_name, file.source, None,
                                                     str(e))))
                continue
            slots.append(None)
            landed.append((version.file(file), version.sha256))
        if not landed:
            yield from (s for s in slots if s is not None)
            return
        lookup = held_keys_lookup(con, landed[0][0], Path(tmp), scratch, new_files=True)
        parsed = parse_tables(landed, Path(tmp) / "parsed", lookup, scratch)
        try:
            for slot in slots:
                if slot is not None:
                    yield slot
                    continue
                p = next(parsed)
                outcome = write_file(con, p, replaces=False)
                f = p.file  # the copy: its name, source and period are the file's
                yield FileResult(f.file_name, f.source, f.entity, f.period, outcome,
                                 p.rows_read, 0 if p.rejected else p.rows_loaded,
                                 0 if p.rejected else p.rows_quarantined, p.rejected)
        finally:
            parsed.close()
            release(scratch)


# DuckDB checkpoints (writes what the WAL holds into the warehouse file, compressing the
# row groups it touched) whenever the WAL passes its threshold, 16 MiB by default: a
# six-year load checkpointed every few files. While landing files are loaded it waits for
# this much instead (5-10% of the ingest's CPU at scale 1). Each file's transaction is
# still committed to the WAL on its own, so nothing committed is lost to a crash: DuckDB
# replays the WAL when the warehouse is next opened.
INGEST_CHECKPOINT_THRESHOLD = "256MiB"


@contextmanager
def checkpointing_less(con: duckdb.DuckDBPyConnection) -> Iterator[None]:
    """The warehouse's checkpoint threshold raised while files load, then put back."""
    (previous,) = con.execute("SELECT current_setting('checkpoint_threshold')").fetchone()
    con.execute(f"SET checkpoint_threshold = '{INGEST_CHECKPOINT_THRESHOLD}'")
    try:
        yield
    finally:
        con.execute(f"SET checkpoint_threshold = '{previous}'")


SCRATCH_DATABASE = "vrn_scratch"


@contextmanager
def attached_scratch(con: duckdb.DuckDBPyConnection) -> Iterator[AttachedScratch]:
    """An in-memory database attached to the warehouse's DuckDB for validating files in
    (`ingest.tabular.AttachedScratch`), detached afterwards. It shares the warehouse
    connection's memory limit (`VRN_MEMORY_LIMIT`, set when the run opens the warehouse:
    a hostile file spills to disk rather than exhausting the machine); while files load,
    the warehouse's own work is small, so one limit serves both."""
    (warehouse,) = con.execute("SELECT current_database()").fetchone()
    con.execute(f"ATTACH ':memory:' AS {SCRATCH_DATABASE}")
    try:
        cursor = con.cursor()
        try:
            cursor.execute(f"USE {SCRATCH_DATABASE}")
            yield AttachedScratch(cursor, SCRATCH_DATABASE, warehouse)
        finally:
            cursor.close()
    finally:
        con.execute(f"DETACH {SCRATCH_DATABASE}")


def ingest_landing(con: duckdb.DuckDBPyConnection, landing: Path,
                   sources: Iterable[str] | None = None,
                   progress: Callable[[str], None] | None = None,
                   unplaced: bool | None = None) -> IngestReport:
    """Ingest every new or changed file of the chosen sources (all when None), in load
    order (source, entity, period: a key is checked against earlier periods' files), and
    record what lies in or under their folders but is never read (links, pipes, files in
    subfolders). `unplaced` (default: when every source is chosen) also records what lies
    outside every source folder, so that each thing under the landing folder is accounted
    for by exactly one step."""
    landing = Path(landing)
    if not landing.is_dir():
        raise FileNotFoundError(f"the landing folder {landing} does not exist")
    chosen = chosen_sources(sources)
    unplaced = sources is None if unplaced is None else unplaced
    create_schemas(con)
    found = survey(landing)
    report = IngestReport(ignored=[s.file_name for s in found.ignored
                                   if s.source in chosen or (unplaced and s.source is None)])

    def say(result: FileResult) -> None:
        report.files.append(result)
        if progress is not None:
            progress(result.describe())

    with checkpointing_less(con):
        for stray in found.rejected:
            if stray.source in chosen or (unplaced and stray.source is None):
                say(record_stray(con, stray))
        versions = current_versions(con)  # after the strays: none is a file's name
        files = [f for f in found.files if f.source in chosen]
        # In memory: where each file is validated; and new workbooks landed ahead.
        with attached_scratch(con) as scratch, landing_ahead(files, versions) as ahead:
            for group in _batches(files, versions):
                results = (ingest_batch(con, group, scratch, ahead) if len(group) > 1
                           else iter([ingest_file(con, group[0], scratch, versions,
                                                  ahead)]))
                for result in results:
                    say(result)
                    failpoints.reached("ingest.between_files")
    return report


def _batches(files: Sequence[LandingFile], versions: dict[str, tuple]
             ) -> Iterator[list[LandingFile]]:
    """The files in load order, in groups: consecutive `batchable` files of one entity
    (and council), up to `BATCH_FILES`; any other file alone."""
    group: list[LandingFile] = []
    for file in files:
        if not batchable(file, versions):
            if group:
                yield group
                group = []
            yield [file]
            continue
        if group and ((group[0].source, group[0].entity) != (file.source, file.entity)
                      or len(group) >= BATCH_FILES):
            yield group
            group = []
        group.append(file)
    if group:
        yield group
