"""Published cells as a profile says them. A cell is a number, `[c]` (suppressed) or
`[x]` (not available); only a number is ever drawn or printed as a figure."""

from __future__ import annotations

import math
from typing import Any

from exports.shapes import NOT_AVAILABLE, SUPPRESSED

Value = int | float | str | None

SUPPRESSED_WORDS = "suppressed"
NOT_AVAILABLE_WORDS = "not available"


def number(value: Any) -> float | None:
    """The cell as a number, or None when it is `[c]`, `[x]` or empty."""
    if value is None or isinstance(value, str | bool):
        return None
    try:
        v = float(value)
    except (TypeError, ValueError):
        return None
    return None if math.isnan(v) else v


def is_suppressed(value: Any) -> bool:
    return isinstance(value, str) and value == SUPPRESSED


def is_not_available(value: Any) -> bool:
    return (isinstance(value, str) and value == NOT_AVAILABLE) or (
        not isinstance(value, str) and number(value) is None)


def count_text(value: Any) -> str:
    """`1,234`, or the shorthand as it is published (`[c]`, `[x]`)."""
    v = number(value)
    if v is None:
        return SUPPRESSED if is_suppressed(value) else NOT_AVAILABLE
    return f"{v:,.0f}" if float(v).is_integer() else f"{v:,.1f}"


def rate_text(value: Any, decimals: int = 2) -> str:
    v = number(value)
    if v is None:
        return SUPPRESSED if is_suppressed(value) else NOT_AVAILABLE
    return f"{v:,.{decimals}f}"


def share_text(value: Any) -> str:
    """A fraction 0–1 as a percentage."""
    v = number(value)
    if v is None:
        return SUPPRESSED if is_suppressed(value) else NOT_AVAILABLE
    return f"{100 * v:.0f}%"


def spoken(value: Any, unit: str = "") -> str:
    """A value in a sentence: the figure with its unit, or `suppressed` / `not available`
    (never the shorthand alone, which a screen reader says as letters)."""
    v = number(value)
    if v is None:
        return SUPPRESSED_WORDS if is_suppressed(value) else NOT_AVAILABLE_WORDS
    return f"{count_text(v)} {unit}".strip()
