{#-
    CSP locality profile: serious violence recorded in each neighbourhood policing area
    (NPA) of the CSP's beats, restricted to those beats, and in the CSP as a whole (`all`),
    for every period of every export quarter's window (int_publish__windows), with a rate
    per 1,000 where the population of the NPA's part in the CSP can be known. An NPA
    outside Leicester is a union of whole districts (ref_beats: Harborough and Wigston =
    Harborough + Oadby and Wigston, Hinckley and Blaby, Melton and Rutland, ...), so its
    part in a CSP is the CSP's districts in it, whose populations are known
    (int_geography__area_populations, for the export quarter's financial year); a part
    holding any district split between NPAs (Leicester: City Centre, East, South and West
    Leicester) has no population estimate, and its population and rate are null. A crime
    belongs to the NPA and CSP its beat maps to and counts by recorded_date. Every NPA of
    the CSP is present in every period (0 when none). Figures before disclosure control.
-#}
with

partners as (

    select * from {{ ref('ref_csp_partners') }}

),

geography as (

    select * from {{ ref('dim_geography') }}

),

district_npas as (

    -- How many NPAs each district's beats lie in: 1 = the district is wholly in one NPA.
    select
        district_code,
        count(distinct npa_name) as npa_count
    from geography
    group by district_code

),

npa_parts as (

    -- Each CSP's NPAs (the NPAs of its beats) by name, with the districts of the part.
    select
        partners.partner,
        partners.csp_name,
        geography.npa_name,
        {{ list_agg('distinct geography.district_code') }} as district_codes,
        bool_and(district_npas.npa_count = 1) as is_whole_districts
    from partners
    inner join geography
        on partners.csp_name = geography.csp_name
    inner join district_npas
        on geography.district_code = district_npas.district_code
    group by all

),

areas as (

    select
        partner,
        csp_name,
        npa_name,
        district_codes,
        is_whole_districts,
        row_number() over (partition by partner order by npa_name) as npa_order
    from npa_parts

    union all

    select
        partner,
        csp_name,
        'all' as npa_name,
        null as district_codes,
        true as is_whole_districts,
        1000 as npa_order
    from partners

),

monthly as (

    select
        csp_name,
        npa_name,
        recorded_month as month,
        count(*) as offences
    from {{ ref('fct_serious_violence') }}
    group by all

),

grid as (

    {{ publish_window_grid(['areas']) }}

),

counted as (

    {{ sum_months_into_periods(
        'grid', 'monthly', ['offences'], match_on=['csp_name'], category='npa_name'
    ) }}

),

with_population as (

    select
        counted.*,
        case
            when counted.npa_name = 'all'
                then (
                    select populations.population
                    from {{ ref('int_geography__area_populations') }} as populations
                    where
                        populations.financial_year = counted.financial_year
                        and populations.area_level = 'csp'
                        and populations.area_code = counted.csp_name
                )
            when counted.is_whole_districts
                then (
                    select sum(populations.population)
                    from {{ ref('int_geography__area_populations') }} as populations
                    where
                        populations.financial_year = counted.financial_year
                        and populations.area_level = 'district'
                        and {{ list_has('counted.district_codes', 'populations.area_code') }}
                )
        end as population
    from counted

)

select
    {{ publish_period_columns(per_partner=true) }},
    cast(npa_name as {{ type_text() }}) as npa_name,
    cast(offences as bigint) as offences,
    cast(population as bigint) as population,
    {{ rate_per_1000_of('offences', 'population') }} as rate_per_1000,
    {{ publish_period_bookkeeping(['period_order', 'npa_order'], per_partner=true) }}
from with_population
