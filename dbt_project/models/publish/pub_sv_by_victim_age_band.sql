{#-
    CSP locality profile: serious violence recorded in the CSP's area by the youngest
    victim's age band at the offence, for every period of every export quarter's window
    (int_publish__windows), with an `all` row per period. A crime belongs to the CSP its
    beat maps to in dim_geography and counts by recorded_date
    (spec/published-figures.md); no victim age recorded is `unknown`. Every band is
    present in every period (0 when none). Figures before disclosure control.
-#}
with

partners as (

    select * from {{ ref('ref_csp_partners') }}

),

age_bands as (

    -- The partner tables' age bands, shared with the ICB's assault_injury_by_age_band.
    {{ publish_age_bands('victim_age_band') }}

),

monthly as (

    select
        geography.csp_name,
        coalesce(age_bands.victim_age_band, 'unknown') as victim_age_band,
        {{ month_start('crimes.recorded_date') }} as month,
        count(*) as offences
    from {{ ref('fct_serious_violence') }} as crimes
    inner join {{ ref('dim_geography') }} as geography
        on crimes.beat_code = geography.beat_code
    left join age_bands
        on crimes.youngest_victim_age between age_bands.min_age and age_bands.max_age
    group by all

),

grid as (

    {{ publish_window_grid(['partners', 'age_bands']) }}

),

counted as (

    {{ sum_months_into_periods(
        'grid', 'monthly', ['offences'], match_on=['csp_name'], category='victim_age_band'
    ) }}

)

select
    {{ publish_period_columns(per_partner=true) }},
    cast(victim_age_band as {{ type_text() }}) as victim_age_band,
    cast(offences as bigint) as offences,
    {{ publish_period_bookkeeping(['period_order', 'category_order'], per_partner=true) }}
from counted
