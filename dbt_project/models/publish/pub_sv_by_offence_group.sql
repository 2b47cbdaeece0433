{#-
    CSP locality profile: serious violence recorded in the CSP's area, by serious violence
    group, for every period of every export quarter's window (int_publish__windows), with
    an `all` row per period. A crime belongs to the CSP its beat maps to in dim_geography
    and counts by recorded_date (spec/published-figures.md). Every group is present in
    every period (0 when none). Figures before disclosure control.
-#}
with

partners as (

    select * from {{ ref('ref_csp_partners') }}

),

groups as (

    -- The serious violence groups (dim_offence.sv_group) in name order, then `all`.
    {{ publish_categories(ref('dim_offence'), 'sv_group') }}

),

monthly as (

    select
        geography.csp_name,
        crimes.sv_group,
        {{ month_start('crimes.recorded_date') }} as month,
        count(*) as offences
    from {{ ref('fct_serious_violence') }} as crimes
    inner join {{ ref('dim_geography') }} as geography
        on crimes.beat_code = geography.beat_code
    group by all

),

grid as (

    {{ publish_window_grid(['partners', 'groups']) }}

),

counted as (

    {{ sum_months_into_periods(
        'grid', 'monthly', ['offences'], match_on=['csp_name'], category='sv_group'
    ) }}

)

select
    {{ publish_period_columns(per_partner=true) }},
    cast(sv_group as {{ type_text() }}) as sv_group,
    cast(offences as bigint) as offences,
    {{ publish_period_bookkeeping(['period_order', 'category_order'], per_partner=true) }}
from counted
