"""Publishing a partner's folder: whole or not at all, versioned, never silently overwritten.

DESIGN.md: a quarter's folder appears whole or not at all (written aside, then renamed
in); re-publishing moves the previous version to
`<exports>/<fy_quarter>/_previous/<partner>/<its generated_at, ':' written '-'>/` and
records why; nothing is overwritten silently. PITFALLS 11: write to a temporary name in
the same directory, fsync, rename, fsync the directory, manifest last.

The temporary folder is `<exports>/<fy_quarter>/.<partner>.tmp-<random>`: hidden, so a
partner's loader never sees it, and removed at the next publication if a killed run left
it behind. Identical content (every file's SHA-256, and nothing else in the folder) means
nothing is written and the outcome is `unchanged`.

Everything written is readable by its owner only (files 0600, folders 0700, whatever the
umask); `owner_only_tree` tightens what an earlier version published with wider modes.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import shutil
import uuid
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from vrn import failpoints
from vrn.lock import OWNER_ONLY_FILE, OWNER_ONLY_FOLDER, tighten

MANIFEST = "manifest.json"
PREVIOUS = "_previous"


@dataclass(frozen=True)
class Publication:
    partner: str
    fy_quarter: str
    folder: Path
    outcome: str  # published | republished | unchanged
    manifest_sha256: str | None
    reason: str
    supersedes: dict[str, Any] | None = None


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def file_sha256(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _write(path: Path, data: bytes) -> None:
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, OWNER_ONLY_FILE)
    os.fchmod(fd, OWNER_ONLY_FILE)  # exactly 0600, whatever the umask
    with os.fdopen(fd, "wb") as f:
        f.write(data)
        f.flush()
        os.fsync(f.fileno())


def make_folder(path: Path) -> None:
    """`path` and any folder missing above it, each created owner-only (0700); `path`
    already there but wider than that is tightened (the folders above it are left as
    they are)."""
    if path.exists():
        tighten(path, OWNER_ONLY_FOLDER)
        return
    missing = [path]
    while not missing[-1].parent.exists():
        missing.append(missing[-1].parent)
    for folder in reversed(missing):
        with contextlib.suppress(FileExistsError):  # made meanwhile
            folder.mkdir(mode=OWNER_ONLY_FOLDER)
        os.chmod(folder, OWNER_ONLY_FOLDER)  # exactly 0700, whatever the umask


def owner_only_tree(root: Path) -> int:
    """Tighten `root` and every file (0600) and folder (0700) under it that its group or
    others can open, as an earlier version published them; links are left alone. How
    many it changed."""
    if not root.is_dir():
        return 0
    changed = int(tighten(root, OWNER_ONLY_FOLDER))
    for folder, dirs, files in os.walk(root):
        for name in dirs:
            changed += tighten(Path(folder) / name, OWNER_ONLY_FOLDER)
        for name in files:
            changed += tighten(Path(folder) / name, OWNER_ONLY_FILE)
    return changed


STAGING = ".staging"


def temp_prefix(partner: str) -> str:
    return f".{partner}.tmp-"


def staging_dir(exports_root: Path, fy_quarter: str) -> Path:
    """Where a partner folder is written before it is renamed in: beside the quarter
    folders, not inside them, so a killed run never leaves anything in a quarter folder
    (same file system, so the rename stays atomic)."""
    return exports_root / STAGING / fy_quarter


def replacing_record(exports_root: Path, fy_quarter: str, partner: str) -> Path:
    """Written while a published folder is moved aside for its new version (between two
    renames): if the run dies there, the next run puts the old folder back."""
    return staging_dir(exports_root, fy_quarter) / f".{partner}.replacing.json"


def clean_leftovers(quarter_dir: Path, partner: str) -> list[Path]:
    """Undo what a killed run left: this partner's temporary folders are removed, and a
    publication moved aside for a new version that never arrived is put back."""
    removed = []
    exports_root, fy_quarter = quarter_dir.parent, quarter_dir.name
    staging = staging_dir(exports_root, fy_quarter)
    for folder in (quarter_dir, staging):
        if folder.is_dir():
            for p in folder.iterdir():
                if p.name.startswith(temp_prefix(partner)) and p.is_dir():
                    shutil.rmtree(p, ignore_errors=True)
                    removed.append(p)
    record = replacing_record(exports_root, fy_quarter, partner)
    if record.is_file():
        try:
            moving = json.loads(record.read_text(encoding="utf-8"))
            final, moved = exports_root / moving["final"], exports_root / moving["moved_to"]
        except (OSError, ValueError, KeyError, TypeError):
            final = moved = None
        if final is not None and moved is not None and not final.exists() and moved.is_dir():
            os.rename(moved, final)
            fsync_dir(final.parent)
            removed.append(moved)
        record.unlink()
    return removed


def read_manifest(folder: Path) -> dict[str, Any] | None:
    try:
        return json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def is_unchanged(folder: Path, files: Mapping[str, bytes]) -> bool:
    """The published folder holds exactly these files (and its manifest), byte for byte."""
    manifest = read_manifest(folder)
    if manifest is None:
        return False
    listed = {f.get("name"): f.get("sha256") for f in manifest.get("files", [])}
    wanted = {name: sha256(data) for name, data in files.items()}
    return listed == wanted and is_intact(folder, manifest)


def reusable_files(folder: Path, files: Mapping[str, bytes], names: Sequence[str],
                   version: str) -> dict[str, bytes] | None:
    """The published `names` (a profile) when they cannot differ from a fresh render: the
    folder is intact, was written by this code version, and every other file it lists is
    byte for byte `files` — a profile is drawn from those very tables. None otherwise."""
    manifest = read_manifest(folder)
    if manifest is None or manifest.get("code_version") != version:
        return None
    listed = {f.get("name"): f.get("sha256") for f in manifest.get("files", [])}
    if set(listed) != set(files) | set(names):
        return None
    if any(listed[name] != sha256(data) for name, data in files.items()):
        return None
    if not is_intact(folder, manifest):
        return None
    return {name: (folder / name).read_bytes() for name in names}


def is_intact(folder: Path, manifest: Mapping[str, Any]) -> bool:
    """The folder holds exactly the files its manifest lists, with those hashes."""
    listed = {f.get("name"): f.get("sha256") for f in manifest.get("files", [])}
    present = {p.name for p in folder.iterdir()}
    if present != set(listed) | {MANIFEST}:
        return False
    return all(file_sha256(folder / str(name)) == digest for name, digest in listed.items())


def source_changes(old: Mapping[str, Any], sources: Sequence[Mapping[str, str]]
                   ) -> tuple[list[str], list[str]]:
    """The landing files (names) that arrived since an earlier manifest, and those sent
    again with different content."""
    before = {(s.get("file_name"), s.get("sha256")) for s in old.get("sources", [])}
    after = {(s["file_name"], s["sha256"]) for s in sources}
    names_before = {n for n, _ in before}
    return (sorted({n for n, _ in after} - names_before),
            sorted({n for n, _ in after - before} & names_before))


def change_reason(old: dict[str, Any] | None, files: Mapping[str, bytes],
                  sources: Sequence[Mapping[str, str]]) -> str:
    """Why a publication replaces the one before, in words a partner can act on."""
    if old is None:
        return "the published folder had no readable manifest"
    before = {f.get("name"): f.get("sha256") for f in old.get("files", [])}
    after = {name: sha256(data) for name, data in files.items()}
    changed = sorted(n for n in after if n in before and before[n] != after[n])
    added = sorted(set(after) - set(before))
    removed = sorted(set(before) - set(after))
    parts = []
    if changed:
        parts.append("changed: " + ", ".join(changed))
    if added:
        parts.append("added: " + ", ".join(added))
    if removed:
        parts.append("removed: " + ", ".join(removed))
    arrived, resent = source_changes(old, sources)
    if resent:
        parts.append("re-sent source files: " + ", ".join(resent))
    if arrived:
        parts.append("new source files: " + ", ".join(arrived))
    if not parts:
        parts.append("the folder on disk differed from its manifest")
    return "; ".join(parts)


@dataclass(frozen=True)
class FigureChanges:
    """How this version's tables differ from the latest earlier version whose tables
    differ at all (`since` is that version's generated_at): CSV names, and the source
    files that arrived or were re-sent since."""

    since: str
    changed: tuple[str, ...]
    added: tuple[str, ...]
    removed: tuple[str, ...]
    new_sources: tuple[str, ...]
    resent_sources: tuple[str, ...]


def _csv_hashes(listed: Sequence[Mapping[str, Any]]) -> dict[str, str]:
    return {str(f.get("name")): str(f.get("sha256")) for f in listed
            if str(f.get("name", "")).endswith(".csv")}


def figure_changes(final: Path, exports_root: Path, files: Mapping[str, bytes],
                   sources: Sequence[Mapping[str, str]]) -> FigureChanges | None:
    """What the workbook's cover says changed (DESIGN.md: "what changed since the previous
    version"), or None when no earlier version had different tables.

    The comparison is with the latest version along the `supersedes` chain whose CSVs
    differ from `files`'s, not simply with the folder in place: a version republished
    with the same figures (new code, say) then says what the one before it said, so
    publishing the same data twice gives the same bytes and nothing is rewritten."""
    wanted = {name: sha256(data) for name, data in files.items() if name.endswith(".csv")}
    folder: Path | None = final
    seen: set[Path] = set()
    while folder is not None and folder not in seen and folder.is_dir():
        seen.add(folder)
        manifest = read_manifest(folder)
        if manifest is None:
            return None
        before = _csv_hashes(manifest.get("files", []))
        if before != wanted:
            arrived, resent = source_changes(manifest, sources)
            return FigureChanges(
                since=str(manifest.get("generated_at") or ""),
                changed=tuple(sorted(n for n in wanted if n in before
                                     and before[n] != wanted[n])),
                added=tuple(sorted(set(wanted) - set(before))),
                removed=tuple(sorted(set(before) - set(wanted))),
                new_sources=tuple(arrived), resent_sources=tuple(resent))
        previous = manifest.get("supersedes")
        folder = exports_root / previous if previous else None
    return None


def _remove_if_empty(folder: Path) -> None:
    """Tidy a staging folder no publication is using (another may be: then it stays)."""
    try:
        folder.rmdir()
        folder.parent.rmdir()
    except OSError:
        pass


def previous_name(generated_at: str) -> str:
    return generated_at.replace(":", "-")


def _free(path: Path) -> Path:
    if not path.exists():
        return path
    i = 2
    while (candidate := path.with_name(f"{path.name}-{i}")).exists():
        i += 1
    return candidate


def publish_folder(
    exports_root: Path,
    fy_quarter: str,
    partner: str,
    files: Mapping[str, bytes],
    sources: Sequence[Mapping[str, str]],
    make_manifest: Callable[[dict[str, Any] | None], bytes],
    now: datetime,
) -> Publication:
    """Write `files` and then the manifest into `<exports>/<fy_quarter>/<partner>/`.

    `make_manifest(supersedes)` returns the manifest's bytes; it is called after every
    other file is safely on disk, so the manifest is written last.
    """
    quarter_dir = exports_root / fy_quarter
    clean_leftovers(quarter_dir, partner)
    final = quarter_dir / partner
    tighten(exports_root, OWNER_ONLY_FOLDER)

    if final.is_dir() and is_unchanged(final, files):
        manifest = final / MANIFEST
        return Publication(partner, fy_quarter, final, "unchanged", file_sha256(manifest),
                           "identical content already published; nothing written")

    old = read_manifest(final) if final.is_dir() else None
    supersedes = None
    if final.exists():
        stamp = old.get("generated_at") if old else None
        stamp = stamp or datetime.fromtimestamp(final.stat().st_mtime).isoformat()
        target = _free(quarter_dir / PREVIOUS / partner / previous_name(str(stamp)))
        supersedes = {
            "folder": target.relative_to(exports_root).as_posix(),
            "generated_at": stamp,
            "reason": change_reason(old, files, sources),
        }

    temp = staging_dir(exports_root, fy_quarter) / f"{temp_prefix(partner)}{uuid.uuid4().hex}"
    make_folder(temp)
    moved_old: Path | None = None
    try:
        for i, (name, data) in enumerate(files.items()):
            _write(temp / name, data)
            if i == 0:
                failpoints.reached("exports.mid_render")
        manifest_data = make_manifest(supersedes)
        _write(temp / MANIFEST, manifest_data)
        fsync_dir(temp)
        if supersedes is not None:
            target = exports_root / supersedes["folder"]
            make_folder(target.parent)
            record = replacing_record(exports_root, fy_quarter, partner)
            _write(record, json.dumps({"final": final.relative_to(exports_root).as_posix(),
                                       "moved_to": supersedes["folder"]}).encode())
            fsync_dir(record.parent)
            os.rename(final, target)
            moved_old = target
            fsync_dir(target.parent)
            failpoints.reached("exports.mid_rename")
        make_folder(quarter_dir)
        os.rename(temp, final)
        fsync_dir(quarter_dir)
        if supersedes is not None:
            replacing_record(exports_root, fy_quarter, partner).unlink(missing_ok=True)
        _remove_if_empty(temp.parent)
    except BaseException:
        shutil.rmtree(temp, ignore_errors=True)
        if moved_old is not None and not final.exists():
            os.rename(moved_old, final)  # put the earlier publication back
            fsync_dir(quarter_dir)
        replacing_record(exports_root, fy_quarter, partner).unlink(missing_ok=True)
        raise
    return Publication(
        partner, fy_quarter, final, "republished" if supersedes else "published",
        sha256(manifest_data),
        supersedes["reason"] if supersedes else "first publication", supersedes)
