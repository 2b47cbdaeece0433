{#-
    CSP locality profile: rape and serious sexual offences (RASSO) recorded in each
    district of the CSP and in the CSP as a whole (area_level `csp`), for every period of
    every export quarter's window (int_publish__windows): RASSO crimes, rapes, and the
    rapes charged or summonsed, whose victim does not support action and still under
    investigation, as their outcomes stand at extraction (spec/published-figures.md),
    with the RASSO rate per 1,000 residents over the period (not annualised) and the
    charge rate. A crime belongs to the district and CSP its beat maps to (fct_rasso)
    and counts by recorded_date. The population is the marts' for the export quarter's
    financial year (int_geography__area_populations). Figures before disclosure control.
-#}
with

areas as (

    {{ publish_csp_areas() }}

),

monthly as (

    select
        csp_name,
        district_code,
        recorded_month as month,
        count(*) as rasso_offences,
        count(*) filter (where is_rape) as rapes,
        count(*) filter (where is_rape and is_charged) as rapes_charged,
        count(*) filter (where is_rape and is_victim_not_supporting)
            as rapes_victim_not_supporting,
        count(*) filter (where is_rape and is_under_investigation)
            as rapes_under_investigation
    from {{ ref('fct_rasso') }}
    group by all

),

grid as (

    {{ publish_window_grid(['areas']) }}

),

counted as (

    {{ sum_months_into_csp_areas('grid', 'monthly', [
        'rasso_offences', 'rapes', 'rapes_charged', 'rapes_victim_not_supporting',
        'rapes_under_investigation'
    ]) }}

),

with_population as (

    select
        counted.*,
        {{ publish_csp_area_population('counted') }} as population
    from counted

)

select
    {{ publish_period_columns(per_partner=true) }},
    cast(area_level as {{ type_text() }}) as area_level,
    cast(area_code as {{ type_text() }}) as area_code,
    cast(area_name as {{ type_text() }}) as area_name,
    cast(rasso_offences as bigint) as rasso_offences,
    cast(rapes as bigint) as rapes,
    cast(rapes_charged as bigint) as rapes_charged,
    cast(rapes_victim_not_supporting as bigint) as rapes_victim_not_supporting,
    cast(rapes_under_investigation as bigint) as rapes_under_investigation,
    cast(population as bigint) as population,
    -- Rounded as Python rounds (the published figures always have been): macros/rounding.sql.
    cast(
        case
            when population != 0
                then {{ round_half_even('rasso_offences * 1000 / population', 3) }}
        end as double
    ) as rate_per_1000,
    cast({{ round_half_even(share('rapes_charged', 'rapes'), 4) }} as double) as charge_rate,
    {{ publish_period_bookkeeping(['period_order', 'area_order'], per_partner=true) }}
from with_population
