{#-
    The Strategic Needs Assessment's headline figures per period of dim_period (financial year, quarter,
    12 months to a quarter; by recorded_date) (003 SNA,
    "Extent" and "Nature of Serious Violence"): serious violence offences, the change on
    the same period a year earlier, the LLR rate per 1,000, and the shares that are domestic-abuse
    related, sexual violence, knife or sharp object (and of those, in Leicester), in the
    night-time economy (22:00-04:59) and against a victim under 25.
-#}
with

periods as (

    select * from {{ ref('dim_period') }}

),

serious_violence as (

    -- Each crime once in every period its recorded_date falls in.
    select
        periods.period,
        crimes.*
    from {{ ref('fct_serious_violence') }} as crimes
    inner join periods
        on crimes.recorded_date between periods.period_start and periods.period_end

),

llr as (

    select * from {{ ref('mart_sv__by_area_periods') }}
    where area_level = 'llr'

),

by_period as (

    select
        period,
        count(*) filter (where is_domestic_abuse) as domestic_abuse_offences,
        count(*) filter (where is_sexual_violence) as sexual_violence_offences,
        count(*) filter (where is_knife_sharp) as knife_sharp_offences,
        count(*) filter (where is_knife_sharp and la_code = 'E06000016')
            as knife_sharp_offences_in_leicester,
        count(*) filter (where is_night_time_economy) as night_time_economy_offences,
        count(*) filter (where is_victim_under_25) as victim_under_25_offences,
        count(*) filter (where youngest_suspect_age < 25) as suspect_under_25_offences,
        count(*) filter (where location_type = 'dwelling') as dwelling_offences
    from serious_violence
    group by period

)

select
    cast(llr.period as {{ type_text() }}) as period,
    cast(llr.period_type as {{ type_text() }}) as period_type,
    cast(llr.period_start as date) as period_start,
    cast(llr.period_end as date) as period_end,
    cast(llr.financial_year as {{ type_text() }}) as financial_year,
    cast(llr.offences as bigint) as offences,
    cast(llr.offences_previous_year as bigint) as offences_previous_year,
    cast(llr.change_on_previous_year as double) as change_on_previous_year,
    cast(llr.population as bigint) as population,
    cast(llr.rate_per_1000 as double) as rate_per_1000,
    cast(coalesce(by_period.domestic_abuse_offences, 0) as bigint) as domestic_abuse_offences,
    cast({{ share('coalesce(by_period.domestic_abuse_offences, 0)', 'llr.offences') }} as double)
        as domestic_abuse_share,
    cast(coalesce(by_period.sexual_violence_offences, 0) as bigint) as sexual_violence_offences,
    cast({{ share('coalesce(by_period.sexual_violence_offences, 0)', 'llr.offences') }} as double)
        as sexual_violence_share,
    cast(coalesce(by_period.knife_sharp_offences, 0) as bigint) as knife_sharp_offences,
    cast({{ share('coalesce(by_period.knife_sharp_offences, 0)', 'llr.offences') }} as double)
        as knife_sharp_share,
    cast(
        {{ share('by_period.knife_sharp_offences_in_leicester', 'by_period.knife_sharp_offences') }}
        as double
    ) as knife_sharp_share_in_leicester,
    cast(coalesce(by_period.night_time_economy_offences, 0) as bigint)
        as night_time_economy_offences,
    cast(
        {{ share('coalesce(by_period.night_time_economy_offences, 0)', 'llr.offences') }} as double
    ) as night_time_economy_share,
    cast(coalesce(by_period.victim_under_25_offences, 0) as bigint) as victim_under_25_offences,
    cast({{ share('coalesce(by_period.victim_under_25_offences, 0)', 'llr.offences') }} as double)
        as victim_under_25_share,
    cast(coalesce(by_period.suspect_under_25_offences, 0) as bigint) as suspect_under_25_offences,
    cast({{ share('coalesce(by_period.suspect_under_25_offences, 0)', 'llr.offences') }} as double)
        as suspect_under_25_share,
    cast({{ share('coalesce(by_period.dwelling_offences, 0)', 'llr.offences') }} as double)
        as dwelling_share
from llr
left join by_period
    on llr.period = by_period.period
