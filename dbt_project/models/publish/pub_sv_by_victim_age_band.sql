{#-
    CSP locality profile: serious violence recorded in the CSP's area by the youngest
    victim's age band at the offence, for every period of every export quarter's window
    (int_publish__windows), with an `all` row per period. A crime belongs to the CSP its
    beat maps to in dim_geography and counts by recorded_date
    (spec/published-figures.md); no victim age recorded is `unknown`. Every band is
    present in every period (0 when none). Figures before disclosure control.
-#}
with

windows as (

    select * from {{ ref('int_publish__windows') }}

),

partners as (

    select * from {{ ref('ref_csp_partners') }}

),

age_bands as (

    -- The partner tables' age bands (exports/tables.py AGE_BANDS, shared with the ICB's
    -- assault_injury_by_age_band), then `unknown` (no age, or none of the bands), then
    -- the `all` row.
    select age_bands.*
    from (
        values
        ('0-17', 0, 17, 1), ('18-24', 18, 24, 2), ('25-34', 25, 34, 3),
        ('35-44', 35, 44, 4), ('45-54', 45, 54, 5), ('55-64', 55, 64, 6),
        ('65+', 65, 200, 7), ('unknown', null, null, 8), ('all', null, null, 1000)
    ) as age_bands (victim_age_band, min_age, max_age, category_order)

),

banded as (

    select
        geography.csp_name,
        date_trunc('month', crimes.recorded_date) as month,
        coalesce(age_bands.victim_age_band, 'unknown') as victim_age_band
    from {{ ref('fct_serious_violence') }} as crimes
    inner join {{ ref('dim_geography') }} as geography
        on crimes.beat_code = geography.beat_code
    left join age_bands
        on crimes.youngest_victim_age between age_bands.min_age and age_bands.max_age

),

monthly as (

    select
        csp_name,
        victim_age_band,
        month,
        count(*) as offences
    from banded
    group by all

),

grid as (

    select
        windows.*,
        partners.partner,
        partners.csp_name,
        age_bands.victim_age_band,
        age_bands.category_order
    from windows
    cross join partners
    cross join age_bands

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
        grid.victim_age_band,
        grid.category_order,
        coalesce(sum(monthly.offences), 0) as offences
    from grid
    left join monthly
        on
            grid.csp_name = monthly.csp_name
            and (grid.victim_age_band = 'all' or grid.victim_age_band = monthly.victim_age_band)
            and monthly.month between grid.period_start and grid.period_end
    group by all

)

select
    cast(export_quarter as varchar) as export_quarter,
    cast(partner as varchar) as partner,
    cast(period as varchar) as period,
    period_start,
    period_end,
    cast(victim_age_band as varchar) as victim_age_band,
    cast(offences as bigint) as offences,
    {{ publish_bookkeeping('period_start', 'period_end') }},
    is_sum_of_periods,
    cast(
        row_number() over (
            partition by export_quarter, partner order by period_order, category_order
        ) as integer
    ) as row_order
from counted
