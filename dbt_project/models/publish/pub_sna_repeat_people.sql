{#-
    Strategic needs assessment profile (opcc): repeat victims and suspects, from
    mart_repeat_people (distinct linked persons per financial year, role and domain:
    serious violence, domestic abuse, RASSO), for each financial year complete by the
    export quarter (publish_complete_financial_years). persons_again_12m (another such
    crime within 365 days of the first of the year) is left null when those 365 days
    run past the export quarter's end, so that the figure does not depend on data the
    export quarter does not cover. Figures before disclosure control.
-#}
with

years as (

    {{ publish_complete_financial_years() }}

),

repeats as (

    select * from {{ ref('mart_repeat_people') }}

),

published as (

    select
        years.export_quarter,
        years.financial_year,
        years.year_start,
        years.year_end,
        years.year_order,
        repeats.role,
        repeats.domain,
        repeats.persons,
        repeats.persons_repeat,
        case
            when years.year_end + interval 365 day <= years.export_quarter_end
                then repeats.persons_again_12m
        end as persons_again_12m
    from years
    inner join repeats
        on years.financial_year = repeats.financial_year

)

select
    cast(export_quarter as {{ type_text() }}) as export_quarter,
    cast(financial_year as {{ type_text() }}) as financial_year,
    cast(role as {{ type_text() }}) as role,
    cast(domain as {{ type_text() }}) as domain,
    cast(persons as bigint) as persons,
    cast(persons_repeat as bigint) as persons_repeat,
    cast({{ round_half_even(share('persons_repeat', 'persons'), 4) }} as double) as share_repeat,
    cast(persons_again_12m as bigint) as persons_again_12m,
    cast({{ round_half_even(share('persons_again_12m', 'persons'), 4) }} as double)
        as share_again_12m,
    {{ publish_bookkeeping(
        'year_start',
        "case when persons_again_12m is not null then year_end + interval 365 day else year_end end"
    ) }},
    cast(
        row_number() over (
            partition by export_quarter
            order by
                year_order,
                role = 'suspect',
                case domain when 'serious_violence' then 1 when 'domestic_abuse' then 2 else 3 end
        ) as integer
    ) as row_order
from published
