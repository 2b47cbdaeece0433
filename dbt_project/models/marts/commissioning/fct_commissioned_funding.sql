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
    cast(financial_year as {{ type_text() }}) as financial_year,
    cast(provider as {{ type_text() }}) as provider,
    cast(service as {{ type_text() }}) as service,
    cast(service_category as {{ type_text() }}) as service_category,
    cast(amount_gbp as double) as amount_gbp,
    cast(file_name as {{ type_text() }}) as file_name
from current_funding
