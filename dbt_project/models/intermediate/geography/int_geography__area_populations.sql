{#-
    Population of every area a figure is reported for, per financial year: LLR, the
    three upper-tier authorities, the nine districts/unitaries and the eight CSPs (a
    CSP's population is the sum of its districts'; LLR's the sum of the three
    authorities'). Rates per 1,000 use the mid-year estimate of the latest reference
    year not after the financial year's start, else the earliest loaded
    (published-figures.md: mid-2022 "for every year unless a later file is loaded").
-#}
with

population as (

    select * from {{ ref('ref_population') }}

),

district_csps as (

    select distinct
        district_code,
        csp_name
    from {{ ref('ref_beats') }}

),

areas_by_reference_year as (

    select
        'llr' as area_level,
        'LLR' as area_code,
        'Leicester, Leicestershire and Rutland' as area_name,
        cast(null as {{ type_text() }}) as la_code,
        reference_year,
        sum(population) as population
    from population
    where area_level = 'la'
    group by reference_year

    union all

    select
        'la' as area_level,
        area_code,
        area_name,
        la_code,
        reference_year,
        population
    from population
    where area_level = 'la'

    union all

    select
        'district' as area_level,
        area_code,
        area_name,
        la_code,
        reference_year,
        population
    from population
    where area_level = 'district'

    union all

    select
        'csp' as area_level,
        district_csps.csp_name as area_code,
        district_csps.csp_name as area_name,
        any_value(population.la_code) as la_code,
        population.reference_year,
        sum(population.population) as population
    from population
    inner join district_csps
        on population.area_code = district_csps.district_code
    where population.area_level = 'district'
    group by district_csps.csp_name, population.reference_year

),

financial_years as (

    select
        years.fy_start_year,
        printf('%d-%02d', years.fy_start_year, (years.fy_start_year + 1) % 100)
            as financial_year
    from range(
            year(date '{{ var("dim_date_start") }}') - 1,
            year(date '{{ var("dim_date_end") }}') + 1
        ) as years (fy_start_year)

),

by_financial_year as (

    select
        financial_years.financial_year,
        areas.area_level,
        areas.area_code,
        areas.area_name,
        areas.la_code,
        areas.reference_year,
        cast(areas.population as bigint) as population
    from financial_years
    cross join areas_by_reference_year as areas
    qualify
        row_number() over (
            partition by financial_years.financial_year, areas.area_level, areas.area_code
            order by
                areas.reference_year <= financial_years.fy_start_year desc,
                case
                    when areas.reference_year <= financial_years.fy_start_year
                        then -areas.reference_year
                    else areas.reference_year
                end
        ) = 1

)

select * from by_financial_year
