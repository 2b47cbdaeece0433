{#-
    Serious violence per period of dim_period (financial year, quarter,
    12 months to a quarter; by recorded_date) and Home Office offence code (003 SNA: ABH 8N
    31.8% of all serious violence), with its share. Every code in the definition appears
    for every period, 0 when none.
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

sv_offences as (

    select * from {{ ref('dim_offence') }}
    where is_serious_violence

),

counted as (

    select
        period,
        ho_offence_code,
        count(*) as offences
    from serious_violence
    group by period, ho_offence_code

)

select
    cast(llr.period as {{ type_text() }}) as period,
    cast(llr.period_type as {{ type_text() }}) as period_type,
    cast(llr.period_start as date) as period_start,
    cast(llr.period_end as date) as period_end,
    cast(llr.financial_year as {{ type_text() }}) as financial_year,
    cast(sv_offences.ho_offence_code as {{ type_text() }}) as ho_offence_code,
    cast(sv_offences.description as {{ type_text() }}) as offence_description,
    cast(sv_offences.sv_group as {{ type_text() }}) as sv_group,
    cast(coalesce(counted.offences, 0) as bigint) as offences,
    cast({{ share('coalesce(counted.offences, 0)', 'llr.offences') }} as double) as share_of_sv
from llr
cross join sv_offences
left join counted
    on
        llr.period = counted.period
        and sv_offences.ho_offence_code = counted.ho_offence_code
