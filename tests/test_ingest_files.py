"""Landing-folder layout and file names (spec, General rules)."""

from __future__ import annotations

from pathlib import Path

import pytest

from ingest.files import describe, discover


def touch(landing: Path, rel: str) -> Path:
    path = landing / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("x")
    return path


@pytest.mark.parametrize(("rel", "source", "entity", "period"), [
    ("police/crimes_2023-24Q1.csv", "police", "crimes", "2023-24Q1"),
    ("police/crime_people_2024-25Q4.csv", "police", "crime_people", "2024-25Q4"),
    ("la/E06000016/children_looked_after_2023-24Q1.csv", "la/E06000016",
     "children_looked_after", "2023-24Q1"),
    ("la/E10000018/school_absence_2023-24.xlsx", "la/E10000018", "school_absence", "2023-24"),
    ("commissioning/cyp_sarc_return_2024-25Q2.xlsx", "commissioning", "cyp_sarc_return",
     "2024-25Q2"),
    ("commissioning/funding_2023-24.csv", "commissioning", "funding", "2023-24"),
    ("policeuk/2023-01-leicestershire-street.csv", "policeuk", "street", "2023-01"),
])
def test_file_name_gives_source_entity_and_period(tmp_path, rel, source, entity, period) -> None:
    f = describe(touch(tmp_path, rel), tmp_path, source)
    assert (f.file_name, f.source, f.entity, f.period, f.problem) == (
        rel, source, entity, period, None)


@pytest.mark.parametrize(("rel", "source"), [
    ("police/crimes_2023-24.csv", "police"),  # a quarterly file named by a year
    ("police/crimes_2023-25Q1.csv", "police"),  # years that do not follow
    ("police/crimes_2023-24Q1.xlsx", "police"),  # police send CSV
    ("police/arrests_2023-24Q1.csv", "police"),  # not a police file
    ("opcc/icv_visits_Q1.csv", "opcc"),
    ("commissioning/sarc_return_2023-24Q1.csv", "commissioning"),
    ("policeuk/2023-13-leicestershire-street.csv", "policeuk"),
])
def test_names_the_spec_does_not_allow_are_not_recognised(tmp_path, rel, source) -> None:
    f = describe(touch(tmp_path, rel), tmp_path, source)
    assert f.entity is None and f.problem


def test_discover_loads_in_period_order_and_skips_hidden_files(tmp_path: Path) -> None:
    for rel in ("police/crimes_2023-24Q2.csv", "police/crimes_2022-23Q4.csv",
                "police/crime_people_2023-24Q1.csv", "police/crimes_2023-24Q1.csv",
                "police/.crimes_2023-24Q3.csv.tmp", "police/~$crimes.xlsx",
                "la/E06000017/exclusions_2023-24.csv", "opcc/icv_visits_2023-24Q1.csv"):
        touch(tmp_path, rel)
    assert [f.file_name for f in discover(tmp_path)] == [
        "police/crimes_2022-23Q4.csv", "police/crimes_2023-24Q1.csv",
        "police/crimes_2023-24Q2.csv", "police/crime_people_2023-24Q1.csv",
        "opcc/icv_visits_2023-24Q1.csv", "la/E06000017/exclusions_2023-24.csv",
    ]
    assert [f.file_name for f in discover(tmp_path, ["opcc"])] == [
        "opcc/icv_visits_2023-24Q1.csv"]


def test_discover_refuses_an_unknown_source(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="unknown source"):
        discover(tmp_path, ["la"])
