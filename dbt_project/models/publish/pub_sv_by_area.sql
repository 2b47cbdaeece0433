{#-
    CSP locality profile: serious violence recorded in each district of the CSP and in
    the CSP as a whole, with the rate per 1,000 residents over the period (not
    annualised), for every period of every export quarter's window
    (int_publish__windows). A crime belongs to the CSP, and the district, its beat maps
    to in dim_geography, and counts by recorded_date (spec/published-figures.md). The
    population is mart_sv_by_area's (ONS mid-year estimate; a CSP's is the sum of its
    districts') for the export quarter's financial year, else the latest year before it,
    else the earliest after it. Figures before disclosure control.
-#}
with

windows as (

    select * from {{ ref('int_publish__windows') }}

),

partners as (

    select * from {{ ref('ref_csp_partners') }}

),

geography as (

    select * from {{ ref('dim_geography') }}

),

area_populations as (

    select
        area_level,
        area_code,
        financial_year,
        population
    from {{ ref('mart_sv_by_area') }}
    where area_level in ('district', 'csp') and population is not null

),

areas as (

    -- Each CSP's districts in district_code order, then the CSP itself.
    select
        csp_areas.*,
        row_number() over (
            partition by csp_areas.partner order by csp_areas.is_csp, csp_areas.area_code
        ) as area_order
    from (
        select distinct
            partners.partner,
            partners.csp_name,
            'district' as area_level,
            geography.district_code as area_code,
            geography.district_name as area_name,
            0 as is_csp
        from partners
        inner join geography
            on partners.csp_name = geography.csp_name

        union all

        select
            partner,
            csp_name,
            'csp' as area_level,
            csp_name as area_code,
            csp_name as area_name,
            1 as is_csp
        from partners
    ) as csp_areas

),

monthly as (

    select
        geography.csp_name,
        geography.district_code,
        {{ month_start('crimes.recorded_date') }} as month,
        count(*) as offences
    from {{ ref('fct_serious_violence') }} as crimes
    inner join geography
        on crimes.beat_code = geography.beat_code
    group by all

),

grid as (

    {{ publish_window_grid(['areas']) }}

),

counted as (

    -- A district's own offences; the CSP's row, all of its districts'.
    select
        grid.*,
        coalesce(sum(monthly.offences), 0) as offences
    from grid
    left join monthly
        on
            grid.csp_name = monthly.csp_name
            and (grid.area_level = 'csp' or grid.area_code = monthly.district_code)
            and monthly.month between grid.period_start and grid.period_end
    group by all

),

export_populations as (

    -- Each area's population for an export quarter's financial year: that year's, else
    -- the latest before it, else the earliest after it.
    select
        export_years.financial_year,
        area_populations.area_level,
        area_populations.area_code,
        area_populations.population
    from (select distinct financial_year from windows) as export_years
    inner join area_populations
        on true
    qualify
        row_number() over (
            partition by
                export_years.financial_year,
                area_populations.area_level,
                area_populations.area_code
            order by
                area_populations.financial_year <= export_years.financial_year desc,
                case
                    when area_populations.financial_year <= export_years.financial_year
                        then area_populations.financial_year
                end desc,
                area_populations.financial_year asc
        ) = 1

),

with_population as (

    select
        counted.*,
        export_populations.population
    from counted
    left join export_populations
        on
            counted.financial_year = export_populations.financial_year
            and counted.area_level = export_populations.area_level
            and counted.area_code = export_populations.area_code

)

select
    {{ publish_period_columns(per_partner=true) }},
    cast(area_level as {{ type_text() }}) as area_level,
    cast(area_code as {{ type_text() }}) as area_code,
    cast(area_name as {{ type_text() }}) as area_name,
    cast(offences as bigint) as offences,
    cast(population as bigint) as population,
    -- Rounded as Python rounds (the published figures always have been): macros/rounding.sql.
    cast(
        case
            when population != 0
                then {{ round_half_even('offences * 1000 / population', 3) }}
        end as double
    ) as rate_per_1000,
    {{ publish_period_bookkeeping(['period_order', 'area_order'], per_partner=true) }}
from with_population
