{#-
    Distinct linked persons in recorded, not cancelled serious violence per financial
    year, role, age band and sex, with the LLR population of that band and sex and the
    rate per 1,000 residents (DESIGN.md, "The three marts of people and forces"). A
    person is counted once a year and role, in the band and sex of their first crime of
    the year (earliest recorded_date, then offence_from, then crime_ref); an unknown age,
    or sex X or U, counts only in `all`. Population: the ONS mid-year estimate at the
    start of the financial year (mid-Y for Y-(Y+1)), else the nearest mid-year loaded.
    Every combination is present, 0 when none.
-#}
with

involvements as (

    select * from {{ ref('int_people__domain_involvements') }}
    where domain = 'serious_violence'

),

age_bands as (

    select * from {{ ref('ref_age_bands') }}

),

population_by_age_sex as (

    select * from {{ ref('ref_population_age_sex') }}

),

coverage as (

    select * from {{ ref('int_coverage__periods') }}

),

financial_years as (

    select financial_year from coverage
    where source = 'police' and entity = 'crimes'

    union

    select financial_year from involvements

),

first_crimes as (

    -- person_ref last: the same person twice in one crime in one role is placed by one
    -- of their records, always the same one.
    select *
    from involvements
    qualify row_number() over (
            partition by financial_year, role, person_key
            order by recorded_date, offence_from, crime_ref, person_ref
        ) = 1

),

placed as (

    select
        first_crimes.financial_year,
        first_crimes.role,
        first_crimes.person_key,
        age_bands.age_band,
        case when first_crimes.sex in ('M', 'F') then first_crimes.sex end as sex
    from first_crimes
    left join age_bands
        on
            first_crimes.age >= age_bands.age_from
            and (age_bands.age_to is null or first_crimes.age <= age_bands.age_to)

),

persons_by_cell as (

    select
        cells.financial_year,
        cells.role,
        cells.age_band,
        cells.sex,
        count(distinct cells.person_key) as persons
    from (
        -- each person in their band and sex, in `all` bands, in `all` sexes, and in both
        select
            placed.financial_year,
            placed.role,
            placed.person_key,
            case when totals.all_bands then 'all' else placed.age_band end as age_band,
            case when totals.all_sexes then 'all' else placed.sex end as sex
        from placed
        cross join
            (values (false, false), (false, true), (true, false), (true, true))
                as totals (all_bands, all_sexes)
    ) as cells
    where cells.age_band is not null and cells.sex is not null
    group by cells.financial_year, cells.role, cells.age_band, cells.sex

),

mid_years as (

    select distinct mid_year from population_by_age_sex

),

-- The mid-year at the start of each financial year, else the nearest loaded (the earlier
-- of two equally near).
population_years as (

    select
        financial_years.financial_year,
        mid_years.mid_year
    from financial_years
    cross join mid_years
    qualify row_number() over (
            partition by financial_years.financial_year
            order by
                abs(mid_years.mid_year - cast(left(financial_years.financial_year, 4) as integer)),
                mid_years.mid_year
        ) = 1

),

population_by_band as (

    select
        population_by_age_sex.mid_year,
        age_bands.age_band,
        population_by_age_sex.sex,
        population_by_age_sex.population
    from population_by_age_sex
    inner join age_bands
        on
            population_by_age_sex.age >= age_bands.age_from
            and (age_bands.age_to is null or population_by_age_sex.age <= age_bands.age_to)

),

population_by_cell as (

    select
        cells.mid_year,
        cells.age_band,
        cells.sex,
        sum(cells.population) as population
    from (
        select
            population_by_band.mid_year,
            population_by_band.population,
            case
                when totals.all_bands then 'all' else population_by_band.age_band
            end as age_band,
            case when totals.all_sexes then 'all' else population_by_band.sex end as sex
        from population_by_band
        cross join
            (values (false, false), (false, true), (true, false), (true, true))
                as totals (all_bands, all_sexes)
    ) as cells
    group by cells.mid_year, cells.age_band, cells.sex

),

roles as (

    select roles.* from (values ('victim'), ('suspect')) as roles (role)

),

bands as (

    select age_band from age_bands

    union all

    select 'all' as age_band

),

sexes as (

    select sexes.* from (values ('M'), ('F'), ('all')) as sexes (sex)

),

spine as (

    select
        population_years.financial_year,
        population_years.mid_year,
        roles.role,
        bands.age_band,
        sexes.sex
    from population_years
    cross join roles
    cross join bands
    cross join sexes

),

filled as (

    select
        spine.financial_year,
        spine.role,
        spine.age_band,
        spine.sex,
        coalesce(persons_by_cell.persons, 0) as persons,
        population_by_cell.population,
        spine.mid_year
    from spine
    left join persons_by_cell
        on
            spine.financial_year = persons_by_cell.financial_year
            and spine.role = persons_by_cell.role
            and spine.age_band = persons_by_cell.age_band
            and spine.sex = persons_by_cell.sex
    left join population_by_cell
        on
            spine.mid_year = population_by_cell.mid_year
            and spine.age_band = population_by_cell.age_band
            and spine.sex = population_by_cell.sex

)

select
    cast(financial_year as {{ type_text() }}) as financial_year,
    cast(role as {{ type_text() }}) as role,
    cast(age_band as {{ type_text() }}) as age_band,
    cast(sex as {{ type_text() }}) as sex,
    cast(persons as bigint) as persons,
    cast(population as bigint) as population,
    cast({{ rate_per_1000('persons', 'population') }} as double) as rate_per_1000,
    cast({{ share('persons', 'population') }} as double) as share_of_residents,
    cast(mid_year as integer) as population_mid_year
from filled
