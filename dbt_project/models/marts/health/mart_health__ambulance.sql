{#-
    Ambulance call-outs for assault in LLR per financial year and category, with an
    `all` row (003 SNA: 75% assault/sexual assault, 25% stab/gunshot/penetrating;
    conveyed 52.3% overall and 70.3% for stab/gunshot). A call-out with conveyance not
    recorded counts as not conveyed (blank flag = not flagged).
-#}
with

call_outs as (

    select * from {{ ref('fct_assault_injury') }}
    where source = 'ambulance'

),

years as (

    select financial_year
    from {{ ref('mart_health__summary') }}
    where source = 'ambulance'

),

categories as (

    select categories.*
    from (
        values ('all', 0), ('assault_sexual_assault', 1), ('stab_gunshot_penetrating', 2)
    ) as categories (category, category_order)

),

counted as (

    select
        financial_year,
        means as category,
        count(*) as call_outs,
        count(*) filter (where was_conveyed) as conveyed
    from call_outs
    group by financial_year, means

    union all

    select
        financial_year,
        'all' as category,
        count(*) as call_outs,
        count(*) filter (where was_conveyed) as conveyed
    from call_outs
    group by financial_year

),

filled as (

    select
        years.financial_year,
        categories.category,
        categories.category_order,
        coalesce(counted.call_outs, 0) as call_outs,
        coalesce(counted.conveyed, 0) as conveyed,
        coalesce(max(counted.call_outs) filter (where categories.category = 'all') over (
            partition by years.financial_year
        ), 0) as all_call_outs
    from years
    cross join categories
    left join counted
        on
            years.financial_year = counted.financial_year
            and categories.category = counted.category

)

select
    cast(financial_year as {{ type_text() }}) as financial_year,
    cast(category as {{ type_text() }}) as category,
    cast(call_outs as bigint) as call_outs,
    cast(
        {{ share('call_outs', 'all_call_outs') }} as double
    ) as share_of_call_outs,
    cast(conveyed as bigint) as conveyed,
    cast({{ share('conveyed', 'call_outs') }} as double) as conveyed_rate,
    cast(category_order as integer) as category_order
from filled
