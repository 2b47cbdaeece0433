{#- One measure of a quarterly commissioned-service return (returns.md). -#}
with

service_returns as (

    select * from {{ ref('stg_commissioning__service_returns') }}

),

measures as (

    select * from {{ ref('ref_service_return_measures') }}

)

select
    cast(service_returns.fy_quarter as {{ type_text() }}) as fy_quarter,
    cast(left(service_returns.fy_quarter, 7) as {{ type_text() }}) as financial_year,
    cast(service_returns.service as {{ type_text() }}) as service,
    cast(service_returns.measure as {{ type_text() }}) as measure,
    cast(service_returns.value as double) as value,
    cast(service_returns.label as {{ type_text() }}) as label,
    cast(measures.value_kind as {{ type_text() }}) as value_kind,
    cast(measures.display_order as integer) as display_order,
    cast(service_returns.file_name as {{ type_text() }}) as file_name
from service_returns
left join measures
    on
        service_returns.service = measures.service
        and service_returns.measure = measures.measure
