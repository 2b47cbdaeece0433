{#-
    The ICV visit grid (003 ICV report paras 35-36): per financial year and suite, visits
    in each of the week's 35 slots (7 weekdays x 5 time slots by arrival), so that slots
    never visited stand out. Every suite, weekday and slot appears, 0 when none.
-#}
with

visits as (

    select * from {{ ref('fct_icv_visit') }}

),

suites_by_year as (

    select
        financial_year,
        suite_code,
        suite_name
    from {{ ref('mart_icv__visits_vs_target') }}
    where suite_code != 'all'

),

time_slots as (

    select * from {{ ref('ref_icv_time_slots') }}

),

weekdays as (

    select
        weekdays.weekday,
        {{ day_name("date '2024-01-07' + cast(weekdays.weekday as integer)") }} as weekday_name
    from range(1, 8) as weekdays (weekday)

),

counted as (

    select
        financial_year,
        suite_code,
        weekday,
        time_slot,
        count(*) as visits
    from visits
    group by financial_year, suite_code, weekday, time_slot

)

select
    cast(suites_by_year.financial_year as {{ type_text() }}) as financial_year,
    cast(suites_by_year.suite_code as {{ type_text() }}) as suite_code,
    cast(suites_by_year.suite_name as {{ type_text() }}) as suite_name,
    cast(weekdays.weekday as integer) as weekday,
    cast(weekdays.weekday_name as {{ type_text() }}) as weekday_name,
    cast(time_slots.time_slot as {{ type_text() }}) as time_slot,
    cast(time_slots.slot_order as integer) as slot_order,
    cast(coalesce(counted.visits, 0) as bigint) as visits
from suites_by_year
cross join weekdays
cross join time_slots
left join counted
    on
        suites_by_year.financial_year = counted.financial_year
        and suites_by_year.suite_code = counted.suite_code
        and weekdays.weekday = counted.weekday
        and time_slots.time_slot = counted.time_slot
