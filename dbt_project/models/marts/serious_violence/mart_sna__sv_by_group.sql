{#-
    Serious violence per period of dim_period (financial year, quarter,
    12 months to a quarter; by recorded_date) and offence group of the local definition (003
    SNA, "Nature of Serious Violence": stalking and harassment 39.7%, violence with
    injury 37.9%): offences, share of all serious violence, rate per 1,000 and change
    on the same period a year earlier. Every group appears for every period, 0 when none.
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

    select
        by_area_periods.*,
        periods.previous_period
    from {{ ref('mart_sv__by_area_periods') }} as by_area_periods
    inner join periods
        on by_area_periods.period = periods.period
    where by_area_periods.area_level = 'llr'

),

sv_groups as (

    select distinct sv_group
    from {{ ref('ref_offence_codes') }}
    where sv_group is not null

),

counted as (

    select
        period,
        sv_group,
        count(*) as offences
    from serious_violence
    group by period, sv_group

),

filled as (

    select
        llr.period,
        llr.period_type,
        llr.period_start,
        llr.period_end,
        llr.financial_year,
        llr.previous_period,
        sv_groups.sv_group,
        coalesce(counted.offences, 0) as offences,
        llr.offences as all_offences,
        llr.population
    from llr
    cross join sv_groups
    left join counted
        on
            llr.period = counted.period
            and sv_groups.sv_group = counted.sv_group

)

select
    cast(filled.period as {{ type_text() }}) as period,
    cast(filled.period_type as {{ type_text() }}) as period_type,
    cast(filled.period_start as date) as period_start,
    cast(filled.period_end as date) as period_end,
    cast(filled.financial_year as {{ type_text() }}) as financial_year,
    cast(filled.sv_group as {{ type_text() }}) as sv_group,
    cast(filled.offences as bigint) as offences,
    cast({{ share('filled.offences', 'filled.all_offences') }} as double) as share_of_sv,
    cast({{ rate_per_1000('filled.offences', 'filled.population') }} as double) as rate_per_1000,
    cast(previous_year.offences as bigint) as offences_previous_year,
    cast(
        {{ share('filled.offences - previous_year.offences', 'previous_year.offences') }} as double
    ) as change_on_previous_year
from filled
-- The same period a year earlier, only when it is in the data (else no comparison).
left join filled as previous_year
    on
        filled.previous_period = previous_year.period
        and filled.sv_group = previous_year.sv_group
