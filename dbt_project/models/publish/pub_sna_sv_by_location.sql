{#-
    Strategic needs assessment profile (opcc): serious violence recorded in LLR by type
    of location, as mart_sna__sv_by_location lists them (`not_recorded` when the police
    recorded none), with an `all` row, for every period of every export quarter's window
    (int_publish__windows). Counted by recorded_date (fct_serious_violence). Every
    location type is present in every period (0 when none). Figures before disclosure
    control.
-#}
with

location_types as (

    -- mart_sna__sv_by_location's location types and order, then `all`.
    select distinct
        location_type,
        location_order as category_order
    from {{ ref('mart_sna__sv_by_location') }}

    union all

    select
        'all' as location_type,
        1000 as category_order

),

monthly as (

    select
        coalesce(location_type, 'not_recorded') as location_type,
        recorded_month as month,
        count(*) as offences
    from {{ ref('fct_serious_violence') }}
    group by all

),

grid as (

    {{ publish_window_grid(['location_types']) }}

),

counted as (

    {{ sum_months_into_periods('grid', 'monthly', ['offences'], category='location_type') }}

)

select
    {{ publish_period_columns() }},
    cast(location_type as {{ type_text() }}) as location_type,
    cast(offences as bigint) as offences,
    {{ publish_period_bookkeeping(['period_order', 'category_order']) }}
from counted
