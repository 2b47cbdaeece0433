{#-
    OPCC: Independent Custody Visitor visits by arrival in each period of every export
    quarter's window (int_publish__windows), per custody suite (seed ref_custody_suites,
    in its suite_order) and for all suites: visits, visits with immediate access (admitted
    within 5 minutes, the ICV annual report's measure: seed ref_icv_access_bands), and
    the detainees in the cells, offered a visit, agreeing and refusing, with the shares
    offered and agreeing. Figures before disclosure control.
-#}
with

suites as (

    {{ publish_categories(ref('ref_custody_suites'), 'suite_code', order_by='suite_order') }}

),

monthly as (

    select
        suite_code,
        cast({{ month_start('arrived_at') }} as date) as month,
        count(*) as visits,
        count(*) filter (where is_immediate_access) as immediate_access_visits,
        sum(detainees_in_cells) as detainees_in_cells,
        sum(offered) as offered,
        sum(agreed) as agreed,
        sum(refused) as refused
    from {{ ref('fct_icv_visit') }}
    group by all

),

grid as (

    {{ publish_window_grid(['suites']) }}

),

counted as (

    {{ sum_months_into_periods(
        'grid', 'monthly',
        counts=[
            'visits', 'immediate_access_visits', 'detainees_in_cells',
            'offered', 'agreed', 'refused',
        ],
        category='suite_code',
    ) }}

)

select
    {{ publish_period_columns() }},
    cast(suite_code as {{ type_text() }}) as suite_code,
    cast(visits as bigint) as visits,
    cast(immediate_access_visits as bigint) as immediate_access_visits,
    cast(detainees_in_cells as bigint) as detainees_in_cells,
    cast(offered as bigint) as offered,
    cast(agreed as bigint) as agreed,
    cast(refused as bigint) as refused,
    {{ round_half_even(share('offered', 'detainees_in_cells'), 4) }} as offered_rate,
    {{ round_half_even(share('agreed', 'offered'), 4) }} as agreed_rate,
    {{ publish_period_bookkeeping(['period_order', 'category_order']) }}
from counted
