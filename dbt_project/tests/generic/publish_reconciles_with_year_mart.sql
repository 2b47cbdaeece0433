{#-
    A published table's rolling 12 months of a Q4 export are the financial year
    (`is_sum_of_periods`), so they must equal the mart that reports that year. `keys`
    maps the published table's key columns to the mart's, `figures` each published
    figure to the expression over `mart.` columns it must equal (rounded as published);
    `mart_where` and `model_where` narrow either side. A row drawing on a missing file
    is published as `[x]`, so there is nothing to reconcile (and the mart may leave that
    year out). Fails with each published row that differs, or whose year and keys the
    mart does not have.
-#}
{% test publish_reconciles_with_year_mart(
    model, mart, keys, figures, mart_where='true', model_where='true'
) %}

with

published as (

    select
        *,
        left(export_quarter, 7) as reconciled_financial_year
    from {{ model }}
    where is_sum_of_periods and missing is null and ({{ model_where }})

),

mart as (

    select * from {{ mart }}
    where {{ mart_where }}

)

select
    published.export_quarter,
    {%- for published_key in keys %}
    published.{{ published_key }},
    {%- endfor %}
    {%- for published_figure, mart_figure in figures.items() %}
    published.{{ published_figure }} as published_{{ published_figure }},
    {{ mart_figure }} as mart_{{ published_figure }}{{ "," if not loop.last }}
    {%- endfor %}
from published
left join mart
    on
        published.reconciled_financial_year = mart.financial_year
        {%- for published_key, mart_key in keys.items() %}
        and published.{{ published_key }} = mart.{{ mart_key }}
        {%- endfor %}
where
    false
    {%- for published_figure, mart_figure in figures.items() %}
    or published.{{ published_figure }} is distinct from {{ mart_figure }}
    {%- endfor %}

{% endtest %}
