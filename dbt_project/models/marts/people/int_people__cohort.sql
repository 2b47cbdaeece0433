-- The cohort of the SNA's risk-factor analysis, per subgroup: identified persons who were
-- a suspect, aged under 25 at the offence, in a recorded, not cancelled high-harm crime
-- (DESIGN.md, Cohort). The index date is the offence date of the person's earliest such
-- crime within the subgroup's codes.

with

involvements as (

    select * from {{ ref('int_people__crime_involvements') }}

),

persons as (

    select * from {{ ref('dim_person') }}

),

young_suspects as (

    select involvements.*
    from involvements
    inner join persons
        on involvements.person_key = persons.person_key
            and persons.is_identified
    where
        involvements.role = 'suspect'
        and involvements.age < 25

),

cohort as (

    select
        'all' as subgroup,
        person_key,
        min(offence_date) as index_date
    from young_suspects
    where is_cohort_high_harm
    group by person_key

    union all

    select
        'murder_attempted_murder' as subgroup,
        person_key,
        min(offence_date) as index_date
    from young_suspects
    where is_murder_attempted_murder
    group by person_key

)

select * from cohort
