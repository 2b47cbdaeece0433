{#-
    police.uk street-level crimes per month, IMD 2019 decile and crime type, for the
    LSOAs of LLR that carry an IMD 2019 score. police.uk places a crime in an LSOA of
    2011 boundaries, as IMD 2019 does, so the join is by code; rows on LSOA codes
    created in 2021, or outside LLR, have no LLR IMD decile and are counted in
    mart_policeuk__lsoa_match instead. Every month x decile x crime type is present
    (0 when none).
-#}
with

street as (

    select * from {{ ref('stg_policeuk__street') }}

),

imd_lsoas as (

    select * from {{ ref('ref_imd2019_lsoa') }}

),

deciles as (

    select
        imd_decile,
        count(*) as lsoas,
        sum(population_mid2015) as population
    from imd_lsoas
    group by imd_decile

),

placed as (

    select
        street.month,
        street.crime_type,
        imd_lsoas.imd_decile
    from street
    inner join imd_lsoas
        on street.lsoa_code = imd_lsoas.lsoa11_code
    where street.month is not null and street.crime_type is not null

),

crimes_by_decile as (

    select
        month,
        imd_decile,
        crime_type,
        count(*) as crimes
    from placed
    group by month, imd_decile, crime_type

),

spine as (

    select
        months.month,
        deciles.imd_decile,
        deciles.lsoas,
        deciles.population,
        crime_types.crime_type
    from (select distinct month from placed) as months
    cross join deciles
    cross join (select distinct crime_type from placed) as crime_types

),

filled as (

    select
        spine.*,
        coalesce(crimes_by_decile.crimes, 0) as crimes
    from spine
    left join crimes_by_decile
        on
            spine.month = crimes_by_decile.month
            and spine.imd_decile = crimes_by_decile.imd_decile
            and spine.crime_type = crimes_by_decile.crime_type

),

shared as (

    select
        *,
        sum(crimes) over (partition by month, crime_type) as crimes_all_deciles
    from filled

)

select
    cast(month as date) as month,
    cast({{ financial_year('month') }} as {{ type_text() }}) as financial_year,
    cast(imd_decile as integer) as imd_decile,
    cast(crime_type as {{ type_text() }}) as crime_type,
    cast(crimes as bigint) as crimes,
    cast(lsoas as integer) as lsoas,
    cast(population as bigint) as population,
    cast({{ rate_per_1000('crimes', 'population') }} as double) as rate_per_1000,
    cast({{ share('crimes', 'crimes_all_deciles') }} as double) as share_of_crime_type
from shared
