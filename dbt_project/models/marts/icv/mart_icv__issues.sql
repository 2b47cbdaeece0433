{#-
    Issues raised at ICV visits per financial year and category (003 ICV report paras
    37-40: food and drink most reported, then cell condition): visits at which the
    category was raised, its share of all visits and its rank. Every category appears,
    0 when none.
-#}
with

visits as (

    select * from {{ ref('fct_icv_visit') }}

),

issues as (

    select * from {{ ref('int_opcc__icv_visit_issues') }}

),

years as (

    select
        financial_year,
        visits
    from {{ ref('mart_icv__visits_vs_target') }}
    where suite_code = 'all'

),

categories as (

    select * from {{ ref('ref_icv_issue_categories') }}

),

counted as (

    select
        visits.financial_year,
        issues.issue_category,
        count(distinct visits.visit_ref) as visits_reporting
    from issues
    inner join visits
        on issues.visit_ref = visits.visit_ref
    group by visits.financial_year, issues.issue_category

),

filled as (

    select
        years.financial_year,
        years.visits,
        categories.issue_category,
        categories.description,
        categories.category_order,
        coalesce(counted.visits_reporting, 0) as visits_reporting
    from years
    cross join categories
    left join counted
        on
            years.financial_year = counted.financial_year
            and categories.issue_category = counted.issue_category

)

select
    cast(financial_year as {{ type_text() }}) as financial_year,
    cast(issue_category as {{ type_text() }}) as issue_category,
    cast(description as {{ type_text() }}) as issue_description,
    cast(visits_reporting as bigint) as visits_reporting,
    cast({{ share('visits_reporting', 'visits') }} as double) as share_of_visits,
    cast(
        rank() over (partition by financial_year order by visits_reporting desc) as integer
    ) as rank_in_year,
    cast(category_order as integer) as category_order
from filled
