{#-
    Which periods each extract covers (a loaded file in audit.files), with their first and last day: the spine that
    lets marts show 0 for a period that was sent and had nothing, and leave out periods
    nobody sent. Rolling 12-month windows start only once 12 months lie wholly inside.
-#}
{%- set quarterly = [
    ('police', 'crimes'),
    ('police', 'custody'),
    ('opcc', 'icv_visits'),
    ('health', 'ae_assaults'),
    ('health', 'assault_admissions'),
    ('health', 'ambulance_assaults'),
] -%}
with

quarterly_periods as (

    -- A period is covered when its file is loaded (audit.files), even if every row of it
    -- was quarantined: the partner sent the quarter. Reading the audit trail rather than
    -- the extracts keeps the marts' dbt lineage to the extracts they count.
    select distinct
        source,
        entity,
        period
    from {{ ref('stg_audit__files') }}
    where
        outcome = 'loaded'
        and {{ regexp_matches_whole('period', regex_literal('\d{4}-\d{2}Q[1-4]')) }}
        and source || '/' || entity in (
            {%- for source, entity in quarterly %}
                '{{ source }}/{{ entity }}'{{ "," if not loop.last }}
            {%- endfor %}
        )

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
