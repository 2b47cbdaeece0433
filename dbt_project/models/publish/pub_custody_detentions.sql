{#-
    OPCC: custody detentions by arrival in each period of every export quarter's window
    (int_publish__windows), per custody suite (seed ref_custody_suites, in its
    suite_order) and for all suites. A detention counts by arrived_at
    (spec/published-figures.md); the median time in custody is over the detentions that
    have ended (still-detained people have no length yet). Figures before disclosure
    control.
-#}
with

suites as (

    {{ publish_categories(ref('ref_custody_suites'), 'suite_code', order_by='suite_order') }}

),

monthly as (

    select
        suite_code,
        cast({{ month_start('arrived_at') }} as date) as month,
        count(*) as detentions,
        count(*) filter (where is_juvenile) as juvenile_detentions,
        count(detention_hours) as detentions_ended,
        -- the hours themselves: a median does not add up across months
        {{ list_agg('detention_hours') }} filter (where detention_hours is not null)
            as detention_hours
    from {{ ref('fct_custody_detention') }}
    group by all

),

grid as (

    {{ publish_window_grid(['suites']) }}

),

counted as (

    {#- The median is the median macro's quantile_cont, over the period's hours. #}
    {{ sum_months_into_periods(
        'grid', 'monthly', ['detentions', 'juvenile_detentions', 'detentions_ended'],
        category='suite_code',
        aggregates={
            'median_detention_hours':
                lists_median('monthly.detention_hours'),
        },
    ) }}

)

select
    {{ publish_period_columns() }},
    cast(suite_code as {{ type_text() }}) as suite_code,
    cast(detentions as bigint) as detentions,
    cast(juvenile_detentions as bigint) as juvenile_detentions,
    cast(detentions_ended as bigint) as detentions_ended,
    {{ round_half_even('median_detention_hours', 2) }} as median_detention_hours,
    {{ publish_period_bookkeeping(['period_order', 'category_order']) }}
from counted
