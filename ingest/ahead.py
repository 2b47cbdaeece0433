"""New council workbooks landed ahead of their turn, in a second thread.

Before a new file is validated, `ingest.load` makes its private copy as it hashes it
(`ingest.files.fingerprint`: what is parsed is exactly what was fingerprinted), and a
council workbook is then turned into text (`ingest.tabular.workbook_as_csv`): Python
work that never touches the warehouse, while the run spends most of its time waiting
on DuckDB, which lets other Python threads run. So `Ahead` lands the run's new
workbooks in one worker thread, in load order, a little ahead of the file being
validated and written: the copy, its SHA-256 and its text. When the run reaches the
file it takes what the worker made and validates it as if it had made it itself. A CSV
would only be copied, which is no gain ahead of its turn. What each bought or cost is
in BENCHMARKS.md ("What each change bought").

Only workbooks the warehouse holds no version of are landed ahead: a re-sent file is
hashed first and copied and converted only if its bytes changed, so an unchanged
re-send is never converted for nothing. Whatever goes wrong in the worker (the file
became a link, the workbook cannot be read) leaves the file to be landed by the run
itself, as before, which then meets the same problem and says so: each file's outcome
and message are the same with or without the worker.

A thread, not a process: a process forked from the run would count the run's memory a
second time (and fork a process running DuckDB's threads), and a spawned one would
import the caller's main module again, running an unguarded script a second time.
"""

from __future__ import annotations

import dataclasses
import itertools
import shutil
import tempfile
from collections import deque
from collections.abc import Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from ingest.files import LandingFile, WorkbookText, fingerprint
from ingest.specs import BY_NAME
from ingest.tabular import workbook_as_csv

# How far the worker may run ahead of the run, in bytes of workbooks landed and not
# yet taken: their copies and text wait in a temporary folder meanwhile.
AHEAD_BYTES = 64 << 20


@dataclass(frozen=True)
class Landed:
    """A file's private copy, its SHA-256 and size, and (a workbook with rows) its text."""

    copy: Path
    sha256: str
    size: int
    text: WorkbookText | None = None

    def file(self, file: LandingFile) -> LandingFile:
        """`file` as the run validates it: its copy, with the text made from it."""
        return dataclasses.replace(file, path=self.copy, text=self.text)

    def moved(self, old: Path, new: Path) -> Landed:
        """The same, its folder `old` now at `new`."""
        def at(path: Path) -> Path:
            return new / path.relative_to(old)

        text = None if self.text is None else WorkbookText(self.text.header,
                                                          at(self.text.csv))
        return Landed(at(self.copy), self.sha256, self.size, text)


def copy_of(file: LandingFile, folder: Path) -> Landed:
    """The file's private copy in `folder` (made here), hashed as it is copied; raises
    `ingest.files.OutsideLanding` for what is never read."""
    copy = folder / file.path.name
    copy.parent.mkdir(parents=True)
    sha256, size = fingerprint(file, copy_to=copy)
    return Landed(copy, sha256, size)


def lands_ahead(file: LandingFile, versions: dict[str, tuple]) -> bool:
    """A new workbook of the spec's tables (a council's): one that the warehouse holds
    no version of (`versions`: the current ones)."""
    return (file.extension == "xlsx" and file.entity in BY_NAME
            and file.file_name not in versions)


def land(file: LandingFile, folder: Path) -> Landed:
    """What the worker does with a workbook: `copy_of` it, and the copy as text. Raises
    what copying or reading it raises."""
    landed = copy_of(file, folder / "landed")
    header, csv = workbook_as_csv(landed.copy, BY_NAME[file.entity or ""], folder)
    if csv is None:  # no rows: nothing to do ahead
        return landed
    return dataclasses.replace(landed, text=WorkbookText(tuple(header), csv))


class Ahead:
    """The worker and what it has landed; the run `take`s each file in load order."""

    def __init__(self, files: Sequence[LandingFile], folder: Path,
                 ahead_bytes: int = AHEAD_BYTES) -> None:
        self._queue = deque(files)  # not yet given to the worker, in load order
        self._ahead_bytes = ahead_bytes
        self._given: dict[str, tuple[Future[Landed], Path, int]] = {}
        self._waiting = 0  # bytes given and not taken
        self._folders = (folder / str(n) for n in itertools.count())
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="vrn-ahead")
        self._give()

    def _give(self) -> None:
        """Give the worker files until those given and not taken come to `ahead_bytes`
        (one file at least)."""
        while self._queue:
            if self._given and self._waiting >= self._ahead_bytes:
                return
            file = self._queue.popleft()
            folder, size = next(self._folders), file.size or 0
            self._given[file.file_name] = (self._pool.submit(land, file, folder), folder,
                                           size)
            self._waiting += size

    def take(self, file: LandingFile, into: Path) -> Landed | None:
        """`file` as the worker landed it, its folder moved to `into` (which must not
        exist yet); None when it was not given to the worker or the worker could not
        land it: the caller then lands it itself."""
        given = self._given.pop(file.file_name, None)
        if given is None:
            return None
        future, folder, size = given
        self._waiting -= size
        self._give()
        try:
            landed = future.result()
        except Exception:  # the run lands the file itself, and says what is wrong
            shutil.rmtree(folder, ignore_errors=True)
            return None
        into.parent.mkdir(parents=True, exist_ok=True)
        shutil.move(folder, into)
        return landed.moved(folder, into)

    def close(self) -> None:
        """Stop giving files; wait for the one being landed."""
        self._queue.clear()
        self._pool.shutdown(wait=True, cancel_futures=True)


@contextmanager
def landing_ahead(files: Sequence[LandingFile], versions: dict[str, tuple]
                  ) -> Iterator[Ahead | None]:
    """An `Ahead` for the new workbooks among `files` (in load order: `lands_ahead`);
    None when there are none. On leaving, the worker stops and what it landed and was
    not taken is removed."""
    new = [f for f in files if lands_ahead(f, versions)]
    if not new:
        yield None
        return
    with tempfile.TemporaryDirectory(prefix="vrn-ahead-") as tmp:
        ahead = Ahead(new, Path(tmp))
        try:
            yield ahead
        finally:
            ahead.close()
