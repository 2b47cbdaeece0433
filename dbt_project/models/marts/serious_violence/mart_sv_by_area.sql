{#-
    Serious violence per financial year for LLR, each upper-tier authority, district and
    CSP: offences, rate per 1,000 residents (ONS mid-year population, ref_population
    seed; a CSP's population is the sum of its districts') and share of the LLR total
    (003 SNA, "Geography of Serious Violence"). Knife or sharp-object offences alongside,
    for "where" knife crime happens (003 SNA: 69% in Leicester). Every area appears for
    every financial year the crime data cover, 0 when none.
-#}
with

serious_violence as (

    select * from {{ ref('fct_serious_violence') }}

),

populations as (

    select * from {{ ref('int_geography__area_populations') }}

),

coverage as (

    select * from {{ ref('int_coverage__periods') }}

),

offences_by_area as (

    select
        financial_year,
        'llr' as area_level,
        'LLR' as area_code,
        count(*) as offences,
        count(*) filter (where is_knife_sharp) as knife_sharp_offences
    from serious_violence
    group by financial_year

    union all

    select
        financial_year,
        'la' as area_level,
        la_code as area_code,
        count(*) as offences,
        count(*) filter (where is_knife_sharp) as knife_sharp_offences
    from serious_violence
    where la_code is not null
    group by financial_year, la_code

    union all

    select
        financial_year,
        'district' as area_level,
        district_code as area_code,
        count(*) as offences,
        count(*) filter (where is_knife_sharp) as knife_sharp_offences
    from serious_violence
    where district_code is not null
    group by financial_year, district_code

    union all

    select
        financial_year,
        'csp' as area_level,
        csp_name as area_code,
        count(*) as offences,
        count(*) filter (where is_knife_sharp) as knife_sharp_offences
    from serious_violence
    where csp_name is not null
    group by financial_year, csp_name

),

financial_years as (

    select financial_year from coverage
    where source = 'police' and entity = 'crimes'

    union

    select financial_year from serious_violence

),

spine as (

    select populations.*
    from populations
    inner join financial_years
        on populations.financial_year = financial_years.financial_year

),

filled as (

    select
        spine.financial_year,
        spine.area_level,
        spine.area_code,
        spine.area_name,
        spine.la_code,
        spine.population,
        coalesce(offences_by_area.offences, 0) as offences,
        coalesce(offences_by_area.knife_sharp_offences, 0) as knife_sharp_offences
    from spine
    left join offences_by_area
        on
            spine.financial_year = offences_by_area.financial_year
            and spine.area_level = offences_by_area.area_level
            and spine.area_code = offences_by_area.area_code

),

compared as (

    select
        filled.*,
        previous_year.offences as offences_previous_year,
        max(filled.offences) filter (where filled.area_level = 'llr')
            over (partition by filled.financial_year) as llr_offences,
        max(filled.knife_sharp_offences) filter (where filled.area_level = 'llr')
            over (partition by filled.financial_year) as llr_knife_sharp_offences
    from filled
    -- The year before, only when it is in the data (else no comparison).
    left join filled as previous_year
        on
            previous_year.financial_year = {{ previous_financial_year('filled.financial_year') }}
            and filled.area_level = previous_year.area_level
            and filled.area_code = previous_year.area_code

)

select
    cast(financial_year as varchar) as financial_year,
    cast(area_level as varchar) as area_level,
    cast(area_code as varchar) as area_code,
    cast(area_name as varchar) as area_name,
    cast(la_code as varchar) as la_code,
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
