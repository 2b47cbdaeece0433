{#-
    At Q4 the rolling 12 months of pub_sv_headlines are the financial year: the CSP's
    serious violence (with its population), RASSO and hate crime equal the yearly marts
    that count them independently (mart_sv_by_area, mart_rasso__by_area, mart_hate_crime,
    area_level `csp`), and the year earlier, where known, is the mart's year before. Rows
    drawing on a missing file are published as `[x]`: nothing to reconcile. Fails with
    each row that differs, or whose year the mart does not have.
-#}

-- A check on the model it tests in Dagster (it reads several models).
{{ config(meta={'dagster': {'ref': {'name': 'pub_sv_headlines'}}}) }}
with

published as (

    select
        left(published.export_quarter, 7) as financial_year,
        published.*,
        partners.csp_name
    from {{ ref('pub_sv_headlines') }} as published
    inner join {{ ref('ref_csp_partners') }} as partners
        on published.partner = partners.partner
    where
        published.is_sum_of_periods
        and published.missing is null
        and published.measure in ('serious_violence', 'rasso', 'hate_crime')

),

by_year as (

    select
        'serious_violence' as measure,
        financial_year,
        area_code,
        offences,
        population
    from {{ ref('mart_sv_by_area') }}
    where area_level = 'csp'

    union all

    select
        'rasso' as measure,
        financial_year,
        area_code,
        rasso_offences as offences,
        population
    from {{ ref('mart_rasso__by_area') }}
    where area_level = 'csp'

    union all

    select
        'hate_crime' as measure,
        financial_year,
        area_code,
        offences,
        null as population
    from {{ ref('mart_hate_crime') }}
    where area_level = 'csp' and offence_group = 'all'

)

select
    published.export_quarter,
    published.partner,
    published.measure,
    published.offences,
    by_year.offences as mart_offences,
    published.offences_year_earlier,
    year_before.offences as mart_offences_year_earlier
from published
left join by_year
    on
        published.measure = by_year.measure
        and published.financial_year = by_year.financial_year
        and published.csp_name = by_year.area_code
left join by_year as year_before
    on
        published.measure = year_before.measure
        and {{ previous_financial_year('published.financial_year') }}
        = year_before.financial_year
        and published.csp_name = year_before.area_code
where
    published.offences is distinct from by_year.offences
    or (
        published.measure != 'hate_crime'
        and published.population is distinct from by_year.population
    )
    or (
        published.offences_year_earlier is not null
        and published.offences_year_earlier is distinct from year_before.offences
    )
