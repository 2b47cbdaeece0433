{#-
    One Independent Custody Visitor visit. Access delay is the wait from arriving at the
    station to being admitted to the suite, in whole minutes rounded up: a wait of 5
    minutes 30 seconds is over 5 minutes, so not immediate access (003 ICV report
    para 28). A visit falls in the weekday and time slot of its arrival.
-#}
with

visits as (

    select * from {{ ref('stg_opcc__icv_visits') }}

),

time_slots as (

    select * from {{ ref('ref_icv_time_slots') }}

),

access_bands as (

    select * from {{ ref('ref_icv_access_bands') }}

),

superseded as (

    {{ superseded_rows(ref('stg_opcc__icv_visits'), ['visit_ref']) }}

),

current_visits as (

    select
        visits.*,
        cast(ceil({{ seconds_between('arrived_at', 'admitted_at') }} / 60.0) as integer)
            as access_delay_minutes
    from visits
    anti join superseded
        on
            visits.file_name = superseded.file_name
            and visits.row_number = superseded.row_number

)

select
    cast(current_visits.visit_ref as {{ type_text() }}) as visit_ref,
    cast(current_visits.suite_code as {{ type_text() }}) as suite_code,
    cast(current_visits.arrived_at as timestamp) as arrived_at,
    cast(current_visits.admitted_at as timestamp) as admitted_at,
    cast(current_visits.access_delay_minutes as integer) as access_delay_minutes,
    cast(access_bands.access_band as {{ type_text() }}) as access_band,
    cast(access_bands.is_immediate as boolean) as is_immediate_access,
    cast({{ iso_weekday('current_visits.arrived_at') }} as integer) as weekday,
    cast(time_slots.time_slot as {{ type_text() }}) as time_slot,
    cast({{ financial_year('current_visits.arrived_at') }} as {{ type_text() }}) as financial_year,
    cast({{ fy_quarter('current_visits.arrived_at') }} as {{ type_text() }}) as fy_quarter,
    cast(current_visits.detainees_in_cells as integer) as detainees_in_cells,
    cast(current_visits.offered as integer) as offered,
    cast(current_visits.not_offered_on_advice as integer) as not_offered_on_advice,
    cast(current_visits.unavailable as integer) as unavailable,
    cast(current_visits.asleep_observed as integer) as asleep_observed,
    cast(current_visits.agreed as integer) as agreed,
    cast(current_visits.refused as integer) as refused,
    cast(current_visits.issues as {{ type_text() }}) as issues
from current_visits
left join time_slots
    on hour(current_visits.arrived_at) between time_slots.start_hour and time_slots.end_hour
left join access_bands
    on
        current_visits.access_delay_minutes >= access_bands.min_minutes
        and (
            access_bands.max_minutes is null
            or current_visits.access_delay_minutes <= access_bands.max_minutes
        )
