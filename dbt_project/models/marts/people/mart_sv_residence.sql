{#-
    Where victims and suspects of serious violence live (003 SNA, "Perpetrators" and
    "Victims": "Residency: West Leicester, followed by East Leicester, Charnwood ..."): per
    financial year, role and home postcode district (`unknown` when blank), the linked
    persons and the crimes. Crimes are recorded, not cancelled serious violence placed in
    the financial year of recorded_date (fct_serious_violence). A person is placed in the
    district given on their first crime of the year in that role (earliest recorded_date,
    then offence_from, then crime_ref), so each person counts once and the year's shares
    add up to 1; a crime counts in every district one of its people of that role gave.
    Every year x role x district seen in any year is present (0 when none).
-#}
with

serious_violence as (

    select
        crime_ref,
        financial_year,
        recorded_date
    from {{ ref('fct_serious_violence') }}

),

crime_people as (

    select
        crime_ref,
        person_ref,
        role,
        offence_from,
        coalesce(nullif(trim(upper(postcode_district)), ''), 'unknown')
            as postcode_district
    from {{ ref('int_police__crime_people') }}

),

involvements as (

    select
        crime_ref,
        person_ref,
        role,
        person_key
    from {{ ref('int_people__crime_involvements') }}

),

records as (

    select
        serious_violence.financial_year,
        crime_people.role,
        crime_people.postcode_district,
        crime_people.crime_ref,
        involvements.person_key,
        row_number() over (
            partition by
                serious_violence.financial_year, crime_people.role,
                involvements.person_key
            order by
                serious_violence.recorded_date,
                crime_people.offence_from,
                crime_people.crime_ref,
                crime_people.postcode_district
        ) as crime_of_year
    from crime_people
    inner join serious_violence
        on crime_people.crime_ref = serious_violence.crime_ref
    inner join involvements
        on
            crime_people.crime_ref = involvements.crime_ref
            and crime_people.person_ref = involvements.person_ref
            and crime_people.role = involvements.role
    where involvements.person_key is not null

),

persons as (

    select
        financial_year,
        role,
        postcode_district,
        count(*) as persons
    from records
    where crime_of_year = 1
    group by financial_year, role, postcode_district

),

crimes as (

    select
        financial_year,
        role,
        postcode_district,
        count(distinct crime_ref) as crimes
    from records
    group by financial_year, role, postcode_district

),

grid as (

    select
        years.financial_year,
        roles.role,
        districts.postcode_district
    from (select distinct financial_year from serious_violence) as years
    cross join (values ('victim'), ('suspect')) as roles (role)
    cross join (select distinct postcode_district from records) as districts

),

counted as (

    select
        grid.financial_year,
        grid.role,
        grid.postcode_district,
        coalesce(persons.persons, 0) as persons,
        coalesce(crimes.crimes, 0) as crimes
    from grid
    left join persons
        on
            grid.financial_year = persons.financial_year
            and grid.role = persons.role
            and grid.postcode_district = persons.postcode_district
    left join crimes
        on
            grid.financial_year = crimes.financial_year
            and grid.role = crimes.role
            and grid.postcode_district = crimes.postcode_district

)

select
    cast(financial_year as {{ type_text() }}) as financial_year,
    cast(role as {{ type_text() }}) as role,
    cast(postcode_district as {{ type_text() }}) as postcode_district,
    cast(persons as bigint) as persons,
    cast(crimes as bigint) as crimes,
    cast(
        {{ share('persons', 'sum(persons) over (partition by financial_year, role)') }}
        as double
    ) as share_of_role_persons
from counted
