{#-
    police.uk street-level crimes per month, district and crime type, anti-social
    behaviour included. The district is the LSOA name less its last word
    (`Blaby 002A` -> Blaby); rows with no LSOA, or whose district is not one of the
    nine LLR districts/unitaries, are left out (partner-extracts.md, policeuk).
-#}
with

street as (

    select * from {{ ref('stg_policeuk__street') }}

),

districts as (

    select distinct
        area_code as district_code,
        area_name as district_name,
        la_code
    from {{ ref('ref_population') }}
    where area_level = 'district'

),

placed as (

    select
        month,
        crime_type,
        regexp_replace(trim(lsoa_name), {{ regex_literal('\s+\S+$') }}, '') as district_name
    from street
    where lsoa_name is not null and month is not null and crime_type is not null

)

select
    cast(placed.month as date) as month,
    cast(placed.district_name as {{ type_text() }}) as district_name,
    cast(placed.crime_type as {{ type_text() }}) as crime_type,
    cast(count(*) as bigint) as crimes,
    cast(districts.district_code as {{ type_text() }}) as district_code,
    cast(districts.la_code as {{ type_text() }}) as la_code
from placed
inner join districts
    on placed.district_name = districts.district_name
group by
    placed.month,
    placed.district_name,
    placed.crime_type,
    districts.district_code,
    districts.la_code
