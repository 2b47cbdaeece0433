{#-
    Serious violence per month recorded, with the LLR rate per 1,000 (003 SNA,
    "Timings": the monthly trend and summer above winter). Every month the crime data
    cover appears, 0 when none.
-#}
with

serious_violence as (

    select * from {{ ref('fct_serious_violence') }}

),

coverage as (

    select * from {{ ref('int_coverage__periods') }}
    where source = 'police' and entity = 'crimes'

),

populations as (

    select * from {{ ref('int_geography__area_populations') }}
    where area_level = 'llr'

),

months as (

    select distinct cast(months.month_start as date) as month
    from coverage
    cross join
        {{ date_range_table(
            "cast(coverage.period_start as timestamp)",
            "cast(coverage.period_end as timestamp) + interval 1 day",
            "interval 1 month",
            'months',
            'month_start'
        ) }}

),

counted as (

    select
        recorded_month as month,
        count(*) as offences,
        count(*) filter (where is_victim_under_25) as victim_under_25_offences,
        count(*) filter (where is_knife_sharp) as knife_sharp_offences,
        count(*) filter (where is_domestic_abuse) as domestic_abuse_offences
    from serious_violence
    group by recorded_month

)

select
    cast(months.month as date) as month,
    cast({{ financial_year('months.month') }} as {{ type_text() }}) as financial_year,
    cast(coalesce(counted.offences, 0) as bigint) as offences,
    cast({{ rate_per_1000('coalesce(counted.offences, 0)', 'populations.population') }} as double)
        as rate_per_1000,
    cast(coalesce(counted.victim_under_25_offences, 0) as bigint) as victim_under_25_offences,
    cast(coalesce(counted.knife_sharp_offences, 0) as bigint) as knife_sharp_offences,
    cast(coalesce(counted.domestic_abuse_offences, 0) as bigint) as domestic_abuse_offences
from months
left join counted
    on months.month = counted.month
left join populations
    on populations.financial_year = {{ financial_year('months.month') }}
