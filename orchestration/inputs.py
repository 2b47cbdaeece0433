"""What a run's result depends on, so that `vrn run` can tell nothing has changed.

A run's warehouse and publications are a function of three things: the files in the
landing folder, the project's code (Python, the dbt project, the lock file) and the
publications already in the exports folder (a partner folder that was deleted or edited
must be put back). `RunInputs` is a digest of each, from names, sizes and modification
times, as the landing sensor does (`vrn.listing`): cheap enough to take
before anything heavy is imported.

`vrn run` records the inputs of every run in `audit.runs.inputs` (the exports part as
the run left the folder) and, when they equal those of the last run and that run
succeeded, does nothing: it records the run as one that found nothing new and says so.
`vrn run --force` runs every step regardless. This module imports no Dagster, dbt or
pandas: it decides before they are loaded.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from datetime import datetime
from pathlib import Path

from vrn.listing import code_digest, digest, tree_listing
from vrn.settings import Settings


@dataclass(frozen=True)
class RunInputs:
    paths: str  # the landing, warehouse and exports the run was given
    landing: str  # every file under the landing folder
    code: str  # the project's code and its lock file
    exports: str  # every file under the exports folder

    @classmethod
    def of(cls, settings: Settings, code: str | None = None) -> RunInputs:
        return cls(
            paths=digest([str(settings.landing), str(settings.warehouse),
                          str(settings.exports)]),
            landing=digest(tree_listing(settings.landing)),
            code=code if code is not None else code_digest(),
            exports=exports_digest(settings.exports),
        )

    def with_exports(self, exports: Path) -> RunInputs:
        """The same inputs with the exports folder as it is now (after a run wrote it)."""
        return RunInputs(self.paths, self.landing, self.code, exports_digest(exports))

    def as_json(self) -> str:
        return json.dumps(asdict(self), sort_keys=True)

    @classmethod
    def from_json(cls, text: str | None) -> RunInputs | None:
        try:
            return cls(**json.loads(text)) if text else None
        except (TypeError, ValueError):  # written by another version: never equal
            return None

    def changed_since(self, other: RunInputs | None) -> list[str]:
        """What differs from `other`'s inputs, in words (everything when there are none)."""
        if other is None:
            return ["no earlier run recorded its inputs"]
        words = {"paths": "the landing, warehouse or exports path",
                 "landing": "the landing folder's files", "code": "the project's code",
                 "exports": "the exports folder"}
        return [w for k, w in words.items() if getattr(self, k) != getattr(other, k)]


def exports_digest(exports: Path) -> str:
    return digest(tree_listing(exports))


@dataclass(frozen=True)
class LastRun:
    run_id: str
    finished_at: datetime | None
    status: str
    inputs: RunInputs | None


def last_run(warehouse: Path) -> LastRun | None:
    """The warehouse's latest run (`audit.runs`), or None (no warehouse, no runs)."""
    if not warehouse.is_file():
        return None
    import duckdb

    try:
        with duckdb.connect(str(warehouse), read_only=True) as con:
            row = con.execute("""
                SELECT run_id, finished_at, status, inputs FROM audit.runs
                ORDER BY started_at DESC LIMIT 1""").fetchone()
    except duckdb.Error:  # an older warehouse without the column, or none of the tables
        return None
    if row is None:
        return None
    return LastRun(row[0], row[1], row[2], RunInputs.from_json(row[3]))


def nothing_new(inputs: RunInputs, last: LastRun | None) -> bool:
    """Whether a run now would do nothing: the last run succeeded on these same inputs
    (a run that failed, was blocked, or is still recorded as running is always redone)."""
    return last is not None and last.status == "succeeded" and not inputs.changed_since(
        last.inputs)


def record_nothing_new(warehouse: Path, run_id: str, inputs: RunInputs, last: LastRun,
                       started_at: datetime) -> str:
    """Record a run that found nothing new in `audit.runs`, and say so in one line."""
    from ingest.schema import create_schemas
    from vrn.lock import connect_for_writing

    since = f"{last.finished_at:%Y-%m-%d %H:%M:%S}" if last.finished_at else "unknown"
    detail = (f"nothing new since run {last.run_id} (finished {since}): the same landing "
              "files, code and exports; nothing ingested, built, checked or published")
    with connect_for_writing(warehouse) as con:
        create_schemas(con)
        con.execute("INSERT INTO audit.runs VALUES (?, ?, ?, 'succeeded', ?, ?)",
                    [run_id, started_at, datetime.now(), detail, inputs.as_json()])
    return detail
