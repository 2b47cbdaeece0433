{#-
    pub_sarc_returns, pub_cyp_sarc_returns and pub_isva_returns publish the returns of
    fct_service_return: every measure of a quarter with a return equals the return's
    value (two decimals for percentages and months), and a quarter without one has no
    figures. The published columns are unpivoted, so a measure missing from a table or
    from a return fails too. Fails with each differing service, quarter and measure.
-#}

-- A check on the model it tests in Dagster (it reads several models). DuckDB only: its
-- UNPIVOT ON COLUMNS(* EXCLUDE …) has no Spark equivalent without naming every measure;
-- on Spark the parity test compares the marts these tables are built from.
{{ config(
    enabled=(target.type != 'spark'),
    meta={'dagster': {'ref': {'name': 'pub_sarc_returns'}}},
) }}
with

published as (

    {%- for service in ['sarc', 'cyp_sarc', 'isva'] %}
        select
            '{{ service }}' as service,
            export_quarter,
            fy_quarter,
            measure,
            cast(value as double) as value
        from (
            unpivot (
                select * exclude (missing, row_order, draws_from, draws_to)
                from {{ ref('pub_' ~ service ~ '_returns') }}
            )
            on columns(* exclude (export_quarter, fy_quarter))
            into name measure value value
        )
        {%- if not loop.last %}
            union all
        {%- endif %}
    {%- endfor %}

),

quarters as (

    select distinct
        export_quarter,
        fy_quarter
    from {{ ref('int_publish__window_months') }}

),

expected as (

    select
        returns.service,
        quarters.export_quarter,
        returns.fy_quarter,
        returns.measure,
        case
            when returns.value_kind = 'count' then returns.value
            else {{ round_half_even('returns.value', 2) }}
        end as value
    from {{ ref('fct_service_return') }} as returns
    inner join quarters
        on returns.fy_quarter = quarters.fy_quarter

)

select
    coalesce(published.service, expected.service) as service,
    coalesce(published.export_quarter, expected.export_quarter) as export_quarter,
    coalesce(published.fy_quarter, expected.fy_quarter) as fy_quarter,
    coalesce(published.measure, expected.measure) as measure,
    published.value as published_value,
    expected.value as returned_value
from published
full outer join expected
    on
        published.service = expected.service
        and published.export_quarter = expected.export_quarter
        and published.fy_quarter = expected.fy_quarter
        and published.measure = expected.measure
where published.value is distinct from expected.value
