{#-
    CSP locality profile: serious violence recorded in the CSP's area, by serious violence
    group, for every period of every export quarter's window (int_publish__windows), with
    an `all` row per period. A crime belongs to the CSP its beat maps to in dim_geography
    and counts by recorded_date (spec/published-figures.md). Every group is present in
    every period (0 when none). Figures before disclosure control.
-#}
with

windows as (

    select * from {{ ref('int_publish__windows') }}

),

partners as (

    select * from {{ ref('ref_csp_partners') }}

),

groups as (

    select
        sv_group,
        row_number() over (order by sv_group) as category_order
    from (
        select distinct sv_group
        from {{ ref('dim_offence') }}
        where sv_group is not null
    )

    union all

    select
        'all' as sv_group,
        1000 as category_order

),

monthly as (

    select
        geography.csp_name,
        crimes.sv_group,
        date_trunc('month', crimes.recorded_date) as month,
        count(*) as offences
    from {{ ref('fct_serious_violence') }} as crimes
    inner join {{ ref('dim_geography') }} as geography
        on crimes.beat_code = geography.beat_code
    group by all

),

grid as (

    select
        windows.*,
        partners.partner,
        partners.csp_name,
        groups.sv_group,
        groups.category_order
    from windows
    cross join partners
    cross join groups

),

counted as (

    select
        grid.export_quarter,
        grid.partner,
        grid.period,
        grid.period_start,
        grid.period_end,
        grid.period_order,
        grid.is_sum_of_periods,
        grid.sv_group,
        grid.category_order,
        coalesce(sum(monthly.offences), 0) as offences
    from grid
    left join monthly
        on
            grid.csp_name = monthly.csp_name
            and (grid.sv_group = 'all' or grid.sv_group = monthly.sv_group)
            and monthly.month between grid.period_start and grid.period_end
    group by all

)

select
    cast(export_quarter as varchar) as export_quarter,
    cast(partner as varchar) as partner,
    cast(period as varchar) as period,
    period_start,
    period_end,
    cast(sv_group as varchar) as sv_group,
    cast(offences as bigint) as offences,
    {{ publish_bookkeeping('period_start', 'period_end') }},
    is_sum_of_periods,
    cast(
        row_number() over (
            partition by export_quarter, partner order by period_order, category_order
        ) as integer
    ) as row_order
from counted
