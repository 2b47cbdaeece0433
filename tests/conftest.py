"""Generated drops shared by the tests, each generated once per session.

- `small_drop`: scale 0.05, 2023-24, no defects (seconds).
- `defect_drop`: the same with defects at 2% of rows.
- `years_drop`: scale 0.03 over three financial years (2019-04-01 to 2022-03-31), so
  that baselines, rolling windows and repeat people within 12 months have data.
- `default_drop`: the default seed, scale 1.0 and the whole default period (2019-04-01 to
  2025-03-31), for the calibration tests against the published figures (about a
  minute and a half to generate; only tests marked `slow` use it).

Modules may define fixtures of the same names for their own needs; theirs win there.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from synthetic.generate import generate

# The two longest test files first, one for each of the two workers (pyproject.toml:
# `-n 2 --dist loadfile --no-loadscope-reorder`): Spark's build of the project (about 10
# minutes) and the kill at every point (about 8). In pytest-xdist's own order (the files
# with the most tests first) the kill test, with two tests, came last and ran alone for
# its 8 minutes while the other worker stood idle.
LONGEST_FIRST = ("test_spark_parity.py", "test_kills.py")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    first = {name: i for i, name in enumerate(LONGEST_FIRST)}
    items.sort(key=lambda item: first.get(item.path.name, len(first)))


SMALL = {"seed": 42, "scale": 0.05, "start": date(2023, 4, 1), "end": date(2024, 3, 31)}
YEARS = {"seed": 7, "scale": 0.03, "start": date(2019, 4, 1), "end": date(2022, 3, 31)}


@dataclass(frozen=True)
class GeneratedDrop:
    landing: Path
    truth: Path
    summary: dict[str, Any]
    options: dict[str, Any]


def _generate(tmp: Path, **options: Any) -> GeneratedDrop:
    landing = tmp / "landing"
    summary = generate(landing, **options)
    return GeneratedDrop(landing, Path(summary["truth"]), summary, options)


@pytest.fixture(scope="session")
def small_drop(tmp_path_factory: pytest.TempPathFactory) -> GeneratedDrop:
    return _generate(tmp_path_factory.mktemp("small_drop"), **SMALL)


@pytest.fixture(scope="session")
def defect_drop(tmp_path_factory: pytest.TempPathFactory) -> GeneratedDrop:
    return _generate(tmp_path_factory.mktemp("defect_drop"), **SMALL, defects=0.02)


@pytest.fixture(scope="session")
def catalog():
    """The partners and their tables, from the dbt exposures (exports.catalog)."""
    from exports.catalog import load_catalog
    from vrn.manifest import ensure_manifest

    return load_catalog(ensure_manifest())


@pytest.fixture(scope="session")
def published_base(small_drop, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """`small_drop` ingested and built by dbt as `vrn run` builds it, once per session.
    Tests copy the file (`published_copy`) before changing anything."""
    from support.published import build_published_warehouse

    return build_published_warehouse(
        small_drop.landing, tmp_path_factory.mktemp("published") / "warehouse.duckdb")


@pytest.fixture
def warehouse(published_base, tmp_path: Path) -> Path:
    """A private copy of `published_base` for one test to change as a partner's file
    would. (Modules testing other warehouses define their own `warehouse`.)"""
    from support.published import published_copy

    return published_copy(published_base, tmp_path / "published")


@pytest.fixture(scope="session")
def years_drop(tmp_path_factory: pytest.TempPathFactory) -> GeneratedDrop:
    return _generate(tmp_path_factory.mktemp("years_drop"), **YEARS)


@pytest.fixture(scope="session")
def linked_years(years_drop, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """`years_drop` ingested, linked and built by dbt with every model (the people marts
    included), once per session. Read-only: tests that change it take a copy."""
    from support.published import build_linked_warehouse

    return build_linked_warehouse(
        years_drop.landing, tmp_path_factory.mktemp("linked_years") / "warehouse.duckdb")


@pytest.fixture(scope="session")
def default_drop(tmp_path_factory: pytest.TempPathFactory) -> GeneratedDrop:
    return _generate(tmp_path_factory.mktemp("default_drop"), seed=42, scale=1.0)
