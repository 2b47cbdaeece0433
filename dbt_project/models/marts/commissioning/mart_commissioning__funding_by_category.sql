{#-
    OPCC funding per financial year and service category (sexual violence, domestic
    abuse, victim services, prevention) with its share of the year. Every category
    appears for every year funding was sent, 0 when none.
-#}
with

funding as (

    select * from {{ ref('fct_commissioned_funding') }}

),

categories as (

    select categories.*
    from (
        values
        ('sexual_violence', 1), ('domestic_abuse', 2), ('victim_services', 3),
        ('prevention', 4)
    ) as categories (service_category, category_order)

),

years as (

    select distinct financial_year from funding

),

summed as (

    select
        financial_year,
        service_category,
        sum(amount_gbp) as amount_gbp,
        count(distinct provider) as providers
    from funding
    group by financial_year, service_category

),

filled as (

    select
        years.financial_year,
        categories.service_category,
        categories.category_order,
        coalesce(summed.amount_gbp, 0) as amount_gbp,
        coalesce(summed.providers, 0) as providers
    from years
    cross join categories
    left join summed
        on
            years.financial_year = summed.financial_year
            and categories.service_category = summed.service_category

)

select
    cast(financial_year as {{ type_text() }}) as financial_year,
    cast(service_category as {{ type_text() }}) as service_category,
    cast(category_order as integer) as category_order,
    cast(amount_gbp as double) as amount_gbp,
    cast(
        {{ share('amount_gbp', 'sum(amount_gbp) over (partition by financial_year)') }} as double
    ) as share_of_year,
    cast(providers as integer) as providers
from filled
