{#-
    Custody detentions per financial year and suite, with an `all` row (003 ICV report:
    15,475 detainees in 2023-24): juveniles (under 18), time in custody (hours from
    arrival to release; mean and median over those released), still detained, and the
    safeguards recorded. Every suite appears for every year the custody data cover.
-#}
with

detentions as (

    select * from {{ ref('fct_custody_detention') }}

),

coverage as (

    select distinct financial_year
    from {{ ref('int_coverage__periods') }}
    where source = 'police' and entity = 'custody'

),

suites as (

    select
        suite_code,
        suite_name
    from {{ ref('dim_custody_suite') }}
    union all
    select
        'all' as suite_code,
        'All suites' as suite_name

),

scoped as (

    select
        *,
        suite_code as reported_suite
    from detentions
    union all
    select
        *,
        'all' as reported_suite
    from detentions

),

counted as (

    select
        financial_year,
        reported_suite as suite_code,
        count(*) as detentions,
        count(*) filter (where is_juvenile) as juvenile_detentions,
        count(*) filter (where is_still_detained) as still_detained,
        avg(detention_hours) as mean_detention_hours,
        {{ median('detention_hours') }} as median_detention_hours,
        count(*) filter (where detention_hours > 24) as detentions_over_24_hours,
        count(*) filter (where had_appropriate_adult) as with_appropriate_adult,
        count(*) filter (where is_mental_health_s136) as mental_health_s136,
        count(*) filter (where needed_interpreter) as with_interpreter,
        count(*) filter (where was_strip_searched) as strip_searched
    from scoped
    group by financial_year, reported_suite

),

years as (

    select financial_year from coverage
    union
    select financial_year from detentions

)

select
    cast(years.financial_year as {{ type_text() }}) as financial_year,
    cast(suites.suite_code as {{ type_text() }}) as suite_code,
    cast(suites.suite_name as {{ type_text() }}) as suite_name,
    cast(coalesce(counted.detentions, 0) as bigint) as detentions,
    cast(coalesce(counted.juvenile_detentions, 0) as bigint) as juvenile_detentions,
    cast({{ share('counted.juvenile_detentions', 'counted.detentions') }} as double)
        as juvenile_share,
    cast(coalesce(counted.still_detained, 0) as bigint) as still_detained,
    cast(counted.mean_detention_hours as double) as mean_detention_hours,
    cast(counted.median_detention_hours as double) as median_detention_hours,
    cast(coalesce(counted.detentions_over_24_hours, 0) as bigint) as detentions_over_24_hours,
    cast(coalesce(counted.with_appropriate_adult, 0) as bigint) as with_appropriate_adult,
    cast(coalesce(counted.mental_health_s136, 0) as bigint) as mental_health_s136,
    cast(coalesce(counted.with_interpreter, 0) as bigint) as with_interpreter,
    cast(coalesce(counted.strip_searched, 0) as bigint) as strip_searched
from years
cross join suites
left join counted
    on
        years.financial_year = counted.financial_year
        and suites.suite_code = counted.suite_code
