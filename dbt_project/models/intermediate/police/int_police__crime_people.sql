{#-
    Victims and suspects whose crime has arrived (in any status). Rows whose crime is
    not, or no longer, in the warehouse are left out here: they wait, and join when
    their crime arrives (partner-extracts.md, Validation rules).
-#}
with

people as (

    select * from {{ ref('stg_police__crime_people') }}

),

crimes as (

    select * from {{ ref('int_police__crimes') }}

),

ethnicities as (

    select * from {{ ref('ref_ethnicity') }}

),

current_people as (

    select *
    from people
    qualify
        row_number() over (
            partition by crime_ref, person_ref, role
            order by period desc, row_number desc
        ) = 1

),

joined as (

    select
        current_people.crime_ref,
        current_people.person_ref,
        current_people.role,
        current_people.age,
        current_people.age < 25 as is_under_25,
        {{ age_band('current_people.age') }} as age_band,
        current_people.sex,
        current_people.ethnicity,
        coalesce(ethnicities.sna_ethnic_group, 'not_stated') as sna_ethnic_group,
        current_people.postcode_district,
        current_people.tok_surname,
        current_people.tok_forename,
        current_people.tok_dob,
        crimes.recorded_date,
        crimes.financial_year,
        crimes.offence_from,
        crimes.ho_offence_code,
        crimes.is_recorded,
        current_people.file_name,
        current_people.period

    from current_people
    inner join crimes
        on current_people.crime_ref = crimes.crime_ref
    left join ethnicities
        on current_people.ethnicity = ethnicities.ethnicity

)

select * from joined
