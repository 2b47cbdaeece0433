{#-
    At Q4 the rolling 12 months of pub_sv_by_neighbourhood are the financial year: each
    NPA's offences summed over the CSPs (an NPA may span two CSPs, each receiving its own
    beats) equal mart_sna__sv_by_neighbourhood's for that year, counted there
    independently for LLR; and no NPA is left out. Rows drawing on a missing file are
    published as `[x]`: nothing to reconcile. Fails with each NPA and year that differ.
-#}

-- A check on the model it tests in Dagster (it reads several models).
{{ config(meta={'dagster': {'ref': {'name': 'pub_sv_by_neighbourhood'}}}) }}
with

published as (

    select
        export_quarter,
        left(export_quarter, 7) as financial_year,
        npa_name,
        sum(offences) as offences
    from {{ ref('pub_sv_by_neighbourhood') }}
    where is_sum_of_periods and missing is null and npa_name != 'all'
    group by all

),

by_year as (

    select
        financial_year,
        area_code as npa_name,
        offences
    from {{ ref('mart_sna__sv_by_neighbourhood') }}
    where area_level = 'npa' and period = financial_year

)

select
    published.export_quarter,
    coalesce(published.npa_name, by_year.npa_name) as npa_name,
    published.offences,
    by_year.offences as mart_offences
from published
full join by_year
    on
        published.financial_year = by_year.financial_year
        and published.npa_name = by_year.npa_name
where
    by_year.financial_year in (
        select published_years.financial_year from published as published_years
    )
    and published.offences is distinct from by_year.offences
