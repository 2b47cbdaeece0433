{#-
    CSP locality profile: serious violence recorded in the CSP's area by weekday (1 =
    Monday) and hour of the offence (fct_serious_violence.offence_weekday and
    offence_hour, from offence_from), with row and column totals (`all`), for the rolling
    12 months of each export quarter only (int_publish__windows, period_kind
    `rolling_12m`; none before the data cover 12 months), to keep the table small. The
    hours are the 24 clock hours: the SNA's mart_sna__sv_by_weekday_hour has no bands
    (its night-time economy is a flag over hours). A crime belongs to the CSP its beat
    maps to and counts by recorded_date; a crime with no offence time recorded is in the
    `unknown` weekday and hour, so that the totals are the sums of their rows and columns
    (disclosure control relies on it). Every cell is present (0 when none); a small CSP
    gets many `[c]`, as it should. Figures before disclosure control.
-#}
with

partners as (

    select * from {{ ref('ref_csp_partners') }}

),

weekdays as (

    select
        cast(days.day_number as {{ type_text() }}) as weekday,
        days.day_number as weekday_order
    from range(1, 8) as days (day_number)

    union all

    select
        'unknown' as weekday,
        900 as weekday_order

    union all

    select
        'all' as weekday,
        1000 as weekday_order

),

hours as (

    select
        cast(clock.hour_number as {{ type_text() }}) as hour,
        clock.hour_number as hour_order
    from range(0, 24) as clock (hour_number)

    union all

    select
        'unknown' as hour,
        900 as hour_order

    union all

    select
        'all' as hour,
        1000 as hour_order

),

monthly as (

    select
        csp_name,
        coalesce(cast(offence_weekday as {{ type_text() }}), 'unknown') as weekday,
        coalesce(cast(offence_hour as {{ type_text() }}), 'unknown') as hour,
        recorded_month as month,
        count(*) as offences
    from {{ ref('fct_serious_violence') }}
    group by all

),

-- each crime also under `all` weekdays and `all` hours: the cells are then found by
-- equality, not by comparing every cell of the grid with every month of the CSP
cells as (

    {{ with_category_totals(
        'monthly', ['csp_name', 'month'], ['weekday', 'hour'], ['offences']
    ) }}

),

grid as (

    select
        windows.*,
        partners.*,
        weekdays.*,
        hours.*
    from {{ ref('int_publish__windows') }} as windows
    cross join partners
    cross join weekdays
    cross join hours
    where windows.period_kind = 'rolling_12m'

),

counted as (

    {{ sum_months_into_periods(
        'grid', 'cells', ['offences'], match_on=['csp_name', 'weekday', 'hour']
    ) }}

)

select
    {{ publish_period_columns(per_partner=true) }},
    cast(weekday as {{ type_text() }}) as weekday,
    cast(hour as {{ type_text() }}) as hour,
    cast(offences as bigint) as offences,
    {{ publish_period_bookkeeping(['weekday_order', 'hour_order'], per_partner=true) }}
from counted
