{#-
    Serious violence per period of dim_period (financial year, quarter,
    12 months to a quarter; by recorded_date), weekday and hour of the offence (offence_from),
    for all offences and for those with a victim or a suspect under 25 (003 SNA,
    "Timings": weekends above weekdays; the under-25 peak at 15:00-15:59; a fifth in the
    night-time economy 22:00-04:59). Every weekday x hour appears, 0 when none.
-#}
with

periods as (

    select * from {{ ref('dim_period') }}

),

serious_violence as (

    -- Each crime once in every period its recorded_date falls in.
    select
        periods.period,
        crimes.*
    from {{ ref('fct_serious_violence') }} as crimes
    inner join periods
        on crimes.recorded_date between periods.period_start and periods.period_end

),

llr as (

    select * from {{ ref('mart_sv__by_area_periods') }}
    where area_level = 'llr'

),

cohorts as (

    select cohorts.*
    from (values ('all'), ('victim_under_25'), ('suspect_under_25')) as cohorts (age_group)

),

slots as (

    select
        weekdays.weekday,
        hours.offence_hour
    from range(1, 8) as weekdays (weekday)
    cross join range(0, 24) as hours (offence_hour)

),

offences as (

    select
        period,
        'all' as age_group,
        offence_weekday,
        offence_hour
    from serious_violence

    union all

    select
        period,
        'victim_under_25' as age_group,
        offence_weekday,
        offence_hour
    from serious_violence
    where is_victim_under_25

    union all

    select
        period,
        'suspect_under_25' as age_group,
        offence_weekday,
        offence_hour
    from serious_violence
    where youngest_suspect_age < 25

),

counted as (

    select
        period,
        age_group,
        offence_weekday,
        offence_hour,
        count(*) as offences
    from offences
    group by period, age_group, offence_weekday, offence_hour

)

select
    cast(llr.period as {{ type_text() }}) as period,
    cast(llr.period_type as {{ type_text() }}) as period_type,
    cast(llr.period_start as date) as period_start,
    cast(llr.period_end as date) as period_end,
    cast(llr.financial_year as {{ type_text() }}) as financial_year,
    cast(cohorts.age_group as {{ type_text() }}) as age_group,
    cast(slots.weekday as integer) as weekday,
    cast(slots.offence_hour as integer) as offence_hour,
    cast(slots.offence_hour >= 22 or slots.offence_hour < 5 as boolean)
        as is_night_time_economy,
    cast(coalesce(counted.offences, 0) as bigint) as offences
from llr
cross join cohorts
cross join slots
left join counted
    on
        llr.period = counted.period
        and cohorts.age_group = counted.age_group
        and slots.weekday = counted.offence_weekday
        and slots.offence_hour = counted.offence_hour
