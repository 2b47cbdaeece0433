{#-
    How many of police.uk's LSOAs (and their rows) match an LLR LSOA of IMD 2019 (2011
    boundaries), per month: the coverage of mart_policeuk_by_deprivation. LLR rows are
    those mart_policeuk_monthly counts (LSOA name in one of the nine LLR districts).
-#}
with

street as (

    select * from {{ ref('stg_policeuk__street') }}

),

imd_lsoas as (

    select * from {{ ref('ref_imd2019_lsoa') }}

),

policeuk_monthly as (

    select * from {{ ref('mart_policeuk_monthly') }}

),

llr_crimes as (

    select
        month,
        sum(crimes) as llr_crimes
    from policeuk_monthly
    group by month

),

matched as (

    select
        street.month,
        street.lsoa_code,
        imd_lsoas.lsoa11_code is not null as is_imd_lsoa
    from street
    left join imd_lsoas
        on street.lsoa_code = imd_lsoas.lsoa11_code
    where
        street.lsoa_code is not null
        and street.month is not null
        and street.crime_type is not null

),

by_month as (

    select
        month,
        count(distinct lsoa_code) as lsoas_in_data,
        count(distinct lsoa_code) filter (where is_imd_lsoa) as lsoas_matching_imd,
        count(*) as crimes_with_lsoa,
        count(*) filter (where is_imd_lsoa) as crimes_matching_imd
    from matched
    group by month

)

select
    cast(by_month.month as date) as month,
    cast(by_month.lsoas_in_data as integer) as lsoas_in_data,
    cast(by_month.lsoas_matching_imd as integer) as lsoas_matching_imd,
    cast((select count(*) from imd_lsoas) as integer) as imd_lsoas,
    cast(by_month.crimes_with_lsoa as bigint) as crimes_with_lsoa,
    cast(coalesce(llr_crimes.llr_crimes, 0) as bigint) as llr_crimes,
    cast(by_month.crimes_matching_imd as bigint) as crimes_matching_imd,
    cast({{ share('by_month.crimes_matching_imd', 'llr_crimes.llr_crimes') }} as double)
        as share_of_llr_crimes_matching_imd
from by_month
left join llr_crimes
    on by_month.month = llr_crimes.month
