{#-
    Strategic needs assessment profile (opcc): serious violence recorded in LLR, each
    upper-tier authority, district and CSP, for every period of every export quarter's
    window (int_publish__windows), with the same window a year earlier and the change on
    it, the population for the export quarter's financial year (ONS mid-year estimate; a
    CSP's is the sum of its districts', int_geography__area_populations) and the rate per
    1,000 over the period (not annualised). A crime belongs to the areas its beat maps to
    (fct_serious_violence) and counts by recorded_date. Every area is present in every
    period (0 when none). Figures before disclosure control.
-#}
with

district_csps as (

    select distinct
        district_code,
        csp_name
    from {{ ref('ref_beats') }}

),

areas as (

    select
        area_level,
        area_code,
        area_name,
        la_code,
        csp_name,
        row_number() over (
            order by
                case area_level
                    when 'llr' then 1 when 'la' then 2 when 'district' then 3 else 4
                end,
                area_code
        ) as area_order
    from (
        select distinct
            populations.area_level,
            populations.area_code,
            populations.area_name,
            -- What a district lies in: the margins of disclosure control (an authority
            -- and a CSP are each the sum of their districts).
            case
                when populations.area_level = 'district' then populations.la_code
            end as la_code,
            district_csps.csp_name
        from {{ ref('int_geography__area_populations') }} as populations
        left join district_csps
            on
                populations.area_level = 'district'
                and populations.area_code = district_csps.district_code
        where populations.area_level in ('llr', 'la', 'district', 'csp')
    )

),

placed as (

    -- Each crime once per level of area it counts in.
    select
        recorded_month as month,
        'llr' as area_level,
        'LLR' as area_code
    from {{ ref('fct_serious_violence') }}

    union all

    select
        recorded_month as month,
        'la' as area_level,
        la_code as area_code
    from {{ ref('fct_serious_violence') }}

    union all

    select
        recorded_month as month,
        'district' as area_level,
        district_code as area_code
    from {{ ref('fct_serious_violence') }}

    union all

    select
        recorded_month as month,
        'csp' as area_level,
        csp_name as area_code
    from {{ ref('fct_serious_violence') }}

),

monthly as (

    select
        month,
        area_level,
        area_code,
        count(*) as offences
    from placed
    group by all

),

grid as (

    {{ publish_window_grid(['areas']) }}

),

grid_year_earlier as (

    {{ publish_year_earlier_grid('grid') }}

),

counted as (

    {{ sum_months_into_periods(
        'grid', 'monthly', ['offences'], match_on=['area_level', 'area_code']
    ) }}

),

counted_year_earlier as (

    {{ sum_months_into_periods(
        'grid_year_earlier', 'monthly', ['offences'], match_on=['area_level', 'area_code']
    ) }}

),

compared as (

    {{ join_year_earlier(
        'counted', 'counted_year_earlier', ['offences'], ['area_level', 'area_code']
    ) }}

),

with_population as (

    select
        compared.*,
        populations.population
    from compared
    left join {{ ref('int_geography__area_populations') }} as populations
        on
            compared.financial_year = populations.financial_year
            and compared.area_level = populations.area_level
            and compared.area_code = populations.area_code

)

select
    {{ publish_period_columns() }},
    cast(area_level as {{ type_text() }}) as area_level,
    cast(area_code as {{ type_text() }}) as area_code,
    cast(area_name as {{ type_text() }}) as area_name,
    cast(la_code as {{ type_text() }}) as la_code,
    cast(csp_name as {{ type_text() }}) as csp_name,
    cast(offences as bigint) as offences,
    cast(offences_year_earlier as bigint) as offences_year_earlier,
    {{ change_on_year_earlier('offences') }} as change_on_year_earlier,
    cast(population as bigint) as population,
    {{ rate_per_1000_of('offences', 'population') }} as rate_per_1000,
    {{ publish_period_bookkeeping_with_year_earlier(['period_order', 'area_order']) }}
from with_population
