{#- One OPCC funding award: provider x service x financial year. -#}
with

funding as (

    select * from {{ ref('stg_commissioning__funding') }}

),

current_funding as (

    select *
    from funding
    qualify
        row_number() over (
            partition by provider, service, financial_year
            order by period desc, row_number desc
        ) = 1

)

select
    cast(financial_year as varchar) as financial_year,
    cast(provider as varchar) as provider,
    cast(service as varchar) as service,
    cast(service_category as varchar) as service_category,
    cast(amount_gbp as double) as amount_gbp,
    cast(file_name as varchar) as file_name
from current_funding
