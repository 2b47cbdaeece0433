{#-
    Strategic needs assessment profile (opcc): serious violence recorded in LLR by the
    SNA's offence group (ref_offence_codes.sv_group), with an `all` row, for every period
    of every export quarter's window (int_publish__windows), with the same window a year
    earlier and the change on it. Counted by recorded_date (fct_serious_violence). Every
    group is present in every period (0 when none). Figures before disclosure control.
-#}
with

sv_groups as (

    -- The SNA's groups in name order, then `all`.
    {{ publish_categories(ref('ref_offence_codes'), 'sv_group') }}

),

monthly as (

    select
        sv_group,
        recorded_month as month,
        count(*) as offences
    from {{ ref('fct_serious_violence') }}
    group by all

),

grid as (

    {{ publish_window_grid(['sv_groups']) }}

),

grid_year_earlier as (

    {{ publish_year_earlier_grid('grid') }}

),

counted as (

    {{ sum_months_into_periods('grid', 'monthly', ['offences'], category='sv_group') }}

),

counted_year_earlier as (

    {{ sum_months_into_periods(
        'grid_year_earlier', 'monthly', ['offences'], category='sv_group'
    ) }}

),

compared as (

    {{ join_year_earlier('counted', 'counted_year_earlier', ['offences'], ['sv_group']) }}

)

select
    {{ publish_period_columns() }},
    cast(sv_group as {{ type_text() }}) as sv_group,
    cast(offences as bigint) as offences,
    cast(offences_year_earlier as bigint) as offences_year_earlier,
    {{ change_on_year_earlier('offences') }} as change_on_year_earlier,
    {{ publish_period_bookkeeping_with_year_earlier(['period_order', 'category_order']) }}
from compared
