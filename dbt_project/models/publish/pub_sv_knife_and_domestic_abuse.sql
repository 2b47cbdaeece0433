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
        {{ month_start('crimes.recorded_date') }} as month,
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

    {{ publish_window_grid(['partners', 'measures']) }}

),

counted as (

    {{ sum_months_into_periods(
        'grid', 'monthly_measures', ['offences'], match_on=['csp_name', 'measure']
    ) }}

)

select
    {{ publish_period_columns(per_partner=true) }},
    cast(measure as {{ type_text() }}) as measure,
    cast(offences as bigint) as offences,
    {{ publish_period_bookkeeping(['period_order', 'measure_order'], per_partner=true) }}
from counted
