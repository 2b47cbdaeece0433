"""Listings and digests of folders by name, size and modification time.

`vrn run` compares the landing folder, the code and the exports folder with the last
run's (`orchestration.inputs`), and the exporter keys each partner × quarter on the code
that renders it (`code_digest`): both need a listing cheap enough to take before anything
heavy is imported, and never following a link out of the folder it lists.
"""

from __future__ import annotations

import hashlib
import json
import os
from functools import cache
from pathlib import Path

from vrn.reference import DBT_PROJECT_DIR, PROJECT_ROOT

# The packages a run executes, and the files that pin what it runs with.
CODE_PACKAGES = ("ingest", "linkage", "orchestration", "exports", "expectations", "vrn")
CODE_FILES = ("pyproject.toml", "uv.lock")
# Not code: what dbt and Python write beside it.
NOT_CODE = frozenset({"__pycache__", "target", "logs", "dbt_packages", ".pytest_cache"})

Listing = list[tuple[str, int, int]]


def digest(value: object) -> str:
    """SHA-256 of a listing (or any JSON-able value)."""
    return hashlib.sha256(json.dumps(value, default=str).encode()).hexdigest()


def tree_listing(root: Path, skip: frozenset[str] = frozenset(), prefix: str = "") -> Listing:
    """(path under `root`, size, modification time in ns) of every entry below `root`
    but folders, sorted; names in `skip` are left out with all they hold. Links are not
    followed: a link is listed as itself. An absent `root` lists nothing."""
    out: Listing = []

    def walk(folder: Path, under: str) -> None:
        try:
            entries = list(os.scandir(folder))
        except (FileNotFoundError, NotADirectoryError):
            return
        for entry in entries:
            if entry.name in skip:
                continue
            name = f"{under}/{entry.name}" if under else entry.name
            if entry.is_dir(follow_symlinks=False):
                walk(Path(entry.path), name)
            else:
                st = entry.stat(follow_symlinks=False)
                out.append((name, st.st_size, st.st_mtime_ns))

    walk(root, prefix)
    return sorted(out)


def code_listing(root: Path = PROJECT_ROOT, dbt_project: Path = DBT_PROJECT_DIR) -> Listing:
    """Every file of the code a run executes: its packages, the dbt project (not what dbt
    writes there) and the lock file."""
    listing = [entry for package in CODE_PACKAGES
               for entry in tree_listing(root / package, skip=NOT_CODE, prefix=package)]
    listing += tree_listing(dbt_project, skip=NOT_CODE, prefix="dbt_project")
    for name in CODE_FILES:
        if (path := root / name).is_file():
            st = path.stat()
            listing.append((name, st.st_size, st.st_mtime_ns))
    return sorted(listing)


@cache
def code_digest() -> str:
    """`digest` of `code_listing`, once per process."""
    return digest(code_listing())
