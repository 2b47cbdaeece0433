{#-
    Serious violence per financial year for LLR, each upper-tier authority, district and
    CSP (DESIGN.md "Warehouse contract": grain financial_year x area): the
    financial-year rows of mart_sv__by_area_periods, where every figure is computed
    (offences, rate per 1,000, share of LLR, change on the year before, knife or
    sharp-object offences). Every area appears for every financial year the crime data
    cover, 0 when none.
-#}
with

by_area_periods as (

    select * from {{ ref('mart_sv__by_area_periods') }}
    where period_type = 'financial_year'

)

select
    cast(financial_year as {{ type_text() }}) as financial_year,
    cast(area_level as {{ type_text() }}) as area_level,
    cast(area_code as {{ type_text() }}) as area_code,
    cast(area_name as {{ type_text() }}) as area_name,
    cast(la_code as {{ type_text() }}) as la_code,
    cast(offences as bigint) as offences,
    cast(population as bigint) as population,
    cast(rate_per_1000 as double) as rate_per_1000,
    cast(share_of_llr as double) as share_of_llr,
    cast(offences_previous_year as bigint) as offences_previous_year,
    cast(change_on_previous_year as double) as change_on_previous_year,
    cast(knife_sharp_offences as bigint) as knife_sharp_offences,
    cast(knife_sharp_share as double) as knife_sharp_share,
    cast(share_of_llr_knife_sharp as double) as share_of_llr_knife_sharp
from by_area_periods
