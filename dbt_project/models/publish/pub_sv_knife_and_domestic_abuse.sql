{#-
    CSP locality profile: serious violence recorded in the CSP's area that involved a
    knife or sharp object, was knife-enabled (Home Office list), domestic-abuse related
    or sexual violence, or had a victim under 25, with all serious violence first, for
    every period of every export quarter's window (int_publish__windows). The measures
    overlap, so there is no `all` row. A crime belongs to the CSP its beat maps to in
    dim_geography and counts by recorded_date (spec/published-figures.md); an unset flag
    or an unknown victim age does not count. Figures before disclosure control.
-#}
with

windows as (

    select * from {{ ref('int_publish__windows') }}

),

partners as (

    select * from {{ ref('ref_csp_partners') }}

),

measures as (

    -- The table's measures in published order (exports/tables.py SV_MEASURES).
    select measures.*
    from (
        values
        ('all_serious_violence', 1), ('knife_or_sharp_object', 2), ('knife_enabled_ho', 3),
        ('domestic_abuse', 4), ('sexual_violence', 5), ('victim_under_25', 6)
    ) as measures (measure, measure_order)

),

monthly as (

    select
        geography.csp_name,
        date_trunc('month', crimes.recorded_date) as month,
        count(*) as all_serious_violence,
        count(*) filter (where crimes.is_knife_sharp) as knife_or_sharp_object,
        count(*) filter (where crimes.is_knife_enabled_ho) as knife_enabled_ho,
        count(*) filter (where crimes.is_domestic_abuse) as domestic_abuse,
        count(*) filter (where crimes.is_sexual_violence) as sexual_violence,
        count(*) filter (where crimes.youngest_victim_age < 25) as victim_under_25
    from {{ ref('fct_serious_violence') }} as crimes
    inner join {{ ref('dim_geography') }} as geography
        on crimes.beat_code = geography.beat_code
    group by all

),

monthly_measures as (

    select
        monthly.csp_name,
        monthly.month,
        measures.measure,
        case measures.measure
            when 'all_serious_violence' then monthly.all_serious_violence
            when 'knife_or_sharp_object' then monthly.knife_or_sharp_object
            when 'knife_enabled_ho' then monthly.knife_enabled_ho
            when 'domestic_abuse' then monthly.domestic_abuse
            when 'sexual_violence' then monthly.sexual_violence
            when 'victim_under_25' then monthly.victim_under_25
        end as offences
    from monthly
    cross join measures

),

grid as (

    select
        windows.*,
        partners.partner,
        partners.csp_name,
        measures.measure,
        measures.measure_order
    from windows
    cross join partners
    cross join measures

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
        grid.measure,
        grid.measure_order,
        coalesce(sum(monthly_measures.offences), 0) as offences
    from grid
    left join monthly_measures
        on
            grid.csp_name = monthly_measures.csp_name
            and grid.measure = monthly_measures.measure
            and monthly_measures.month between grid.period_start and grid.period_end
    group by all

)

select
    cast(export_quarter as varchar) as export_quarter,
    cast(partner as varchar) as partner,
    cast(period as varchar) as period,
    period_start,
    period_end,
    cast(measure as varchar) as measure,
    cast(offences as bigint) as offences,
    {{ publish_bookkeeping('period_start', 'period_end') }},
    is_sum_of_periods,
    cast(
        row_number() over (
            partition by export_quarter, partner order by period_order, measure_order
        ) as integer
    ) as row_order
from counted
