{#-
    The Strategic Needs Assessment's headline figures per financial year (003 SNA,
    "Extent" and "Nature of Serious Violence"): serious violence offences, the change on
    the year before, the LLR rate per 1,000, and the shares that are domestic-abuse
    related, sexual violence, knife or sharp object (and of those, in Leicester), in the
    night-time economy (22:00-04:59) and against a victim under 25.
-#}
with

serious_violence as (

    select * from {{ ref('fct_serious_violence') }}

),

llr as (

    select * from {{ ref('mart_sv_by_area') }}
    where area_level = 'llr'

),

by_year as (

    select
        financial_year,
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
    group by financial_year

)

select
    cast(llr.financial_year as varchar) as financial_year,
    cast(llr.offences as bigint) as offences,
    cast(llr.offences_previous_year as bigint) as offences_previous_year,
    cast(llr.change_on_previous_year as double) as change_on_previous_year,
    cast(llr.population as bigint) as population,
    cast(llr.rate_per_1000 as double) as rate_per_1000,
    cast(coalesce(by_year.domestic_abuse_offences, 0) as bigint) as domestic_abuse_offences,
    cast({{ share('coalesce(by_year.domestic_abuse_offences, 0)', 'llr.offences') }} as double)
        as domestic_abuse_share,
    cast(coalesce(by_year.sexual_violence_offences, 0) as bigint) as sexual_violence_offences,
    cast({{ share('coalesce(by_year.sexual_violence_offences, 0)', 'llr.offences') }} as double)
        as sexual_violence_share,
    cast(coalesce(by_year.knife_sharp_offences, 0) as bigint) as knife_sharp_offences,
    cast({{ share('coalesce(by_year.knife_sharp_offences, 0)', 'llr.offences') }} as double)
        as knife_sharp_share,
    cast(
        {{ share('by_year.knife_sharp_offences_in_leicester', 'by_year.knife_sharp_offences') }}
        as double
    ) as knife_sharp_share_in_leicester,
    cast(coalesce(by_year.night_time_economy_offences, 0) as bigint)
        as night_time_economy_offences,
    cast(
        {{ share('coalesce(by_year.night_time_economy_offences, 0)', 'llr.offences') }} as double
    ) as night_time_economy_share,
    cast(coalesce(by_year.victim_under_25_offences, 0) as bigint) as victim_under_25_offences,
    cast({{ share('coalesce(by_year.victim_under_25_offences, 0)', 'llr.offences') }} as double)
        as victim_under_25_share,
    cast(coalesce(by_year.suspect_under_25_offences, 0) as bigint) as suspect_under_25_offences,
    cast({{ share('coalesce(by_year.suspect_under_25_offences, 0)', 'llr.offences') }} as double)
        as suspect_under_25_share,
    cast({{ share('coalesce(by_year.dwelling_offences, 0)', 'llr.offences') }} as double)
        as dwelling_share
from llr
left join by_year
    on llr.financial_year = by_year.financial_year
