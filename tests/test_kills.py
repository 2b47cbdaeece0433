"""A run killed anywhere leaves nothing half-done (issue [5/6], point 5).

One drop of a single quarter goes through `vrn run` killed with SIGKILL at each of the
ten points `vrn.failpoints` names, in pipeline order — mid-file ingest, between ingest
transactions, inside linkage twice, during `dbt build`, during the checks, mid-render,
between partners, mid-rename of a republished folder, and as the run is being recorded.
After each kill nothing is half-done: no lock is held, no process of the run lives on,
every published folder is whole. Then one more `vrn run` completes, and its warehouse
and publications are those of the same files run once without a kill.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import signal
import subprocess
import sys
from datetime import date
from pathlib import Path

import duckdb
import pytest

from exports.folder import MANIFEST, PREVIOUS, STAGING, is_intact, read_manifest
from vrn.failpoints import POINTS
from vrn.lock import warehouse_lock

VRN = str(Path(sys.executable).with_name("vrn"))
ONE_QUARTER = {"seed": 11, "scale": 0.05, "start": date(2023, 4, 1), "end": date(2023, 6, 30)}
RESENT = "police/crimes_2023-24Q1.csv"
# Compared between the killed and the clean runs: every table but the audit trail's, whose
# times and run ids differ by nature (audit.files is compared without its times).
SCHEMAS_COMPARED = ("raw", "quarantine", "linkage", "staging", "intermediate", "marts",
                    "publish")
pytestmark = pytest.mark.slow


def run(landing: Path, root: Path, kill_at: str | None = None) -> subprocess.CompletedProcess:
    env = {**os.environ}
    env.pop("VRN_KILL_AT", None)
    if kill_at:
        env["VRN_KILL_AT"] = kill_at
    return subprocess.run(
        [VRN, "run", "--landing", str(landing), "--warehouse", str(root / "warehouse.duckdb"),
         "--exports", str(root / "exports")], capture_output=True, text=True, env=env,
        timeout=1200)


def resend_with_fewer_rows(landing: Path) -> None:
    """A partner re-sends its crimes file without every tenth row: figures change, so
    the next run republishes published folders (moving each old one aside: the
    mid-rename point), while every month still holds crimes (no gate holds it back)."""
    path = landing / RESENT
    header, *rows = path.read_bytes().splitlines(keepends=True)
    path.write_bytes(header + b"".join(r for i, r in enumerate(rows) if i % 10 != 9))


def tables(con: duckdb.DuckDBPyConnection) -> dict[str, str]:
    """Every compared table's rows, as a digest of the sorted rows' text. Without
    `linked_at`, when a linkage run linked a person (linkage/model.py): the times of two
    sequences of runs differ by design; the rows built from them must not."""
    out = {}
    for schema, table in con.execute(
            "SELECT table_schema, table_name FROM information_schema.tables WHERE "
            "table_type = 'BASE TABLE' AND table_schema IN "
            f"({', '.join(repr(s) for s in SCHEMAS_COMPARED)}) ORDER BY 1, 2").fetchall():
        # Floats to 9 significant digits: DuckDB's parallel sums add in any order, so an
        # average can differ in its last bit between two builds of the same rows.
        rows = sorted(str(tuple(float(f"{v:.9g}") if isinstance(v, float) else v for v in r))
                      for r in con.execute(f"SELECT COLUMNS(lambda c: c <> 'linked_at') "
                                           f'FROM "{schema}"."{table}"').fetchall())
        out[f"{schema}.{table}"] = hashlib.sha256("\n".join(rows).encode()).hexdigest()
    return out


def audit_files(con: duckdb.DuckDBPyConnection) -> list[tuple]:
    """Each file's current version (the killed runs' history has a superseded one)."""
    return sorted(con.execute(
        "SELECT file_name, sha256, outcome, rows_read, rows_loaded, rows_quarantined, "
        "reason FROM audit.files WHERE outcome <> 'superseded'").fetchall(), key=str)


def _file_digest(path: Path) -> str:
    """A file's bytes; a workbook's sheets but its cover (which says what changed since
    the version it replaced: the history, which the killed runs made different)."""
    if path.suffix != ".xlsx":
        return hashlib.sha256(path.read_bytes()).hexdigest()
    from openpyxl import load_workbook

    book = load_workbook(path, read_only=True)
    try:
        sheets = [(ws.title, [tuple(r) for r in ws.iter_rows(values_only=True)])
                  for ws in book.worksheets if ws.title != "cover"]
    finally:
        book.close()
    return hashlib.sha256(repr(sheets).encode()).hexdigest()


def publications(exports: Path) -> dict[str, list]:
    """Each partner × quarter folder in place: every file as `_file_digest` says and the
    rows the manifest gives it (the manifest's times, paths and history aside)."""
    out = {}
    for manifest in sorted(exports.glob(f"*/*/{MANIFEST}")):
        folder = manifest.parent
        if folder.parent.name.startswith((".", "_")) or folder.name.startswith((".", "_")):
            continue
        data = read_manifest(folder)
        assert data is not None
        out[f"{folder.parent.name}/{folder.name}"] = sorted(
            (f["name"], _file_digest(folder / f["name"]), f["rows"]) for f in data["files"])
    return out


def state(root: Path) -> dict:
    with duckdb.connect(str(root / "warehouse.duckdb"), read_only=True) as con:
        return {"tables": tables(con), "audit_files": audit_files(con),
                "publications": publications(root / "exports")}


def assert_nothing_half_done(root: Path, point: str) -> None:
    warehouse = root / "warehouse.duckdb"
    # No lock outlives the killed run, and no process of it (dbt) goes on writing.
    with warehouse_lock(warehouse, wait_seconds=0):
        pass
    for proc in Path("/proc").glob("[0-9]*"):
        try:
            cmdline = (proc / "cmdline").read_bytes()
        except OSError:
            continue
        assert str(warehouse).encode() not in cmdline, (
            f"after a kill at {point}: process {proc.name} still has the warehouse: "
            f"{cmdline[:200]!r}")
    # Every folder a partner can see is whole; nothing half-written is in a quarter folder.
    exports = root / "exports"
    for quarter in (q for q in exports.glob("*") if q.is_dir()
                    and q.name not in (STAGING, PREVIOUS) and not q.name.startswith(".")):
        for folder in quarter.iterdir():
            if folder.name == PREVIOUS:
                continue
            manifest = read_manifest(folder)
            assert manifest is not None and is_intact(folder, manifest), (
                f"after a kill at {point}: {folder} is not a whole publication")
    # The warehouse opens, and says how far the killed run got.
    with duckdb.connect(str(warehouse), read_only=True) as con:
        con.execute("SELECT count(*) FROM audit.files").fetchone()


@pytest.fixture(scope="module")
def drop(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from synthetic.generate import generate

    landing = tmp_path_factory.mktemp("kill_drop") / "landing"
    generate(landing, **ONE_QUARTER)
    return landing


def test_a_run_killed_at_each_point_leaves_nothing_half_done_and_the_next_run_completes_as_if_unkilled(  # noqa: E501
        drop: Path, tmp_path: Path) -> None:
    landing = tmp_path / "landing"
    shutil.copytree(drop, landing)
    order = list(POINTS)
    assert len(order) == 10
    for point in order:
        if point == "exports.mid_rename":
            resend_with_fewer_rows(landing)  # so that published folders are replaced
        killed = run(landing, tmp_path, kill_at=point)
        assert killed.returncode == -signal.SIGKILL, (
            f"the run was not killed at {point} (exit {killed.returncode}): the point was "
            f"not reached\n{killed.stdout[-2000:]}{killed.stderr[-2000:]}")
        assert_nothing_half_done(tmp_path, point)
    last = run(landing, tmp_path)
    assert last.returncode == 0, last.stdout[-3000:] + last.stderr[-3000:]
    after = state(tmp_path)
    # The same files, run once without a kill, into an empty warehouse and exports folder.
    clean_root = tmp_path / "clean"
    shutil.copytree(landing, clean_root / "landing")
    reference = run(clean_root / "landing", clean_root)
    assert reference.returncode == 0, reference.stdout[-3000:] + reference.stderr[-3000:]
    clean = state(clean_root)
    assert after["audit_files"] == clean["audit_files"]
    differ = [t for t in clean["tables"] if after["tables"].get(t) != clean["tables"][t]]
    assert not differ and set(after["tables"]) == set(clean["tables"]), differ
    assert after["publications"] == clean["publications"]
    # Every earlier version kept is whole too.
    for manifest in (tmp_path / "exports").glob(f"*/{PREVIOUS}/*/*/{MANIFEST}"):
        assert is_intact(manifest.parent, json.loads(manifest.read_text()))


PUBLISH_TWICE = """
import sys
from datetime import UTC, datetime
from pathlib import Path
from exports.folder import publish_folder
root, version = Path(sys.argv[1]), sys.argv[2]
files = {"t.csv": f"a,b\\n{version},2\\n".encode()}
publish_folder(root, "2023-24Q1", "csp-melton", files, [],
               lambda supersedes: f'{{"v": "{version}", "files": []}}'.encode(),
               datetime.now(UTC))
"""


def test_a_publication_moved_aside_by_a_killed_run_is_put_back_by_the_next(
        tmp_path: Path) -> None:
    from exports.folder import clean_leftovers

    def publish(version: str, kill_at: str | None = None) -> int:
        env = {**os.environ, "VRN_KILL_AT": kill_at or ""}
        return subprocess.run([sys.executable, "-c", PUBLISH_TWICE, str(tmp_path), version],
                              env=env, cwd=Path(__file__).parent.parent).returncode

    assert publish("1") == 0
    final = tmp_path / "2023-24Q1" / "csp-melton"
    before = {p.name: p.read_bytes() for p in final.iterdir()}
    assert publish("2", kill_at="exports.mid_rename") == -signal.SIGKILL
    assert not final.exists()  # killed between the two renames
    clean_leftovers(final.parent, "csp-melton")  # what the next run does first
    assert {p.name: p.read_bytes() for p in final.iterdir()} == before
    assert publish("2") == 0  # and then it publishes the new version over it
    assert b'"v": "2"' in (final / MANIFEST).read_bytes()
