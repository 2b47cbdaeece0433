{#-
    Which periods each extract covers, with their first and last day: the spine that
    lets marts show 0 for a period that was sent and had nothing, and leave out periods
    nobody sent. Rolling 12-month windows start only once 12 months lie wholly inside.
-#}
{%- set quarterly = [
    ('police', 'crimes', 'stg_police__crimes'),
    ('police', 'custody', 'stg_police__custody'),
    ('opcc', 'icv_visits', 'stg_opcc__icv_visits'),
    ('health', 'ae_assaults', 'stg_health__ae_assaults'),
    ('health', 'assault_admissions', 'stg_health__assault_admissions'),
    ('health', 'ambulance_assaults', 'stg_health__ambulance_assaults'),
] -%}
with

quarterly_periods as (
    {%- for source, entity, model in quarterly %}

        select distinct
            '{{ source }}' as source,
            '{{ entity }}' as entity,
            period
        from {{ ref(model) }}
        {%- if not loop.last %}

            union all
        {%- endif %}
    {%- endfor %}

),

bounded as (

    select
        source,
        entity,
        period,
        cast({{ period_start('period') }} as date) as period_start,
        {{ period_end('period') }} as period_end
    from quarterly_periods

)

select
    source,
    entity,
    period,
    period_start,
    period_end,
    {{ financial_year('period_start') }} as financial_year
from bounded
