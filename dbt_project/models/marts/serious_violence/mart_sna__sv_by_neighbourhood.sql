{#-
    Serious violence per period of dim_period (financial year, quarter,
    12 months to a quarter; by recorded_date) by neighbourhood policing area and by beat, with
    each one's share of the LLR total (003 SNA: West Leicester 14.7%, East Leicester
    14.6%, Hinckley & Blaby 14.4%, Charnwood 14.2%; the densest beats City Centre,
    Braunstone & Rowley Fields, New Parks, ...). No rate: NPAs and beats have no
    population estimate. Every NPA and beat appears for every period, 0 when none.
-#}
with

periods as (

    select * from {{ ref('dim_period') }}

),

serious_violence as (

    -- Each crime once in every period its recorded_date falls in.
    select
        periods.period,
        crimes.*
    from {{ ref('fct_serious_violence') }} as crimes
    inner join periods
        on crimes.recorded_date between periods.period_start and periods.period_end

),

llr as (

    select * from {{ ref('mart_sv__by_area_periods') }}
    where area_level = 'llr'

),

geography as (

    select * from {{ ref('dim_geography') }}

),

areas as (

    select distinct
        'npa' as area_level,
        npa_name as area_code,
        npa_name as area_name,
        npa_name
    from geography

    union all

    select
        'beat' as area_level,
        beat_code as area_code,
        beat_name as area_name,
        npa_name
    from geography

),

counted as (

    select
        period,
        'npa' as area_level,
        npa_name as area_code,
        count(*) as offences
    from serious_violence
    group by period, npa_name

    union all

    select
        period,
        'beat' as area_level,
        beat_code as area_code,
        count(*) as offences
    from serious_violence
    group by period, beat_code

)

select
    cast(llr.period as {{ type_text() }}) as period,
    cast(llr.period_type as {{ type_text() }}) as period_type,
    cast(llr.period_start as date) as period_start,
    cast(llr.period_end as date) as period_end,
    cast(llr.financial_year as {{ type_text() }}) as financial_year,
    cast(areas.area_level as {{ type_text() }}) as area_level,
    cast(areas.area_code as {{ type_text() }}) as area_code,
    cast(areas.area_name as {{ type_text() }}) as area_name,
    cast(areas.npa_name as {{ type_text() }}) as npa_name,
    cast(coalesce(counted.offences, 0) as bigint) as offences,
    cast({{ share('coalesce(counted.offences, 0)', 'llr.offences') }} as double) as share_of_llr
from llr
cross join areas
left join counted
    on
        llr.period = counted.period
        and areas.area_level = counted.area_level
        and areas.area_code = counted.area_code
