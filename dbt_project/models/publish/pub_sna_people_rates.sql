{#-
    Strategic needs assessment profile (opcc): victims and suspects of serious violence
    per 1,000 LLR residents by age band and sex, from mart_rates_by_age_sex (distinct
    linked persons, each in the band and sex of their first crime of the year), for each
    financial year complete by the export quarter (publish_complete_financial_years: a
    year still running would count days after it). The mart counts a person of unknown
    age, or of sex X or U, only in `all`; so that the bands and sexes add up to `all`
    (and disclosure control can protect them), the remainders are published as age band
    `unknown` and sex `other` (all - the bands; all - M - F), with no population or
    rate. Figures before disclosure control.
-#}
with

years as (

    {{ publish_complete_financial_years() }}

),

rates as (

    select * from {{ ref('mart_rates_by_age_sex') }}

),

band_orders as (

    select
        age_band,
        band_order
    from {{ ref('ref_age_bands') }}

    union all

    select
        'unknown' as age_band,
        900 as band_order

    union all

    select
        'all' as age_band,
        1000 as band_order

),

with_unknown_age as (

    -- The mart's rows, and per sex the persons of no age band: `all` - the bands.
    select
        financial_year,
        role,
        age_band,
        sex,
        persons,
        population,
        rate_per_1000
    from rates

    union all

    select
        financial_year,
        role,
        'unknown' as age_band,
        sex,
        sum(persons) filter (where age_band = 'all')
        - coalesce(sum(persons) filter (where age_band != 'all'), 0) as persons,
        null as population,
        null as rate_per_1000
    from rates
    group by financial_year, role, sex

),

with_other_sex as (

    -- ... and per age band the persons neither M nor F: `all` - M - F.
    select * from with_unknown_age

    union all

    select
        financial_year,
        role,
        age_band,
        'other' as sex,
        sum(persons) filter (where sex = 'all')
        - coalesce(sum(persons) filter (where sex in ('M', 'F')), 0) as persons,
        null as population,
        null as rate_per_1000
    from with_unknown_age
    group by financial_year, role, age_band

)

select
    cast(years.export_quarter as {{ type_text() }}) as export_quarter,
    cast(years.financial_year as {{ type_text() }}) as financial_year,
    cast(people.role as {{ type_text() }}) as role,
    cast(people.age_band as {{ type_text() }}) as age_band,
    cast(people.sex as {{ type_text() }}) as sex,
    cast(people.persons as bigint) as persons,
    cast(people.population as bigint) as population,
    cast({{ round_half_even('people.rate_per_1000', 3) }} as double) as rate_per_1000,
    {{ publish_bookkeeping('years.year_start', 'years.year_end') }},
    cast(
        row_number() over (
            partition by years.export_quarter
            order by
                years.year_order,
                people.role = 'suspect',
                band_orders.band_order,
                case people.sex when 'M' then 1 when 'F' then 2 when 'other' then 3 else 4 end
        ) as integer
    ) as row_order
from years
inner join with_other_sex as people
    on years.financial_year = people.financial_year
inner join band_orders
    on people.age_band = band_orders.age_band
