{#-
    Serious violence per financial year and location type (003 SNA: dwelling 62.6%,
    hospitality 4.6%, education 2.7%); `not_recorded` when the force sent none. Every
    location type appears for every year, 0 when none.
-#}
with

serious_violence as (

    select * from {{ ref('fct_serious_violence') }}

),

llr as (

    select * from {{ ref('mart_sv_by_area') }}
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
        financial_year,
        coalesce(location_type, 'not_recorded') as location_type,
        count(*) as offences
    from serious_violence
    group by financial_year, coalesce(location_type, 'not_recorded')

)

select
    cast(llr.financial_year as varchar) as financial_year,
    cast(location_types.location_type as varchar) as location_type,
    cast(coalesce(counted.offences, 0) as bigint) as offences,
    cast({{ share('coalesce(counted.offences, 0)', 'llr.offences') }} as double) as share_of_sv,
    cast(location_types.location_order as integer) as location_order
from llr
cross join location_types
left join counted
    on
        llr.financial_year = counted.financial_year
        and location_types.location_type = counted.location_type
