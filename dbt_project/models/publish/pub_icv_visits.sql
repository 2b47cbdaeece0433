{#-
    OPCC: Independent Custody Visitor visits by arrival in each period of every export
    quarter's window (int_publish__windows), per custody suite (seed ref_custody_suites,
    in its suite_order) and for all suites: visits, visits with immediate access (admitted
    within 5 minutes, the ICV annual report's measure: seed ref_icv_access_bands), and
    the detainees in the cells, offered a visit, agreeing and refusing, with the shares
    offered and agreeing. Figures before disclosure control.
-#}
with

windows as (

    select * from {{ ref('int_publish__windows') }}

),

suites as (

    select
        suite_code,
        suite_order
    from {{ ref('ref_custody_suites') }}

    union all

    select
        'all' as suite_code,
        1000 as suite_order

),

monthly as (

    select
        suite_code,
        cast(date_trunc('month', arrived_at) as date) as month,
        count(*) as visits,
        count(*) filter (where is_immediate_access) as immediate_access_visits,
        sum(detainees_in_cells) as detainees_in_cells,
        sum(offered) as offered,
        sum(agreed) as agreed,
        sum(refused) as refused
    from {{ ref('fct_icv_visit') }}
    group by all

),

counted as (

    select
        windows.export_quarter,
        windows.period,
        windows.period_start,
        windows.period_end,
        windows.period_order,
        windows.is_sum_of_periods,
        suites.suite_code,
        suites.suite_order,
        coalesce(sum(monthly.visits), 0) as visits,
        coalesce(sum(monthly.immediate_access_visits), 0) as immediate_access_visits,
        coalesce(sum(monthly.detainees_in_cells), 0) as detainees_in_cells,
        coalesce(sum(monthly.offered), 0) as offered,
        coalesce(sum(monthly.agreed), 0) as agreed,
        coalesce(sum(monthly.refused), 0) as refused
    from windows
    cross join suites
    left join monthly
        on
            (suites.suite_code = 'all' or suites.suite_code = monthly.suite_code)
            and monthly.month between windows.period_start and windows.period_end
    group by all

)

select
    cast(export_quarter as varchar) as export_quarter,
    cast(period as varchar) as period,
    period_start,
    period_end,
    cast(suite_code as varchar) as suite_code,
    cast(visits as bigint) as visits,
    cast(immediate_access_visits as bigint) as immediate_access_visits,
    cast(detainees_in_cells as bigint) as detainees_in_cells,
    cast(offered as bigint) as offered,
    cast(agreed as bigint) as agreed,
    cast(refused as bigint) as refused,
    {{ round_half_even(share('offered', 'detainees_in_cells'), 4) }} as offered_rate,
    {{ round_half_even(share('agreed', 'offered'), 4) }} as agreed_rate,
    {{ publish_bookkeeping('period_start', 'period_end') }},
    is_sum_of_periods,
    cast(
        row_number() over (
            partition by export_quarter order by period_order, suite_order
        ) as integer
    ) as row_order
from counted
