{#-
    Hate crime per financial year for LLR, each upper-tier authority, district and CSP,
    by ONS offence group (ref_offence_codes.ons_offence_group) and for all offences
    (`all`): every recorded, not cancelled crime flagged `flag_hate = Y`, of any offence
    (not only serious violence), counted by recorded_date in the area its beat maps to
    (ref_beats seed). With the rate per 1,000 residents (population as mart_sv_by_area:
    int_geography__area_populations) and the share that is serious violence (the SV
    definition, ref_offence_codes.sv_group). Every year the crime data cover × area ×
    offence group is present, 0 when none.
-#}
with

recorded_crimes as (

    select * from {{ ref('int_police__recorded_crimes') }}

),

populations as (

    select * from {{ ref('int_geography__area_populations') }}

),

coverage as (

    select * from {{ ref('int_coverage__periods') }}

),

offence_groups as (

    select distinct ons_offence_group as offence_group
    from {{ ref('ref_offence_codes') }}
    where ons_offence_group is not null

    union all

    select 'all' as offence_group

),

hate_crimes as (

    select
        financial_year,
        ons_offence_group,
        is_serious_violence,
        la_code,
        district_code,
        csp_name
    from recorded_crimes
    where is_hate

),

placed as (

    -- Each crime once per level of area it is counted in.
    select
        financial_year,
        'llr' as area_level,
        'LLR' as area_code,
        ons_offence_group,
        is_serious_violence
    from hate_crimes

    union all

    select
        financial_year,
        'la' as area_level,
        la_code as area_code,
        ons_offence_group,
        is_serious_violence
    from hate_crimes
    where la_code is not null

    union all

    select
        financial_year,
        'district' as area_level,
        district_code as area_code,
        ons_offence_group,
        is_serious_violence
    from hate_crimes
    where district_code is not null

    union all

    select
        financial_year,
        'csp' as area_level,
        csp_name as area_code,
        ons_offence_group,
        is_serious_violence
    from hate_crimes
    where csp_name is not null

),

counted as (

    select
        financial_year,
        area_level,
        area_code,
        ons_offence_group as offence_group,
        count(*) as offences,
        count(*) filter (where is_serious_violence) as serious_violence_offences
    from placed
    group by financial_year, area_level, area_code, ons_offence_group

    union all

    -- `all`: every hate crime of the area, whatever its group.
    select
        financial_year,
        area_level,
        area_code,
        'all' as offence_group,
        count(*) as offences,
        count(*) filter (where is_serious_violence) as serious_violence_offences
    from placed
    group by financial_year, area_level, area_code

),

financial_years as (

    select financial_year from coverage
    where source = 'police' and entity = 'crimes'

    union

    select financial_year from hate_crimes

),

spine as (

    select
        populations.*,
        offence_groups.offence_group
    from populations
    inner join financial_years
        on populations.financial_year = financial_years.financial_year
    cross join offence_groups

),

filled as (

    select
        spine.financial_year,
        spine.area_level,
        spine.area_code,
        spine.area_name,
        spine.la_code,
        spine.offence_group,
        spine.population,
        coalesce(counted.offences, 0) as offences,
        coalesce(counted.serious_violence_offences, 0) as serious_violence_offences
    from spine
    left join counted
        on
            spine.financial_year = counted.financial_year
            and spine.area_level = counted.area_level
            and spine.area_code = counted.area_code
            and spine.offence_group = counted.offence_group

)

select
    cast(financial_year as {{ type_text() }}) as financial_year,
    cast(area_level as {{ type_text() }}) as area_level,
    cast(area_code as {{ type_text() }}) as area_code,
    cast(area_name as {{ type_text() }}) as area_name,
    cast(la_code as {{ type_text() }}) as la_code,
    cast(offence_group as {{ type_text() }}) as offence_group,
    cast(offences as bigint) as offences,
    cast(population as bigint) as population,
    cast({{ rate_per_1000('offences', 'population') }} as double) as rate_per_1000,
    cast(serious_violence_offences as bigint) as serious_violence_offences,
    cast({{ share('serious_violence_offences', 'offences') }} as double)
        as serious_violence_share
from filled
