{#-
    The SARC, CYP SARC and ISVA quarterly returns as the Panel reads them (000: "In
    Quarter 2 the centre received 74 referrals ..."): per quarter, service and measure,
    the value, the quarter before, the same quarter a year before, and the financial
    year to date (summed for counts; not for percentages and averages, which do not add).
-#}
with

service_returns as (

    select * from {{ ref('fct_service_return') }}

),

dated as (

    select
        *,
        cast({{ period_start('fy_quarter') }} as date) as quarter_start
    from service_returns

),

with_history as (

    select
        dated.*,
        previous_quarter.value as previous_quarter_value,
        previous_year.value as same_quarter_previous_year_value,
        case
            when dated.value_kind = 'count' then
                sum(dated.value) over (
                    partition by dated.service, dated.measure, dated.financial_year
                    order by dated.quarter_start
                    rows between unbounded preceding and current row
                )
        end as financial_year_to_date
    from dated
    left join dated as previous_quarter
        on
            dated.service = previous_quarter.service
            and dated.measure = previous_quarter.measure
            and previous_quarter.quarter_start = dated.quarter_start - interval 3 month
    left join dated as previous_year
        on
            dated.service = previous_year.service
            and dated.measure = previous_year.measure
            and previous_year.quarter_start = dated.quarter_start - interval 12 month

)

select
    cast(fy_quarter as {{ type_text() }}) as fy_quarter,
    cast(financial_year as {{ type_text() }}) as financial_year,
    cast(service as {{ type_text() }}) as service,
    cast(measure as {{ type_text() }}) as measure,
    cast(label as {{ type_text() }}) as label,
    cast(value_kind as {{ type_text() }}) as value_kind,
    cast(display_order as integer) as display_order,
    cast(value as double) as value,
    cast(previous_quarter_value as double) as previous_quarter_value,
    cast(same_quarter_previous_year_value as double) as same_quarter_previous_year_value,
    cast(financial_year_to_date as double) as financial_year_to_date
from with_history
