{#-
    Detentions per financial year and suite (with `all`) by time in custody, in the
    bands PACE reviews turn on (24 and 36 hours), and `still_detained` while there is no
    release time. Every band appears, 0 when none.
-#}
with

detentions as (

    select * from {{ ref('fct_custody_detention') }}

),

suites_by_year as (

    select
        financial_year,
        suite_code
    from {{ ref('mart_custody__detentions_by_suite') }}

),

bands as (

    select bands.*
    from (
        values
        ('under_6_hours', 1), ('6_to_12_hours', 2), ('12_to_24_hours', 3),
        ('24_to_36_hours', 4), ('over_36_hours', 5), ('still_detained', 6)
    ) as bands (time_band, band_order)

),

banded as (

    select
        financial_year,
        suite_code,
        case
            when detention_hours is null then 'still_detained'
            when detention_hours < 6 then 'under_6_hours'
            when detention_hours < 12 then '6_to_12_hours'
            when detention_hours <= 24 then '12_to_24_hours'
            when detention_hours <= 36 then '24_to_36_hours'
            else 'over_36_hours'
        end as time_band
    from detentions

),

counted as (

    select
        financial_year,
        suite_code,
        time_band,
        count(*) as detentions
    from banded
    group by financial_year, suite_code, time_band

    union all

    select
        financial_year,
        'all' as suite_code,
        time_band,
        count(*) as detentions
    from banded
    group by financial_year, time_band

),

filled as (

    select
        suites_by_year.financial_year,
        suites_by_year.suite_code,
        bands.time_band,
        bands.band_order,
        coalesce(counted.detentions, 0) as detentions
    from suites_by_year
    cross join bands
    left join counted
        on
            suites_by_year.financial_year = counted.financial_year
            and suites_by_year.suite_code = counted.suite_code
            and bands.time_band = counted.time_band

)

select
    cast(financial_year as {{ type_text() }}) as financial_year,
    cast(suite_code as {{ type_text() }}) as suite_code,
    cast(time_band as {{ type_text() }}) as time_band,
    cast(band_order as integer) as band_order,
    cast(detentions as bigint) as detentions,
    cast(
        {{ share('detentions', 'sum(detentions) over (partition by financial_year, suite_code)') }}
        as double
    ) as share_of_detentions
from filled
