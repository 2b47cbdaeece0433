{#-
    Assault-related health events per financial year, source, weekday and hour of the
    event's own time (003 SNA, "Timings": A&E peaks 11:00, 18:00 and 21:00; ambulance
    22:00-23:59; weekends above weekdays). Every weekday x hour appears for every year
    each source covers, 0 when none.
-#}
with

injuries as (

    select * from {{ ref('fct_assault_injury') }}

),

years as (

    select
        financial_year,
        source
    from {{ ref('mart_health__summary') }}

),

slots as (

    select
        weekdays.weekday,
        hours.event_hour
    from range(1, 8) as weekdays (weekday)
    cross join range(0, 24) as hours (event_hour)

),

counted as (

    select
        financial_year,
        source,
        {{ iso_weekday('event_at') }} as weekday,
        hour(event_at) as event_hour,
        count(*) as events
    from injuries
    group by financial_year, source, {{ iso_weekday('event_at') }}, hour(event_at)

)

select
    cast(years.financial_year as {{ type_text() }}) as financial_year,
    cast(years.source as {{ type_text() }}) as source,
    cast(slots.weekday as integer) as weekday,
    cast(slots.event_hour as integer) as event_hour,
    cast(coalesce(counted.events, 0) as bigint) as events
from years
cross join slots
left join counted
    on
        years.financial_year = counted.financial_year
        and years.source = counted.source
        and slots.weekday = counted.weekday
        and slots.event_hour = counted.event_hour
