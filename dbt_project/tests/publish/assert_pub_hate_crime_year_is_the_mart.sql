{#-
    At Q4 the rolling 12 months of pub_hate_crime are the financial year: each
    district's and the CSP's (area_level `csp`) hate crimes by offence group equal
    mart_hate_crime, counted there independently. Rows drawing on a missing file are
    published as `[x]`: nothing to reconcile. Fails with each row that differs, or whose
    year, area and offence group the mart does not have.
-#}

-- A check on the model it tests in Dagster (it reads several models).
{{ config(meta={'dagster': {'ref': {'name': 'pub_hate_crime'}}}) }}
with

published as (

    select
        left(published.export_quarter, 7) as financial_year,
        published.*,
        case
            when published.area_level = 'csp' then partners.csp_name
            else published.area_code
        end as mart_area_code
    from {{ ref('pub_hate_crime') }} as published
    inner join {{ ref('ref_csp_partners') }} as partners
        on published.partner = partners.partner
    where published.is_sum_of_periods and published.missing is null

),

by_year as (

    select * from {{ ref('mart_hate_crime') }}

)

select
    published.export_quarter,
    published.partner,
    published.area_code,
    published.offence_group,
    published.offences,
    by_year.offences as mart_offences,
    published.serious_violence_offences,
    by_year.serious_violence_offences as mart_serious_violence_offences
from published
left join by_year
    on
        published.financial_year = by_year.financial_year
        and published.area_level = by_year.area_level
        and published.mart_area_code = by_year.area_code
        and published.offence_group = by_year.offence_group
where
    published.offences is distinct from by_year.offences
    or published.serious_violence_offences is distinct from by_year.serious_violence_offences
    or published.rate_per_1000 is distinct from {{ round_half_even('by_year.rate_per_1000', 3) }}
