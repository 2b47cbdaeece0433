{#-
    Repeat victims and suspects per financial year, role and domain (DESIGN.md, "The
    three marts of people and forces"): linked persons in the year's recorded, not
    cancelled crimes of the domain, those in two or more of them (persons_repeat), and
    those with another crime of the domain, same role, recorded 0-365 days after their
    first of the year (persons_again_12m; it may fall in the next financial year; a crime
    on the same day counts if it is another crime). The end of the data is the last day
    of the last police crimes quarter loaded: persons_again_12m is null for a year whose
    last day plus 365 days runs past it. Every combination is present, 0 when none.
-#}
with

involvements as (

    select * from {{ ref('int_people__domain_involvements') }}

),

coverage as (

    select * from {{ ref('int_coverage__periods') }}
    where source = 'police' and entity = 'crimes'

),

data_end as (

    select max(period_end) as data_end_date from coverage

),

financial_years as (

    select financial_year from coverage

    union

    select financial_year from involvements

),

person_years as (

    select
        financial_year,
        domain,
        role,
        person_key,
        count(distinct crime_ref) as crimes
    from involvements
    group by financial_year, domain, role, person_key

),

first_crimes as (

    select
        financial_year,
        domain,
        role,
        person_key,
        crime_ref as first_crime_ref,
        recorded_date as first_recorded_date
    from involvements
    qualify row_number() over (
            partition by financial_year, domain, role, person_key
            order by recorded_date, offence_from, crime_ref
        ) = 1

),

again_within_12m as (

    select distinct
        first_crimes.financial_year,
        first_crimes.domain,
        first_crimes.role,
        first_crimes.person_key
    from first_crimes
    inner join involvements as later
        on
            first_crimes.domain = later.domain
            and first_crimes.role = later.role
            and first_crimes.person_key = later.person_key
            and first_crimes.first_crime_ref != later.crime_ref
            and first_crimes.first_recorded_date <= later.recorded_date
            and later.recorded_date <= first_crimes.first_recorded_date + 365

),

counted as (

    select
        person_years.financial_year,
        person_years.domain,
        person_years.role,
        count(*) as persons,
        count(*) filter (where person_years.crimes >= 2) as persons_repeat,
        count(again_within_12m.person_key) as persons_again_12m
    from person_years
    left join again_within_12m
        on
            person_years.financial_year = again_within_12m.financial_year
            and person_years.domain = again_within_12m.domain
            and person_years.role = again_within_12m.role
            and person_years.person_key = again_within_12m.person_key
    group by person_years.financial_year, person_years.domain, person_years.role

),

roles as (

    select roles.* from (values ('victim'), ('suspect')) as roles (role)

),

domains as (

    select domains.*
    from (values ('serious_violence'), ('domestic_abuse'), ('rasso')) as domains (domain)

),

spine as (

    select
        financial_years.financial_year,
        roles.role,
        domains.domain,
        data_end.data_end_date,
        {{ period_end('financial_years.financial_year', 'financial_year') }} + 365
        <= data_end.data_end_date as is_12m_followed
    from financial_years
    cross join roles
    cross join domains
    cross join data_end

),

filled as (

    select
        spine.financial_year,
        spine.role,
        spine.domain,
        coalesce(counted.persons, 0) as persons,
        coalesce(counted.persons_repeat, 0) as persons_repeat,
        case
            when spine.is_12m_followed then coalesce(counted.persons_again_12m, 0)
        end as persons_again_12m,
        spine.data_end_date
    from spine
    left join counted
        on
            spine.financial_year = counted.financial_year
            and spine.role = counted.role
            and spine.domain = counted.domain

)

select
    cast(financial_year as {{ type_text() }}) as financial_year,
    cast(role as {{ type_text() }}) as role,
    cast(domain as {{ type_text() }}) as domain,
    cast(persons as bigint) as persons,
    cast(persons_repeat as bigint) as persons_repeat,
    cast({{ share('persons_repeat', 'persons') }} as double) as share_repeat,
    cast(persons_again_12m as bigint) as persons_again_12m,
    cast({{ share('persons_again_12m', 'persons') }} as double) as share_again_12m,
    cast(data_end_date as date) as data_end_date
from filled
