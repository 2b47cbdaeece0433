{#-
    pub_sna_repeat_people publishes mart_repeat_people's rows of the years complete by
    the export quarter: persons and repeats as the mart has them, persons_again_12m too
    once the 365 days after the year have passed by the export quarter's end (else null).
    Fails with each row that differs.
-#}

-- A check on the model it tests in Dagster (it reads several models).
{{ config(meta={'dagster': {'ref': {'name': 'pub_sna_repeat_people'}}}) }}
select
    published.export_quarter,
    published.financial_year,
    published.role,
    published.domain,
    published.persons,
    mart.persons as mart_persons,
    published.persons_again_12m,
    mart.persons_again_12m as mart_persons_again_12m
from {{ ref('pub_sna_repeat_people') }} as published
left join {{ ref('mart_repeat_people') }} as mart
    on
        published.financial_year = mart.financial_year
        and published.role = mart.role
        and published.domain = mart.domain
where
    published.persons is distinct from mart.persons
    or published.persons_repeat is distinct from mart.persons_repeat
    or (
        published.persons_again_12m is not null
        and published.persons_again_12m is distinct from mart.persons_again_12m
    )
