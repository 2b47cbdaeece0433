{#-
    Length of stay and cost of emergency admissions for assault of LLR residents per
    financial year (003 SNA: stays 0-30 days, most 3 or fewer; mean cost per inpatient
    about 2,375 pounds). Stays are whole days from admission to discharge; admissions
    with no discharge yet are counted but have no stay.
-#}
with

admissions as (

    select * from {{ ref('fct_assault_injury') }}
    where source = 'admission'

),

years as (

    select financial_year
    from {{ ref('mart_health__summary') }}
    where source = 'admission'

),

by_year as (

    select
        financial_year,
        count(*) as admissions,
        count(length_of_stay_days) as admissions_discharged,
        min(length_of_stay_days) as min_stay_days,
        max(length_of_stay_days) as max_stay_days,
        avg(length_of_stay_days) as mean_stay_days,
        {{ median('length_of_stay_days') }} as median_stay_days,
        count(*) filter (where length_of_stay_days <= 3) as stays_3_days_or_less,
        count(cost_gbp) as admissions_with_cost,
        avg(cost_gbp) as mean_cost_gbp,
        sum(cost_gbp) as total_cost_gbp
    from admissions
    group by financial_year

)

select
    cast(years.financial_year as {{ type_text() }}) as financial_year,
    cast(coalesce(by_year.admissions, 0) as bigint) as admissions,
    cast(coalesce(by_year.admissions_discharged, 0) as bigint) as admissions_discharged,
    cast(by_year.min_stay_days as integer) as min_stay_days,
    cast(by_year.max_stay_days as integer) as max_stay_days,
    cast(by_year.mean_stay_days as double) as mean_stay_days,
    cast(by_year.median_stay_days as double) as median_stay_days,
    cast(coalesce(by_year.stays_3_days_or_less, 0) as bigint) as stays_3_days_or_less,
    cast({{ share('by_year.stays_3_days_or_less', 'by_year.admissions_discharged') }} as double)
        as stays_3_days_or_less_share,
    cast(coalesce(by_year.admissions_with_cost, 0) as bigint) as admissions_with_cost,
    cast(by_year.mean_cost_gbp as double) as mean_cost_gbp,
    cast(by_year.total_cost_gbp as double) as total_cost_gbp
from years
left join by_year
    on years.financial_year = by_year.financial_year
