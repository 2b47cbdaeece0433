{#-
    CSP locality profile: serious violence recorded in the CSP's area by type of location,
    for every period of every export quarter's window (int_publish__windows), with an
    `all` row per period. A crime belongs to the CSP its beat maps to in dim_geography and
    counts by recorded_date (spec/published-figures.md); no location recorded is
    `unknown`. Every location type is present in every period (0 when none). Figures
    before disclosure control.
-#}
with

partners as (

    select * from {{ ref('ref_csp_partners') }}

),

location_types as (

    -- The police crimes extract's location codes (ingest/specs.py LOCATION_TYPES, the
    -- accepted values of fct_serious_violence.location_type in its column_rules, so no
    -- other value reaches here), then `unknown` for none recorded, then the `all` row.
    select location_types.*
    from (
        values
        ('dwelling', 1), ('public_open_place', 2), ('hospitality', 3), ('education', 4),
        ('shop', 5), ('transport', 6), ('workplace', 7), ('other', 8), ('unknown', 9),
        ('all', 1000)
    ) as location_types (location_type, category_order)

),

monthly as (

    select
        geography.csp_name,
        coalesce(crimes.location_type, 'unknown') as location_type,
        {{ month_start('crimes.recorded_date') }} as month,
        count(*) as offences
    from {{ ref('fct_serious_violence') }} as crimes
    inner join {{ ref('dim_geography') }} as geography
        on crimes.beat_code = geography.beat_code
    group by all

),

grid as (

    {{ publish_window_grid(['partners', 'location_types']) }}

),

counted as (

    {{ sum_months_into_periods(
        'grid', 'monthly', ['offences'], match_on=['csp_name'], category='location_type'
    ) }}

)

select
    {{ publish_period_columns(per_partner=true) }},
    cast(location_type as {{ type_text() }}) as location_type,
    cast(offences as bigint) as offences,
    {{ publish_period_bookkeeping(['period_order', 'category_order'], per_partner=true) }}
from counted
