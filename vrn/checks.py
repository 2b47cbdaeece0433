"""The one shape every quality check reports in, whatever ran it (GX, Soda, Python).

A check that cannot run — an import error, a missing table or file, an exception — is a
failed check (PITFALLS 5): `run_check` turns any exception into a failing result naming
what broke, so nothing passes by default.
"""

from __future__ import annotations

import math
import traceback
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any


@dataclass(frozen=True)
class CheckResult:
    name: str
    passed: bool
    table: str
    failing_rows: int = 0
    example: dict[str, Any] | None = None
    detail: str = ""
    # Partner groups (exports.partners.PARTNER_GROUPS) whose exports this check guards.
    guards: tuple[str, ...] = field(default=(), compare=False)

    def for_manifest(self) -> dict[str, Any]:
        return {"name": self.name, "passed": self.passed, "detail": self.detail}

    def message(self) -> str:
        """One line for the person who can fix it: check, table, rows, example, why."""
        state = "passed" if self.passed else "FAILED"
        text = f"check {self.name} {state} on {self.table}"
        if not self.passed:
            text += f": {self.failing_rows} failing row(s)"
            if self.example:
                text += f", e.g. {self.example}"
        return f"{text}. {self.detail}".rstrip(". ") + "."

    def metadata(self) -> dict[str, Any]:
        """For Dagster AssetCheckResult metadata and the CLI."""
        return {"table": self.table, "failing_rows": self.failing_rows,
                "example": str(self.example) if self.example else "", "detail": self.detail}


def could_not_run(name: str, table: str, error: BaseException,
                  guards: tuple[str, ...] = ()) -> CheckResult:
    where = traceback.extract_tb(error.__traceback__)[-1] if error.__traceback__ else None
    at = f" (at {where.filename.rsplit('/', 1)[-1]}:{where.lineno})" if where else ""
    return CheckResult(
        name=name, passed=False, table=table, failing_rows=0, example=None,
        detail=f"the check could not run, so it fails: {type(error).__name__}: {error}{at}",
        guards=guards,
    )


def run_check(name: str, table: str, guards: tuple[str, ...],
              run: Callable[[], CheckResult]) -> CheckResult:
    """Run one check; whatever goes wrong becomes a failing result, never a pass."""
    try:
        result = run()
    except Exception as error:  # a check that cannot run must fail
        return could_not_run(name, table, error, guards)
    if not isinstance(result, CheckResult):
        return CheckResult(name, False, table, detail=f"the check returned {result!r}",
                           guards=guards)
    return result


def plain(value: Any) -> Any:
    """A JSON-friendly copy of one example value."""
    if value is None:
        return None
    if isinstance(value, float) and math.isnan(value):
        return None
    if isinstance(value, datetime | date):
        return value.isoformat()
    if hasattr(value, "isoformat"):
        return value.isoformat()
    if hasattr(value, "item"):
        try:
            return value.item()
        except (ValueError, AttributeError):
            pass
    if isinstance(value, str | int | float | bool):
        return value
    try:
        import pandas as pd

        if pd.isna(value):
            return None
    except (TypeError, ValueError):
        pass
    return str(value)


def example_row(row: dict[str, Any]) -> dict[str, Any]:
    return {str(k): plain(v) for k, v in row.items()}
