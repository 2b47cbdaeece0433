{#- One measure of a quarterly commissioned-service return (returns.md). -#}
with

service_returns as (

    select * from {{ ref('stg_commissioning__service_returns') }}

),

measures as (

    select * from {{ ref('ref_service_return_measures') }}

)

select
    cast(service_returns.fy_quarter as varchar) as fy_quarter,
    cast(left(service_returns.fy_quarter, 7) as varchar) as financial_year,
    cast(service_returns.service as varchar) as service,
    cast(service_returns.measure as varchar) as measure,
    cast(service_returns.value as double) as value,
    cast(service_returns.label as varchar) as label,
    cast(measures.value_kind as varchar) as value_kind,
    cast(measures.display_order as integer) as display_order,
    cast(service_returns.file_name as varchar) as file_name
from service_returns
left join measures
    on
        service_returns.service = measures.service
        and service_returns.measure = measures.measure
