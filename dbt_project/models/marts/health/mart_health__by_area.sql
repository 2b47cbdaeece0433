{#-
    Assault-related health events per financial year, source and area of residence
    (ambulance: of the incident): LLR, the three upper-tier authorities and the nine
    districts, with the rate per 1,000 residents. For the ICB's partner export. Every
    area appears for every year each source covers, 0 when none.
-#}
with

injuries as (

    select * from {{ ref('fct_assault_injury') }}

),

years as (

    select
        financial_year,
        source
    from {{ ref('mart_health__summary') }}

),

populations as (

    select * from {{ ref('int_geography__area_populations') }}
    where area_level in ('llr', 'la', 'district')

),

counted as (

    select
        financial_year,
        source,
        'llr' as area_level,
        'LLR' as area_code,
        count(*) as events
    from injuries
    group by financial_year, source

    union all

    select
        financial_year,
        source,
        'la' as area_level,
        la_code as area_code,
        count(*) as events
    from injuries
    group by financial_year, source, la_code

    union all

    select
        financial_year,
        source,
        'district' as area_level,
        district_code as area_code,
        count(*) as events
    from injuries
    group by financial_year, source, district_code

)

select
    cast(years.financial_year as {{ type_text() }}) as financial_year,
    cast(years.source as {{ type_text() }}) as source,
    cast(populations.area_level as {{ type_text() }}) as area_level,
    cast(populations.area_code as {{ type_text() }}) as area_code,
    cast(populations.area_name as {{ type_text() }}) as area_name,
    cast(coalesce(counted.events, 0) as bigint) as events,
    cast(populations.population as bigint) as population,
    cast({{ rate_per_1000('coalesce(counted.events, 0)', 'populations.population') }} as double)
        as rate_per_1000
from years
inner join populations
    on years.financial_year = populations.financial_year
left join counted
    on
        years.financial_year = counted.financial_year
        and years.source = counted.source
        and populations.area_level = counted.area_level
        and populations.area_code = counted.area_code
