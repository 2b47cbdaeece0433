{#-
    Rape and serious sexual offences (RASSO) per financial year recorded for LLR, each
    upper-tier authority, district and CSP (003 Op Soteria; 000): RASSO crimes and rapes,
    the rate per 1,000 residents, and the rape outcome figures as the force reports them
    (spec/published-figures.md): rapes charged or summonsed (`1`, `1A`) and the charge
    rate, victim does not support (`14`, `16`) and its rate, and rapes still under
    investigation, each over rapes recorded in the year as their outcomes stand at
    extraction. A crime belongs to the district, authority and CSP its beat maps to
    (fct_rasso, from the ref_beats seed). The population is mart_sv_by_area's
    (int_geography__area_populations: ONS mid-year estimate; a CSP's is the sum of its
    districts'). Every area appears for every financial year the crime data cover, 0
    when none.
-#}
with

rasso as (

    select * from {{ ref('fct_rasso') }}

),

populations as (

    select * from {{ ref('int_geography__area_populations') }}

),

coverage as (

    select * from {{ ref('int_coverage__periods') }}

),

placed as (

    -- Each crime once per level of area it is counted in.
    select
        financial_year,
        'llr' as area_level,
        'LLR' as area_code,
        is_rape,
        is_charged,
        is_victim_not_supporting,
        is_under_investigation
    from rasso

    union all

    select
        financial_year,
        'la' as area_level,
        la_code as area_code,
        is_rape,
        is_charged,
        is_victim_not_supporting,
        is_under_investigation
    from rasso
    where la_code is not null

    union all

    select
        financial_year,
        'district' as area_level,
        district_code as area_code,
        is_rape,
        is_charged,
        is_victim_not_supporting,
        is_under_investigation
    from rasso
    where district_code is not null

    union all

    select
        financial_year,
        'csp' as area_level,
        csp_name as area_code,
        is_rape,
        is_charged,
        is_victim_not_supporting,
        is_under_investigation
    from rasso
    where csp_name is not null

),

counted as (

    select
        financial_year,
        area_level,
        area_code,
        count(*) as rasso_offences,
        count(*) filter (where is_rape) as rapes,
        count(*) filter (where is_rape and is_charged) as rapes_charged,
        count(*) filter (where is_rape and is_victim_not_supporting)
            as rapes_victim_not_supporting,
        count(*) filter (where is_rape and is_under_investigation)
            as rapes_under_investigation
    from placed
    group by financial_year, area_level, area_code

),

financial_years as (

    select financial_year from coverage
    where source = 'police' and entity = 'crimes'

    union

    select financial_year from rasso

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
        coalesce(counted.rasso_offences, 0) as rasso_offences,
        coalesce(counted.rapes, 0) as rapes,
        coalesce(counted.rapes_charged, 0) as rapes_charged,
        coalesce(counted.rapes_victim_not_supporting, 0) as rapes_victim_not_supporting,
        coalesce(counted.rapes_under_investigation, 0) as rapes_under_investigation
    from spine
    left join counted
        on
            spine.financial_year = counted.financial_year
            and spine.area_level = counted.area_level
            and spine.area_code = counted.area_code

)

select
    cast(financial_year as {{ type_text() }}) as financial_year,
    cast(area_level as {{ type_text() }}) as area_level,
    cast(area_code as {{ type_text() }}) as area_code,
    cast(area_name as {{ type_text() }}) as area_name,
    cast(la_code as {{ type_text() }}) as la_code,
    cast(rasso_offences as bigint) as rasso_offences,
    cast(rapes as bigint) as rapes,
    cast(population as bigint) as population,
    cast({{ rate_per_1000('rasso_offences', 'population') }} as double) as rate_per_1000,
    cast({{ rate_per_1000('rapes', 'population') }} as double) as rapes_per_1000,
    cast(rapes_charged as bigint) as rapes_charged,
    cast({{ share('rapes_charged', 'rapes') }} as double) as charge_rate,
    cast(rapes_victim_not_supporting as bigint) as rapes_victim_not_supporting,
    cast({{ share('rapes_victim_not_supporting', 'rapes') }} as double)
        as victim_not_supporting_rate,
    cast(rapes_under_investigation as bigint) as rapes_under_investigation,
    cast({{ share('rapes_under_investigation', 'rapes') }} as double)
        as under_investigation_rate
from filled
