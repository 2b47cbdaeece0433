{#-
    Detentions per financial year by disposal, for all detainees and for juveniles
    (under 18). Every disposal appears for every year, 0 when none.
-#}
with

detentions as (

    select * from {{ ref('fct_custody_detention') }}

),

years as (

    select
        financial_year,
        detentions,
        juvenile_detentions
    from {{ ref('mart_custody__detentions_by_suite') }}
    where suite_code = 'all'

),

disposals as (

    select disposals.*
    from (
        values
        ('charged', 1), ('bailed', 2), ('released_under_investigation', 3),
        ('no_further_action', 4), ('caution', 5), ('community_resolution', 6),
        ('transferred', 7), ('other', 8)
    ) as disposals (disposal, disposal_order)

),

counted as (

    select
        financial_year,
        disposal,
        count(*) as detentions,
        count(*) filter (where is_juvenile) as juvenile_detentions
    from detentions
    group by financial_year, disposal

)

select
    cast(years.financial_year as {{ type_text() }}) as financial_year,
    cast(disposals.disposal as {{ type_text() }}) as disposal,
    cast(disposals.disposal_order as integer) as disposal_order,
    cast(coalesce(counted.detentions, 0) as bigint) as detentions,
    cast({{ share('coalesce(counted.detentions, 0)', 'years.detentions') }} as double)
        as share_of_detentions,
    cast(coalesce(counted.juvenile_detentions, 0) as bigint) as juvenile_detentions,
    cast(
        {{ share('coalesce(counted.juvenile_detentions, 0)', 'years.juvenile_detentions') }}
        as double
    ) as share_of_juvenile_detentions
from years
cross join disposals
left join counted
    on
        years.financial_year = counted.financial_year
        and disposals.disposal = counted.disposal
