{#- One OPCC funding award: provider x service x financial year. -#}
with

funding as (

    select * from {{ ref('stg_commissioning__funding') }}

),

superseded as (

    {{ superseded_rows(
        ref('stg_commissioning__funding'), ['provider', 'service', 'financial_year']
    ) }}

),

current_funding as (

    select funding.*
    from funding
    anti join superseded
        on
            funding.file_name = superseded.file_name
            and funding.row_number = superseded.row_number

)

select
    cast(financial_year as {{ type_text() }}) as financial_year,
    cast(provider as {{ type_text() }}) as provider,
    cast(service as {{ type_text() }}) as service,
    cast(service_category as {{ type_text() }}) as service_category,
    cast(amount_gbp as double) as amount_gbp,
    cast(file_name as {{ type_text() }}) as file_name
from current_funding
