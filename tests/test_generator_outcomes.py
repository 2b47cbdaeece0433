"""Outcomes arrive as the force sends them: in the file of the quarter they are assigned
(some a quarter late), never dated after their file's period or before the crime was
recorded, and some superseded by a later assignment. About 1-2% of crimes are cancelled."""

from __future__ import annotations

import pandas as pd
import pytest

from tests.figures import Drop, read_entity, to_datetime
from vrn.periods import fy_quarter


@pytest.fixture(scope="module")
def outcomes(small_drop) -> pd.DataFrame:
    o = read_entity(small_drop.landing, "police", "outcomes")
    o["date"] = to_datetime(o["outcome_date"])
    return o


@pytest.fixture(scope="module")
def crimes(small_drop) -> pd.DataFrame:
    c = read_entity(small_drop.landing, "police", "crimes")
    c["recorded"] = to_datetime(c["recorded_date"])
    return c


def test_outcome_dates_are_never_after_their_files_period(outcomes) -> None:
    end = outcomes["period"].map(lambda p: pd.Timestamp(fy_quarter(p).end))
    assert (outcomes["date"] <= end).all()


def test_outcomes_are_never_before_the_crime_was_recorded(outcomes, crimes) -> None:
    recorded = outcomes["crime_ref"].map(crimes.set_index("crime_ref")["recorded"])
    assert recorded.notna().all()
    assert (outcomes["date"] >= recorded).all()


def test_outcomes_arrive_in_later_quarters(outcomes, crimes) -> None:
    recorded_in = outcomes["crime_ref"].map(crimes.set_index("crime_ref")["period"])
    later = outcomes["period"] > recorded_in
    assert later.mean() > 0.2
    late = outcomes["date"] < outcomes["period"].map(lambda p: pd.Timestamp(fy_quarter(p).start))
    assert late.any()  # an assignment dated in an earlier period, sent late


def test_some_outcomes_are_superseded(outcomes, small_drop) -> None:
    per_crime = outcomes.groupby("crime_ref").size()
    assert (per_crime > 1).sum() > 10
    current = Drop(small_drop.landing).current_outcomes
    assert len(current) == outcomes["crime_ref"].nunique()


def test_about_one_to_two_percent_of_crimes_are_cancelled(crimes) -> None:
    share = (crimes["status"] == "cancelled").mean()
    assert 0.01 <= share <= 0.02


def test_offences_start_no_later_than_recording(crimes) -> None:
    offence = to_datetime(crimes["offence_from"])
    assert (offence.dt.normalize() <= crimes["recorded"]).all()
    to = to_datetime(crimes["offence_to"])
    assert ((to >= offence) | to.isna()).all()


def test_crime_and_custody_references_are_unique_across_the_period(small_drop, crimes) -> None:
    assert crimes["crime_ref"].is_unique
    custody = read_entity(small_drop.landing, "police", "custody")
    assert custody["custody_ref"].is_unique
