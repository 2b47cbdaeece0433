{#-
    OPCC funding per financial year and provider, with the running total to the end of
    that year (003 Op Soteria para 19: "Total funding from OPCC to 31st March 2024").
-#}
with

funding as (

    select * from {{ ref('fct_commissioned_funding') }}

),

by_provider as (

    select
        financial_year,
        provider,
        sum(amount_gbp) as amount_gbp,
        count(*) as services,
        {{ string_agg_distinct_sorted('service_category', "';'") }}
            as service_categories
    from funding
    group by financial_year, provider

)

select
    cast(financial_year as {{ type_text() }}) as financial_year,
    cast(provider as {{ type_text() }}) as provider,
    cast(amount_gbp as double) as amount_gbp,
    cast(
        sum(amount_gbp) over (
            partition by provider order by financial_year
            rows between unbounded preceding and current row
        ) as double
    ) as cumulative_amount_gbp,
    cast(services as integer) as services,
    cast(service_categories as {{ type_text() }}) as service_categories
from by_provider
