"""Which exports a failing quality gate holds back: per source and quarter.

DESIGN.md "Quality gates": a plausibility failure on a source's quarter holds back exactly
the exports — partner × quarter — whose window includes that quarter and whose tables
read that source; every other export is published. The gates themselves run elsewhere
(Great Expectations suites as Dagster asset checks, once per run); what reaches this
module is their verdict as plain `GateFailure`s, so `exports` needs nothing of
`expectations`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from vrn import periods

# A failure's source when the gate could not even tell which extracts it checks: it holds
# back every export (a check that cannot run must never pass, PITFALLS 5).
EVERY_SOURCE = "*"


@dataclass(frozen=True)
class GateFailure:
    check: str  # the gate, e.g. `icv_volume`
    source: str  # `<source>/<entity>` whose figures failed, e.g. `opcc/icv_visits`
    fy_quarter: str | None  # the failing quarter; None when the failure has no quarter
    reason: str
    file_name: str | None = None  # the landing file of that source and quarter

    def text(self) -> str:
        where = self.file_name or self.source
        when = self.fy_quarter or "every quarter"
        return f"check {self.check} failed on {where} ({when}): {self.reason}"

    def as_dict(self) -> dict[str, Any]:
        return {"check": self.check, "source": self.source, "fy_quarter": self.fy_quarter,
                "reason": self.reason, "file_name": self.file_name}

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> GateFailure:
        return cls(str(d["check"]), str(d["source"]), d.get("fy_quarter"), str(d["reason"]),
                   d.get("file_name"))


def _overlaps(fy_quarter: str, first: date, last: date) -> bool:
    q = periods.fy_quarter(fy_quarter)
    return q.start <= last and q.end >= first


def holding_back(failures: Iterable[GateFailure], reads: Sequence[str],
                 span: tuple[date, date] | None) -> list[GateFailure]:
    """The failures that hold back one export: those on a source its tables read, in a
    quarter inside the days its figures draw on (`span`, first and last day; None when
    its tables hold no rows, and then only failures without a quarter count)."""
    wanted = set(reads)
    out = []
    for f in failures:
        if f.source not in wanted and f.source != EVERY_SOURCE:
            continue
        if f.fy_quarter is None or (span is not None and _overlaps(f.fy_quarter, *span)):
            out.append(f)
    return out


# What each table of an export draws on: its `<source>/<entity>` reads and the first and
# last day of its figures (None when it has no rows).
Draws = Sequence[tuple[Sequence[str], tuple[date, date] | None]]


def held_by(failures: Iterable[GateFailure], draws: Draws) -> list[GateFailure]:
    """The failures that hold back an export: each on a source one of its tables reads,
    in a quarter that very table draws on (a table reaching back further than the others
    does not stretch their reads over its days)."""
    return [f for f in failures if any(holding_back([f], reads, span) for reads, span in draws)]


@dataclass(frozen=True)
class Gate:
    """One quality gate's verdict for this run: the sources it checks and what failed."""

    name: str
    sources: tuple[str, ...]  # `<source>/<entity>` of the table it checks (dbt lineage)
    description: str
    failures: tuple[GateFailure, ...] = ()

    @property
    def passed(self) -> bool:
        return not self.failures

    def for_export(self, draws: Draws) -> dict[str, Any]:
        """The manifest's `checks` entry: passed unless a failure holds this export back."""
        held = held_by(self.failures, draws)
        detail = ("; ".join(f.text() for f in held) if held else
                  f"{self.description} No failure in this export's sources and periods.")
        return {"name": self.name, "passed": not held, "detail": detail}

    def guards(self, reads: Sequence[str]) -> bool:
        return bool(set(self.sources) & set(reads)) or EVERY_SOURCE in self.sources
