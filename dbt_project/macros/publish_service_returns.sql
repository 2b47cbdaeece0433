{#- The commissioned-service returns as published tables (returns.md): one row per
    quarter of the export window, one column per measure. -#}

{#- The measures of a service's quarterly return in the return's order, as
    (measure, value_kind) pairs, from seed ref_service_return_measures: read from the
    warehouse, so call it only when the model runs (`execute`; dbt builds the seed
    first). -#}
{% macro service_return_measures(service) -%}
    {%- set query -%}
        select measure, value_kind
        from {{ ref('ref_service_return_measures') }}
        where service = '{{ service }}'
        order by display_order
    {%- endset -%}
    {{ return(run_query(query).rows | map('list') | list) }}
{%- endmacro %}

{#- The whole `pub_<service>_returns` model. The quarters are the four ending with the
    export quarter that lie on or after data_start (the distinct fy_quarter of
    int_publish__window_months). A quarter whose return did not arrive keeps its row,
    with null figures and `missing` naming the file, so the exporter shows `[x]`
    (DESIGN.md "Known-missing data is shown, not hidden"). Counts are whole numbers;
    percentages and months keep two decimals. -#}
{% macro publish_service_return(service) -%}
{%- set measures = service_return_measures(service) if execute else [] -%}
-- depends_on: {{ ref('ref_service_return_measures') }}
with

window_months as (

    select * from {{ ref('int_publish__window_months') }}

),

service_returns as (

    select * from {{ ref('fct_service_return') }}
    where service = '{{ service }}'

),

quarters as (

    select
        export_quarter,
        fy_quarter,
        min(month) as quarter_start,
        max(month_end) as quarter_end
    from window_months
    group by export_quarter, fy_quarter

),

returned as (

    select
        {%- for measure, value_kind in measures %}
        max(value) filter (where measure = '{{ measure }}') as {{ measure }},
        {%- endfor %}
        fy_quarter
    from service_returns
    group by fy_quarter

)

select
    cast(quarters.export_quarter as {{ type_text() }}) as export_quarter,
    cast(quarters.fy_quarter as {{ type_text() }}) as fy_quarter,
    {%- for measure, value_kind in measures %}
    {%- if value_kind == 'count' %}
    cast(returned.{{ measure }} as bigint) as {{ measure }},
    {%- else %}
    {{ round_half_even('returned.' ~ measure, 2) }} as {{ measure }},
    {%- endif %}
    {%- endfor %}
    {{ publish_bookkeeping('quarters.quarter_start', 'quarters.quarter_end') }},
    cast(
        row_number() over (
            partition by quarters.export_quarter order by quarters.quarter_start
        ) as integer
    ) as row_order
from quarters
left join returned
    on quarters.fy_quarter = returned.fy_quarter
{%- endmacro %}
