{#-
    Repeat victims and suspects of RASSO (000 para 26; 001: repeat offenders): per
    financial year recorded, offence scope and role, the persons (by the force's
    person_ref) in that year's crimes, those in two or more of them (repeat within the
    year), and those already in an earlier year's RASSO crime (seen before).
-#}
with

people as (

    select * from {{ ref('int_police__crime_people') }}

),

rasso as (

    select
        crime_ref,
        financial_year,
        recorded_date,
        is_rape
    from {{ ref('fct_rasso') }}

),

years as (

    select distinct
        financial_year,
        offence_scope
    from {{ ref('mart_rasso__outcomes_by_year') }}

),

records as (

    select
        rasso.financial_year,
        rasso.recorded_date,
        scopes.offence_scope,
        people.role,
        people.person_ref,
        people.crime_ref
    from people
    inner join rasso
        on people.crime_ref = rasso.crime_ref
    inner join (values ('rape'), ('rasso')) as scopes (offence_scope)
        on scopes.offence_scope = 'rasso' or rasso.is_rape

),

persons as (

    select
        financial_year,
        offence_scope,
        role,
        person_ref,
        count(distinct crime_ref) as crimes,
        min(recorded_date) as first_recorded_date
    from records
    group by financial_year, offence_scope, role, person_ref

),

first_seen as (

    select
        offence_scope,
        role,
        person_ref,
        min(financial_year) as first_financial_year
    from records
    group by offence_scope, role, person_ref

),

counted as (

    select
        persons.financial_year,
        persons.offence_scope,
        persons.role,
        count(*) as persons,
        count(*) filter (where persons.crimes >= 2) as repeat_persons,
        sum(persons.crimes) filter (where persons.crimes >= 2) as crimes_of_repeat_persons,
        count(*) filter (where first_seen.first_financial_year < persons.financial_year)
            as persons_seen_before
    from persons
    inner join first_seen
        on
            persons.offence_scope = first_seen.offence_scope
            and persons.role = first_seen.role
            and persons.person_ref = first_seen.person_ref
    group by persons.financial_year, persons.offence_scope, persons.role

),

roles as (

    select roles.* from (values ('victim'), ('suspect')) as roles (role)

)

select
    cast(years.financial_year as {{ type_text() }}) as financial_year,
    cast(years.offence_scope as {{ type_text() }}) as offence_scope,
    cast(roles.role as {{ type_text() }}) as role,
    cast(coalesce(counted.persons, 0) as bigint) as persons,
    cast(coalesce(counted.repeat_persons, 0) as bigint) as repeat_persons,
    cast({{ share('counted.repeat_persons', 'counted.persons') }} as double) as repeat_share,
    cast(coalesce(counted.crimes_of_repeat_persons, 0) as bigint) as crimes_of_repeat_persons,
    cast(coalesce(counted.persons_seen_before, 0) as bigint) as persons_seen_before
from years
cross join roles
left join counted
    on
        years.financial_year = counted.financial_year
        and years.offence_scope = counted.offence_scope
        and roles.role = counted.role
