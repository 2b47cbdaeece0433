{#-
    pub_sna_people_rates publishes mart_rates_by_age_sex's rows as they are (its
    `unknown` age band and `other` sex are the remainders of `all`, and the margins'
    tests check those add up): every other row equals the mart's, and every complete
    year of the mart is published. Fails with each row that differs or is left out.
-#}

-- A check on the model it tests in Dagster (it reads several models).
{{ config(meta={'dagster': {'ref': {'name': 'pub_sna_people_rates'}}}) }}
with

published as (

    select * from {{ ref('pub_sna_people_rates') }}
    where age_band != 'unknown' and sex != 'other'

),

years as (

    select distinct
        export_quarter,
        financial_year
    from published

)

select
    years.export_quarter,
    mart.financial_year,
    mart.role,
    mart.age_band,
    mart.sex,
    published.persons,
    mart.persons as mart_persons
from years
inner join {{ ref('mart_rates_by_age_sex') }} as mart
    on years.financial_year = mart.financial_year
left join published
    on
        years.export_quarter = published.export_quarter
        and mart.financial_year = published.financial_year
        and mart.role = published.role
        and mart.age_band = published.age_band
        and mart.sex = published.sex
where
    published.persons is distinct from mart.persons
    or published.population is distinct from mart.population
    or published.rate_per_1000 is distinct from {{ round_half_even('mart.rate_per_1000', 3) }}
