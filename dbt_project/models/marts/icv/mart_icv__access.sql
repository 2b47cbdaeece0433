{#-
    ICV visits per financial year and suite (with `all`) by how long the visitors waited
    to be admitted: immediate (5 minutes or less), 6-15 minutes, over 15 minutes (003 ICV
    report paras 28-30: 91 of 101 immediate, 1 delayed 6-15, 9 over 15). Every band
    appears, 0 when none.
-#}
with

visits as (

    select * from {{ ref('fct_icv_visit') }}

),

suites_by_year as (

    select
        financial_year,
        suite_code,
        visits as all_visits
    from {{ ref('mart_icv__visits_vs_target') }}

),

bands as (

    select * from {{ ref('ref_icv_access_bands') }}

),

counted as (

    select
        financial_year,
        suite_code,
        access_band,
        count(*) as visits
    from visits
    group by financial_year, suite_code, access_band

    union all

    select
        financial_year,
        'all' as suite_code,
        access_band,
        count(*) as visits
    from visits
    group by financial_year, access_band

)

select
    cast(suites_by_year.financial_year as {{ type_text() }}) as financial_year,
    cast(suites_by_year.suite_code as {{ type_text() }}) as suite_code,
    cast(bands.access_band as {{ type_text() }}) as access_band,
    cast(bands.description as {{ type_text() }}) as access_band_description,
    cast(bands.is_immediate as boolean) as is_immediate,
    cast(bands.band_order as integer) as band_order,
    cast(coalesce(counted.visits, 0) as bigint) as visits,
    cast({{ share('coalesce(counted.visits, 0)', 'suites_by_year.all_visits') }} as double)
        as share_of_visits
from suites_by_year
cross join bands
left join counted
    on
        suites_by_year.financial_year = counted.financial_year
        and suites_by_year.suite_code = counted.suite_code
        and bands.access_band = counted.access_band
