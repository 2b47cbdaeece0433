{#-
    Independent Custody Visitor visits per financial year and suite, with an `all` row,
    against the scheme's target of visits a week per suite (ref_custody_suites; one a
    week per primary suite). The target counts whole weeks of the year the ICV data
    cover: a full year is 52 weeks, so 101 visits to two primary suites is 101 / 104 =
    97.1% (003 ICV report paras 24-25).
-#}
with

visits as (

    select * from {{ ref('fct_icv_visit') }}

),

suites as (

    select * from {{ ref('dim_custody_suite') }}

),

covered_weeks as (

    select
        financial_year,
        floor(sum({{ days_between('period_start', 'period_end') }} + 1) / 7) as weeks
    from {{ ref('int_coverage__periods') }}
    where source = 'opcc' and entity = 'icv_visits'
    group by financial_year

),

by_suite as (

    select
        covered_weeks.financial_year,
        suites.suite_code,
        suites.suite_name,
        suites.weekly_icv_visit_target,
        covered_weeks.weeks
    from covered_weeks
    cross join suites

    union all

    select
        covered_weeks.financial_year,
        'all' as suite_code,
        'All suites' as suite_name,
        sum(suites.weekly_icv_visit_target) as weekly_icv_visit_target,
        covered_weeks.weeks
    from covered_weeks
    cross join suites
    group by covered_weeks.financial_year, covered_weeks.weeks

),

counted as (

    select
        financial_year,
        suite_code,
        count(*) as visits
    from visits
    group by financial_year, suite_code

    union all

    select
        financial_year,
        'all' as suite_code,
        count(*) as visits
    from visits
    group by financial_year

),

joined as (

    select
        by_suite.financial_year,
        by_suite.suite_code,
        by_suite.suite_name,
        by_suite.weekly_icv_visit_target,
        by_suite.weeks,
        by_suite.weekly_icv_visit_target * by_suite.weeks as target_visits,
        coalesce(counted.visits, 0) as visits
    from by_suite
    left join counted
        on
            by_suite.financial_year = counted.financial_year
            and by_suite.suite_code = counted.suite_code

)

select
    cast(financial_year as {{ type_text() }}) as financial_year,
    cast(suite_code as {{ type_text() }}) as suite_code,
    cast(suite_name as {{ type_text() }}) as suite_name,
    cast(visits as bigint) as visits,
    cast(weekly_icv_visit_target as integer) as weekly_visit_target,
    cast(weeks as integer) as weeks_covered,
    cast(target_visits as integer) as target_visits,
    cast({{ share('visits', 'target_visits') }} as double) as share_of_target
from joined
