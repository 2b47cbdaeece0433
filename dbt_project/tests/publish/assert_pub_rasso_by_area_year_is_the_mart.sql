{#-
    At Q4 the rolling 12 months of pub_rasso_by_area are the financial year: each
    district's and the CSP's (area_level `csp`) figures equal mart_rasso__by_area,
    counted there independently (by area level from fct_rasso, not from the monthly
    sums). Rows drawing on a missing file are published as `[x]`: nothing to reconcile.
    Fails with each row that differs, or whose year and area the mart does not have.
-#}

-- A check on the model it tests in Dagster (it reads several models).
{{ config(meta={'dagster': {'ref': {'name': 'pub_rasso_by_area'}}}) }}
with

published as (

    select
        left(published.export_quarter, 7) as financial_year,
        published.*,
        case
            when published.area_level = 'csp' then partners.csp_name
            else published.area_code
        end as mart_area_code
    from {{ ref('pub_rasso_by_area') }} as published
    inner join {{ ref('ref_csp_partners') }} as partners
        on published.partner = partners.partner
    where published.is_sum_of_periods and published.missing is null

),

by_year as (

    select * from {{ ref('mart_rasso__by_area') }}

)

select
    published.export_quarter,
    published.partner,
    published.area_code,
    published.rasso_offences,
    by_year.rasso_offences as mart_rasso_offences,
    published.rapes,
    by_year.rapes as mart_rapes,
    published.charge_rate,
    by_year.charge_rate as mart_charge_rate
from published
left join by_year
    on
        published.financial_year = by_year.financial_year
        and published.area_level = by_year.area_level
        and published.mart_area_code = by_year.area_code
where
    published.rasso_offences is distinct from by_year.rasso_offences
    or published.rapes is distinct from by_year.rapes
    or published.rapes_charged is distinct from by_year.rapes_charged
    or published.rapes_victim_not_supporting is distinct from by_year.rapes_victim_not_supporting
    or published.rapes_under_investigation is distinct from by_year.rapes_under_investigation
    or published.population is distinct from by_year.population
    or published.rate_per_1000 is distinct from {{ round_half_even('by_year.rate_per_1000', 3) }}
    or published.charge_rate is distinct from {{ round_half_even('by_year.charge_rate', 4) }}
