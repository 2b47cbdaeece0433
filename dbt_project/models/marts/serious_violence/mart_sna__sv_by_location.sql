{#-
    Serious violence per period of dim_period (financial year, quarter,
    12 months to a quarter; by recorded_date) and location type (003 SNA: dwelling 62.6%,
    hospitality 4.6%, education 2.7%); `not_recorded` when the force sent none. Every
    location type appears for every period, 0 when none.
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

location_types as (

    select location_types.*
    from (
        values
        ('dwelling', 1), ('public_open_place', 2), ('hospitality', 3), ('education', 4),
        ('shop', 5), ('transport', 6), ('workplace', 7), ('other', 8), ('not_recorded', 9)
    ) as location_types (location_type, location_order)

),

counted as (

    select
        period,
        coalesce(location_type, 'not_recorded') as location_type,
        count(*) as offences
    from serious_violence
    group by period, coalesce(location_type, 'not_recorded')

)

select
    cast(llr.period as {{ type_text() }}) as period,
    cast(llr.period_type as {{ type_text() }}) as period_type,
    cast(llr.period_start as date) as period_start,
    cast(llr.period_end as date) as period_end,
    cast(llr.financial_year as {{ type_text() }}) as financial_year,
    cast(location_types.location_type as {{ type_text() }}) as location_type,
    cast(coalesce(counted.offences, 0) as bigint) as offences,
    cast({{ share('coalesce(counted.offences, 0)', 'llr.offences') }} as double) as share_of_sv,
    cast(location_types.location_order as integer) as location_order
from llr
cross join location_types
left join counted
    on
        llr.period = counted.period
        and location_types.location_type = counted.location_type
