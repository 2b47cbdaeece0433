"""police.uk street-level crime files, exactly as downloaded (spec: "policeuk").

Public data taken as it is: the two real months in `synthetic/data/policeuk/` are copied
byte for byte whatever the drop's dates, since they are the only real months the project
holds (the warehouse checks only their header).
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

from synthetic.common import GenContext

POLICEUK_MONTHS = Path(__file__).parent / "data" / "policeuk"


def write(ctx: GenContext) -> None:
    for source in sorted(POLICEUK_MONTHS.glob("*-leicestershire-street.csv")):
        rel = f"policeuk/{source.name}"
        target = ctx.landing_path(rel)
        target.parent.mkdir(parents=True, exist_ok=True)
        tmp = target.with_name(f".{target.name}.tmp")
        shutil.copyfile(source, tmp)  # contents only: the source files are read-only
        os.replace(tmp, target)
        ctx.tick(f"wrote {rel}")
