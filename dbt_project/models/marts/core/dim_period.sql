{#-
    The periods the serious-violence marts are read for, one row each (issue [2/6]: "any
    financial year, any quarter and the 12 months to the end of any quarter"):
      financial_year  `2023-24`, every financial year with a police crimes quarter loaded;
      quarter         `2023-24Q2`, every quarter with a police crimes file loaded
                      (int_coverage__periods: the police crimes extract is the
                      partnership's clock, as in int_publish__export_quarters);
      rolling_12m     `12m_to_2024-25Q2`, the 12 months ending with a loaded quarter, only
                      when they start on or after the first month of the data (the rule
                      of int_publish__windows: a 12-month label over a part year would
                      mislead). At Q4 they are the financial year.
    `previous_period` is the same kind of period ending 12 months earlier, when it is a
    period here: the comparison "on the same period a year earlier".
-#}
with

crimes_quarters as (

    select distinct period_start as quarter_start
    from {{ ref('int_coverage__periods') }}
    where source = 'police' and entity = 'crimes'

),

bounds as (

    select min(quarter_start) as data_start
    from crimes_quarters

),

quarter_periods as (

    select
        {{ fy_quarter('quarter_start') }} as period,
        'quarter' as period_type,
        quarter_start as period_start,
        cast(quarter_start + interval 3 month - interval 1 day as date) as period_end,
        3 as months
    from crimes_quarters

),

financial_year_periods as (

    select distinct
        {{ financial_year('quarter_start') }} as period,
        'financial_year' as period_type,
        make_date({{ financial_year_start_year('quarter_start') }}, 4, 1) as period_start,
        cast(
            make_date({{ financial_year_start_year('quarter_start') }}, 4, 1)
            + interval 12 month - interval 1 day
            as date
        ) as period_end,
        12 as months
    from crimes_quarters

),

rolling_periods as (

    select
        '12m_to_' || {{ fy_quarter('crimes_quarters.quarter_start') }} as period,
        'rolling_12m' as period_type,
        cast(crimes_quarters.quarter_start - interval 9 month as date) as period_start,
        cast(crimes_quarters.quarter_start + interval 3 month - interval 1 day as date)
            as period_end,
        12 as months
    from crimes_quarters
    cross join bounds
    where crimes_quarters.quarter_start - interval 9 month >= bounds.data_start

),

periods as (

    select * from financial_year_periods
    union all
    select * from quarter_periods
    union all
    select * from rolling_periods

),

labelled as (

    select
        *,
        -- "July to September 2024" for a quarter; "April 2023 to March 2024" for 12 months.
        case
            when period_type = 'quarter'
                then {{ format_date('period_start', '%B') }}
                    || ' to ' || {{ format_date('period_end', '%B %Y') }}
            else {{ format_date('period_start', '%B %Y') }}
                || ' to ' || {{ format_date('period_end', '%B %Y') }}
        end as period_label
    from periods

)

select
    cast(labelled.period as {{ type_text() }}) as period,
    cast(labelled.period_type as {{ type_text() }}) as period_type,
    cast(labelled.period_label as {{ type_text() }}) as period_label,
    cast(labelled.period_start as date) as period_start,
    cast(labelled.period_end as date) as period_end,
    cast({{ financial_year('labelled.period_end') }} as {{ type_text() }}) as financial_year,
    cast({{ fy_quarter('labelled.period_end') }} as {{ type_text() }}) as fy_quarter,
    cast(labelled.months as integer) as months,
    cast(previous.period as {{ type_text() }}) as previous_period
from labelled
-- The same kind of period a year earlier, only when it is a period here.
left join labelled as previous
    on
        labelled.period_type = previous.period_type
        and previous.period_start = labelled.period_start - interval 12 month
