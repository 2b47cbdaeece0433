"""Files replaced whole: a reader sees the old file or the new one, never part of one."""

from __future__ import annotations

import os
from pathlib import Path


def write_whole(path: Path, data: bytes, mode: int | None = None) -> None:
    """Write `data` to `path` under another name in the same folder (with this process's
    id, so two processes never write the same one), then rename it over `path`."""
    partial = path.with_name(f"{path.name}.{os.getpid()}")
    partial.write_bytes(data)
    if mode is not None:
        partial.chmod(mode)
    partial.replace(path)
