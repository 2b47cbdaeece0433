"""The period dimension of the serious-violence marts (issue [2/6]): any financial year,
any quarter and the 12 months to the end of any quarter, compared with the same period a
year earlier, and the Serious Violence Duty measures against their 2019-20 baseline (003,
SV Duty report para 26: "compared to 2019/20").

Three financial years of generated data (`linked_years`, 2019-20 to 2021-22). Counts
are made again from the raw police rows, by hand, for a rolling window.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path

import duckdb
import pytest

pytestmark = pytest.mark.slow

# The period-grain marts and the columns that place a row in its period.
PERIOD_MARTS = (
    "mart_sv__by_area_periods",
    "mart_sv__duty_measures_periods",
    "mart_sna__sv_summary",
    "mart_sna__sv_by_group",
    "mart_sna__sv_by_location",
    "mart_sna__sv_by_neighbourhood",
    "mart_sna__sv_by_offence",
    "mart_sna__sv_by_weekday_hour",
    "mart_sna__sv_people",
)

# Recorded, not cancelled crimes of the local serious-violence definition, by hand.
RAW_SERIOUS_VIOLENCE = """
    select distinct c.crime_ref, c.recorded_date, c.flag_knife_sharp, o.is_ho_knife_offence
    from raw.police__crimes as c
    inner join seeds.ref_offence_codes as o on c.ho_offence_code = o.ho_offence_code
    where c.status = 'recorded' and o.sv_group is not null
"""


@pytest.fixture(scope="module")
def con(linked_years: Path) -> Iterator[duckdb.DuckDBPyConnection]:
    connection = duckdb.connect(str(linked_years), read_only=True)
    yield connection
    connection.close()


def rows(con: duckdb.DuckDBPyConnection, sql: str, params: list | None = None) -> list[tuple]:
    return con.execute(sql, params or []).fetchall()


def one(con: duckdb.DuckDBPyConnection, sql: str, params: list | None = None):
    [(value,)] = rows(con, sql, params)
    return value


def test_periods_are_every_financial_year_quarter_and_whole_rolling_12_months(con):
    periods = {p: (t, s, e) for p, t, s, e in rows(con, """
        select period, period_type, period_start, period_end from marts.dim_period""")}
    assert {p for p, (t, _, _) in periods.items() if t == "financial_year"} == {
        "2019-20", "2020-21", "2021-22"}
    assert len([p for p, (t, _, _) in periods.items() if t == "quarter"]) == 12
    # The first 12 months wholly in the data end with 2019-20Q4: nine windows in all.
    rolling = sorted(p for p, (t, _, _) in periods.items() if t == "rolling_12m")
    assert rolling[0] == "12m_to_2019-20Q4" and len(rolling) == 9
    assert periods["12m_to_2019-20Q4"][1:] == periods["2019-20"][1:]
    assert periods["12m_to_2021-22Q2"][1:] == (date(2020, 10, 1), date(2021, 9, 30))
    assert periods["2021-22Q3"][1:] == (date(2021, 10, 1), date(2021, 12, 31))


def test_a_period_is_labelled_and_placed_in_the_financial_year_it_ends_in(con):
    got = {p: (label, fy, q, months) for p, label, fy, q, months in rows(con, """
        select period, period_label, financial_year, fy_quarter, months
        from marts.dim_period""")}
    assert got["2020-21"] == ("April 2020 to March 2021", "2020-21", "2020-21Q4", 12)
    assert got["2021-22Q2"] == ("July to September 2021", "2021-22", "2021-22Q2", 3)
    assert got["12m_to_2021-22Q2"] == (
        "October 2020 to September 2021", "2021-22", "2021-22Q2", 12)


def test_the_previous_period_is_the_same_kind_of_period_a_year_earlier(con):
    previous = dict(rows(con, "select period, previous_period from marts.dim_period"))
    assert previous["2021-22"] == "2020-21"
    assert previous["2019-20"] is None
    assert previous["2021-22Q2"] == "2020-21Q2"
    assert previous["2019-20Q3"] is None
    assert previous["12m_to_2021-22Q1"] == "12m_to_2020-21Q1"
    # The 12 months to 2019-20Q3 would start before the data: not a period.
    assert previous["12m_to_2020-21Q3"] is None


@pytest.mark.parametrize("mart", PERIOD_MARTS)
def test_every_period_mart_has_every_period(con, mart):
    periods = set(rows(con, """
        select period, period_type, period_start, period_end, financial_year
        from marts.dim_period"""))
    assert set(rows(con, f"""
        select distinct period, period_type, period_start, period_end, financial_year
        from marts.{mart}""")) == periods


def test_rolling_12_months_count_the_raw_crimes_recorded_in_them(con):
    by_hand = one(con, f"""
        select count(*) from ({RAW_SERIOUS_VIOLENCE})
        where recorded_date between '2020-10-01' and '2021-09-30'""")
    knife_by_hand = one(con, f"""
        select count(*) from ({RAW_SERIOUS_VIOLENCE})
        where recorded_date between '2020-10-01' and '2021-09-30'
          and flag_knife_sharp = 'Y' and is_ho_knife_offence""")
    assert by_hand > 0 and knife_by_hand > 0
    assert one(con, """
        select offences from marts.mart_sv__by_area_periods
        where period = '12m_to_2021-22Q2' and area_level = 'llr'""") == by_hand
    assert one(con, """
        select offences from marts.mart_sna__sv_summary
        where period = '12m_to_2021-22Q2'""") == by_hand
    assert one(con, """
        select sum(offences) from marts.mart_sna__sv_by_location
        where period = '12m_to_2021-22Q2'""") == by_hand
    assert one(con, """
        select value from marts.mart_sv__duty_measures_periods
        where period = '12m_to_2021-22Q2' and measure = 'knife_enabled_sv'
          and age_group = 'all'""") == knife_by_hand


def test_a_quarter_counts_the_raw_crimes_recorded_in_it(con):
    by_hand = one(con, f"""
        select count(*) from ({RAW_SERIOUS_VIOLENCE})
        where recorded_date between '2020-07-01' and '2020-09-30'""")
    assert one(con, """
        select offences from marts.mart_sv__by_area_periods
        where period = '2020-21Q2' and area_level = 'llr'""") == by_hand > 0


def test_quarters_add_up_to_their_financial_year(con):
    assert rows(con, """
        select q.financial_year, q.area_level, q.area_code
        from marts.mart_sv__by_area_periods as q
        inner join marts.mart_sv_by_area as y
            on q.financial_year = y.financial_year
            and q.area_level = y.area_level and q.area_code = y.area_code
        where q.period_type = 'quarter'
        group by all
        having sum(q.offences) != any_value(y.offences)""") == []


def test_changes_are_on_the_same_period_a_year_earlier(con):
    now, before, change = rows(con, """
        select offences, offences_previous_year, change_on_previous_year
        from marts.mart_sna__sv_summary where period = '12m_to_2021-22Q1'""")[0]
    assert before == one(con, """
        select offences from marts.mart_sna__sv_summary where period = '12m_to_2020-21Q1'""")
    assert change == pytest.approx((now - before) / before)
    assert one(con, """
        select offences_previous_year from marts.mart_sv__by_area_periods
        where period = '2021-22Q2' and area_level = 'llr'""") == one(con, """
        select offences from marts.mart_sv__by_area_periods
        where period = '2020-21Q2' and area_level = 'llr'""")
    assert rows(con, """
        select offences_previous_year from marts.mart_sna__sv_by_group
        where period = '12m_to_2020-21Q3'
        group by all""") == [(None,)]


def test_the_contract_marts_are_the_financial_year_rows(con):
    for mart, periods_mart, keys in (
        ("mart_sv_by_area", "mart_sv__by_area_periods", "area_level, area_code"),
        ("mart_sv_duty_measures", "mart_sv__duty_measures_periods", "measure, age_group"),
    ):
        columns = ", ".join(
            name for (name,) in rows(con, f"""
                select column_name from information_schema.columns
                where table_schema = 'marts' and table_name = '{mart}'"""))
        assert one(con, f"""
            select count(*) from (
                (select {columns} from marts.{mart}
                 except all
                 select {columns} from marts.{periods_mart}
                 where period_type = 'financial_year')
                union all
                (select {columns} from marts.{periods_mart}
                 where period_type = 'financial_year'
                 except all
                 select {columns} from marts.{mart}))""") == 0, mart
        assert one(con, f"select count(*) from marts.{mart}") == 3 * one(
            con, f"select count(*) from (select distinct {keys} from marts.{mart})")


def test_sv_duty_baseline_is_the_2019_20_value(con):
    got = rows(con, """
        select m.financial_year, m.measure, m.age_group, m.value, m.baseline_value,
               m.change_on_baseline, b.value
        from marts.mart_sv_duty_measures as m
        inner join marts.mart_sv_duty_measures as b
            on b.financial_year = '2019-20'
            and m.measure = b.measure and m.age_group = b.age_group""")
    assert len(got) == 24
    for _, _, _, value, baseline, change, value_2019_20 in got:
        assert baseline == value_2019_20
        if baseline:
            assert change == pytest.approx((value - baseline) / baseline)
        else:
            assert change is None


def test_sv_duty_knife_baseline_counts_the_raw_2019_20_crimes(con):
    by_hand = one(con, f"""
        select count(*) from ({RAW_SERIOUS_VIOLENCE})
        where recorded_date between '2019-04-01' and '2020-03-31'
          and flag_knife_sharp = 'Y' and is_ho_knife_offence""")
    assert rows(con, """
        select distinct baseline_value from marts.mart_sv_duty_measures
        where measure = 'knife_enabled_sv' and age_group = 'all'""") == [(by_hand,)]


def test_a_quarter_is_compared_with_the_same_quarter_of_2019_20(con):
    assert rows(con, """
        select q.period
        from marts.mart_sv__duty_measures_periods as q
        inner join marts.mart_sv__duty_measures_periods as b
            on b.period = '2019-20' || right(q.period, 2)
            and q.measure = b.measure and q.age_group = b.age_group
        where q.period_type = 'quarter'
            and q.baseline_value is distinct from b.value""") == []
    assert rows(con, """
        select distinct baseline_period from marts.mart_sv__duty_measures_periods
        where period_type = 'rolling_12m'""") == [("2019-20",)]


def test_home_office_export_carries_the_same_baseline(con):
    # A quarter row's baseline is the mart's same quarter of 2019-20; a rolling 12
    # months' the mart's 2019-20 financial year.
    for table in ("pub_sv_duty_police_measures", "pub_sv_duty_health_measures"):
        assert rows(con, f"""
            select p.export_quarter, p.period, p.measure, p.age_group
            from publish.{table} as p
            inner join marts.mart_sv__duty_measures_periods as m
                on m.period = case
                    when p.period like '12m%' then '2019-20'
                    else '2019-20' || right(p.period, 2)
                end
                and p.measure = m.measure and p.age_group = m.age_group
            where p.baseline_value is distinct from m.value""") == [], table
    assert one(con, """
        select count(*) from publish.pub_sv_duty_police_measures
        where baseline_value is null""") == 0
    assert rows(con, """
        select export_quarter, period, measure, age_group
        from publish.pub_sv_duty_police_measures
        where change_on_baseline is distinct from
            (value - baseline_value)::double / nullif(baseline_value, 0)""") == []
