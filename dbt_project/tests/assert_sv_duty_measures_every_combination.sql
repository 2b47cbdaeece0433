-- mart_sv_duty_measures holds every measure x age group for each of its financial
-- years (0 when none): 4 measures x 2 age groups, and so does
-- mart_sv__duty_measures_periods for each of its periods. Returns the incomplete ones.
{{ config(meta={'dagster': {'ref': {'name': 'mart_sv_duty_measures'}}}) }}

select
    'mart_sv_duty_measures' as model_name,
    financial_year as period,
    count(*) as combinations
from {{ ref('mart_sv_duty_measures') }}
group by financial_year
having count(*) != 8

union all

select
    'mart_sv__duty_measures_periods' as model_name,
    period,
    count(*) as combinations
from {{ ref('mart_sv__duty_measures_periods') }}
group by period
having count(*) != 8
