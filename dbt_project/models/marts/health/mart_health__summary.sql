{#-
    Assault-related A&E attendances, emergency admissions and ambulance call-outs of LLR
    per financial year (003 SNA: 1,001 attendances in 2022-23, +19.9%; 164 admissions,
    +5.8%), with the change on the year before, the rate per 1,000 residents and the
    under-25 and sharp-object counts. Every source appears for every financial year its
    extract covers, 0 when none.
-#}
with

injuries as (

    select * from {{ ref('fct_assault_injury') }}

),

coverage as (

    select distinct
        financial_year,
        case entity
            when 'ae_assaults' then 'ae'
            when 'assault_admissions' then 'admission'
            when 'ambulance_assaults' then 'ambulance'
        end as source
    from {{ ref('int_coverage__periods') }}
    where source = 'health'

),

populations as (

    select * from {{ ref('int_geography__area_populations') }}
    where area_level = 'llr'

),

counted as (

    select
        financial_year,
        source,
        count(*) as events,
        count(*) filter (where is_under_25) as events_under_25,
        count(*) filter (where is_sharp_object) as sharp_object_events
    from injuries
    group by financial_year, source

),

spine as (

    select
        financial_year,
        source
    from coverage
    union
    select
        financial_year,
        source
    from counted

),

filled as (

    select
        spine.financial_year,
        spine.source,
        coalesce(counted.events, 0) as events,
        coalesce(counted.events_under_25, 0) as events_under_25,
        coalesce(counted.sharp_object_events, 0) as sharp_object_events
    from spine
    left join counted
        on
            spine.financial_year = counted.financial_year
            and spine.source = counted.source

)

select
    cast(filled.financial_year as {{ type_text() }}) as financial_year,
    cast(filled.source as {{ type_text() }}) as source,
    cast(filled.events as bigint) as events,
    cast(previous_year.events as bigint) as events_previous_year,
    cast({{ share('filled.events - previous_year.events', 'previous_year.events') }} as double)
        as change_on_previous_year,
    cast(populations.population as bigint) as population,
    cast({{ rate_per_1000('filled.events', 'populations.population') }} as double)
        as rate_per_1000,
    cast(filled.events_under_25 as bigint) as events_under_25,
    cast(filled.sharp_object_events as bigint) as sharp_object_events
from filled
left join filled as previous_year
    on
        previous_year.financial_year = {{ previous_financial_year('filled.financial_year') }}
        and filled.source = previous_year.source
left join populations
    on filled.financial_year = populations.financial_year
