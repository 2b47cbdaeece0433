{#-
    Per crime, a digest of every staged police row it is built from: its rows in the
    crimes, victims and suspects, and outcomes extracts, each named by file, file version
    (SHA-256) and row. A file new, re-sent or removed changes the digest of every crime
    it has a row of; nothing else does. The crime-by-crime police models rebuild the
    crimes whose digest changed (macros/crime_chain.sql). Victims, suspects and outcomes
    whose crime has not arrived have a digest too: it changes when the crime arrives.
-#}
with

inputs as (

    select
        crime_ref,
        {{ row_hash(["'crimes'", 'file_name', 'file_sha256', 'row_number']) }} as row_hash
    from {{ ref('stg_police__crimes') }}

    union all

    select
        crime_ref,
        {{ row_hash(["'crime_people'", 'file_name', 'file_sha256', 'row_number']) }}
            as row_hash
    from {{ ref('stg_police__crime_people') }}

    union all

    select
        crime_ref,
        {{ row_hash(["'outcomes'", 'file_name', 'file_sha256', 'row_number']) }}
            as row_hash
    from {{ ref('stg_police__outcomes') }}

),

digested as (

    select
        crime_ref,
        bit_xor(row_hash) as inputs_digest
    from inputs
    group by crime_ref

)

select * from digested
