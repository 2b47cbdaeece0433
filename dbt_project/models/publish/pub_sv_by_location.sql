{#-
    CSP locality profile: serious violence recorded in the CSP's area by type of location,
    for every period of every export quarter's window (int_publish__windows), with an
    `all` row per period. A crime belongs to the CSP its beat maps to in dim_geography and
    counts by recorded_date (spec/published-figures.md); no location recorded is
    `unknown`. Every location type is present in every period (0 when none). Figures
    before disclosure control.
-#}
with

windows as (

    select * from {{ ref('int_publish__windows') }}

),

partners as (

    select * from {{ ref('ref_csp_partners') }}

),

location_types as (

    -- The police crimes extract's location codes (ingest/specs.py LOCATION_TYPES, the
    -- accepted_values of fct_serious_violence.location_type, so no other value reaches
    -- here), then `unknown` for none recorded, then the `all` row.
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
        location_types.location_type,
        location_types.category_order
    from windows
    cross join partners
    cross join location_types

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
        grid.location_type,
        grid.category_order,
        coalesce(sum(monthly.offences), 0) as offences
    from grid
    left join monthly
        on
            grid.csp_name = monthly.csp_name
            and (grid.location_type = 'all' or grid.location_type = monthly.location_type)
            and monthly.month between grid.period_start and grid.period_end
    group by all

)

select
    cast(export_quarter as varchar) as export_quarter,
    cast(partner as varchar) as partner,
    cast(period as varchar) as period,
    period_start,
    period_end,
    cast(location_type as varchar) as location_type,
    cast(offences as bigint) as offences,
    {{ publish_bookkeeping('period_start', 'period_end') }},
    is_sum_of_periods,
    cast(
        row_number() over (
            partition by export_quarter, partner order by period_order, category_order
        ) as integer
    ) as row_order
from counted
