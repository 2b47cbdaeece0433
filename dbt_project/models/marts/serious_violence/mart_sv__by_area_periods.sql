{#-
    Serious violence for every period of dim_period (financial year, quarter, 12 months
    to a quarter) for LLR, each upper-tier authority, district and CSP: offences, rate
    per 1,000 residents (ONS mid-year population of the financial year the period ends
    in, ref_population seed; a CSP's population is the sum of its districts') and share
    of the LLR total (003 SNA, "Geography of Serious Violence"), with the change on the
    same period a year earlier. Knife or sharp-object offences alongside, for "where"
    knife crime happens (003 SNA: 69% in Leicester). Every area appears for every
    period, 0 when none. Crimes fall in a period by recorded_date. mart_sv_by_area is
    its financial-year rows.
-#}
with

serious_violence as (

    select * from {{ ref('fct_serious_violence') }}

),

periods as (

    select * from {{ ref('dim_period') }}

),

populations as (

    select * from {{ ref('int_geography__area_populations') }}

),

offences_in_periods as (

    select
        periods.period,
        serious_violence.la_code,
        serious_violence.district_code,
        serious_violence.csp_name,
        serious_violence.is_knife_sharp
    from serious_violence
    inner join periods
        on serious_violence.recorded_date between periods.period_start and periods.period_end

),

offences_by_area as (

    select
        period,
        'llr' as area_level,
        'LLR' as area_code,
        count(*) as offences,
        count(*) filter (where is_knife_sharp) as knife_sharp_offences
    from offences_in_periods
    group by period

    union all

    select
        period,
        'la' as area_level,
        la_code as area_code,
        count(*) as offences,
        count(*) filter (where is_knife_sharp) as knife_sharp_offences
    from offences_in_periods
    where la_code is not null
    group by period, la_code

    union all

    select
        period,
        'district' as area_level,
        district_code as area_code,
        count(*) as offences,
        count(*) filter (where is_knife_sharp) as knife_sharp_offences
    from offences_in_periods
    where district_code is not null
    group by period, district_code

    union all

    select
        period,
        'csp' as area_level,
        csp_name as area_code,
        count(*) as offences,
        count(*) filter (where is_knife_sharp) as knife_sharp_offences
    from offences_in_periods
    where csp_name is not null
    group by period, csp_name

),

spine as (

    -- A period's rate uses the population of the financial year it ends in.
    select
        periods.period,
        periods.period_type,
        periods.period_start,
        periods.period_end,
        periods.financial_year,
        periods.previous_period,
        populations.area_level,
        populations.area_code,
        populations.area_name,
        populations.la_code,
        populations.population
    from periods
    inner join populations
        on periods.financial_year = populations.financial_year

),

filled as (

    select
        spine.*,
        coalesce(offences_by_area.offences, 0) as offences,
        coalesce(offences_by_area.knife_sharp_offences, 0) as knife_sharp_offences
    from spine
    left join offences_by_area
        on
            spine.period = offences_by_area.period
            and spine.area_level = offences_by_area.area_level
            and spine.area_code = offences_by_area.area_code

),

compared as (

    select
        filled.*,
        previous_period.offences as offences_previous_year,
        max(filled.offences) filter (where filled.area_level = 'llr')
            over (partition by filled.period) as llr_offences,
        max(filled.knife_sharp_offences) filter (where filled.area_level = 'llr')
            over (partition by filled.period) as llr_knife_sharp_offences
    from filled
    -- The same period a year earlier, only when it is in the data (else no comparison).
    left join filled as previous_period
        on
            filled.previous_period = previous_period.period
            and filled.area_level = previous_period.area_level
            and filled.area_code = previous_period.area_code

)

select
    cast(period as {{ type_text() }}) as period,
    cast(period_type as {{ type_text() }}) as period_type,
    cast(period_start as date) as period_start,
    cast(period_end as date) as period_end,
    cast(financial_year as {{ type_text() }}) as financial_year,
    cast(area_level as {{ type_text() }}) as area_level,
    cast(area_code as {{ type_text() }}) as area_code,
    cast(area_name as {{ type_text() }}) as area_name,
    cast(la_code as {{ type_text() }}) as la_code,
    cast(offences as bigint) as offences,
    cast(population as bigint) as population,
    cast({{ rate_per_1000('offences', 'population') }} as double) as rate_per_1000,
    cast({{ share('offences', 'llr_offences') }} as double) as share_of_llr,
    cast(offences_previous_year as bigint) as offences_previous_year,
    cast({{ share('offences - offences_previous_year', 'offences_previous_year') }} as double)
        as change_on_previous_year,
    cast(knife_sharp_offences as bigint) as knife_sharp_offences,
    cast({{ share('knife_sharp_offences', 'offences') }} as double) as knife_sharp_share,
    cast({{ share('knife_sharp_offences', 'llr_knife_sharp_offences') }} as double)
        as share_of_llr_knife_sharp
from compared
