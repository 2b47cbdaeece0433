{#-
    Victims and suspects whose crime has arrived (in any status). Rows whose crime is
    not, or no longer, in the warehouse are left out here: they wait, and join when
    their crime arrives (partner-extracts.md, Validation rules).

    The identity tokens (tok_*) stay in staging: the linkage reads them from the raw
    tables, and nothing built on this model uses them. Each is 64 characters no two
    people share, which no compression shortens: carried here, they were a third of
    this table's build (scale 20: 23.0 -> 15.9 s without them).

    Built crime by crime from int_police__crimes (macros/crime_chain.sql).
-#}
{{
    config(
        materialized=crime_chain_materialized(),
        incremental_strategy='append',
        pre_hook="{{ delete_crimes_to_rebuild(ref('int_police__crimes'), is_incremental()) }}",
    )
}}

with

to_build as (

    {{ crimes_to_build(ref('int_police__crimes'), is_incremental()) }}

),

people as (

    select * from {{ crime_rows_to_build(ref('stg_police__crime_people'), is_incremental()) }}

),

crimes as (

    select * from {{ crime_rows_to_build(ref('int_police__crimes'), is_incremental()) }}

),

ethnicities as (

    select * from {{ ref('ref_ethnicity') }}

),

superseded as (

    {{
        superseded_rows(
            crime_rows_to_build(ref('stg_police__crime_people'), is_incremental()),
            ['crime_ref', 'person_ref', 'role']
        )
    }}

),

joined as (

    select
        people.crime_ref,
        people.person_ref,
        people.role,
        people.age,
        people.age < 25 as is_under_25,
        {{ age_band('people.age') }} as age_band,
        people.sex,
        people.ethnicity,
        coalesce(ethnicities.sna_ethnic_group, 'not_stated') as sna_ethnic_group,
        people.postcode_district,
        crimes.recorded_date,
        crimes.financial_year,
        crimes.offence_from,
        crimes.ho_offence_code,
        crimes.is_recorded,
        people.file_name,
        people.row_number,
        people.period,
        crimes.inputs_digest

    from people
    inner join crimes
        on people.crime_ref = crimes.crime_ref
    left join ethnicities
        on people.ethnicity = ethnicities.ethnicity

),

-- A row another row of its key supersedes is taken out last. Anti-joined before the join
-- to crimes, it made DuckDB hash the people instead of the crimes: three times slower.
current_people as (

    select joined.*
    from joined
    anti join superseded
        on
            joined.file_name = superseded.file_name
            and joined.row_number = superseded.row_number

)

select * from current_people
