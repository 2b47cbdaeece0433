{#-
    The Home Office Serious Violence Duty success measures (003, SV Duty report para 26)
    per financial year x measure x age group, 0 when none (DESIGN.md "Warehouse
    contract"), with the Duty's 2019-20 baseline and the change on it: the
    financial-year rows of mart_sv__duty_measures_periods, where each figure and its
    definition live.
-#}
with

duty_measures_periods as (

    select * from {{ ref('mart_sv__duty_measures_periods') }}
    where period_type = 'financial_year'

)

select
    cast(financial_year as {{ type_text() }}) as financial_year,
    cast(measure as {{ type_text() }}) as measure,
    cast(age_group as {{ type_text() }}) as age_group,
    cast(value as bigint) as value,
    cast(source as {{ type_text() }}) as source,
    cast(measure_order as integer) as measure_order,
    cast(baseline_value as bigint) as baseline_value,
    cast(change_on_baseline as double) as change_on_baseline
from duty_measures_periods
