"""Named points at which the fault-injection tests kill a run (issue [5/6]: a run killed
anywhere leaves nothing half-done, and the next run completes as if it had not been).

`VRN_KILL_AT=<point>` makes the process kill itself with SIGKILL — no cleanup, no
`finally`, exactly as `kill -9` or the out-of-memory killer would — the first time it
reaches `<point>`. Unset (always, outside those tests), `reached` is one dictionary
lookup. The points are listed here so a test can check each is reached by a real run.
"""

from __future__ import annotations

import os
import signal

POINTS: dict[str, str] = {
    "ingest.mid_file": "a file's rows written, its transaction not yet committed",
    "ingest.between_files": "one file committed, the next not started",
    "linkage.scoring": "Splink scoring the pairs, nothing written back yet",
    "linkage.writing": "the person links being replaced, not yet committed",
    "dbt.build": "dbt build under way (dbt itself is killed with the run)",
    "checks": "the quality gates running",
    "exports.mid_render": "a partner's folder half written in its temporary place",
    "exports.between_partners": "one partner's exports published, the next not started",
    "exports.mid_rename": "the old folder moved aside, the new one not yet in place",
    "run.finishing": "every step done, the run not yet recorded as finished",
}


def reached(point: str) -> None:
    """Die here, at once, if the tests asked for a kill at `point`."""
    if os.environ.get("VRN_KILL_AT") == point:
        if point not in POINTS:
            raise ValueError(f"unknown kill point {point!r}")
        os.kill(os.getpid(), signal.SIGKILL)
