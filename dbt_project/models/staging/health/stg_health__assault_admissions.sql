with

source as (

    select * from {{ source('health', 'assault_admissions') }}

),

renamed as (

    select
        spell_ref,
        admitted_at,
        discharged_at,
        age,
        sex,
        ethnicity,
        lad_code,
        lsoa21_code,
        primary_diagnosis,
        external_cause,
        cost_gbp,
        file_name,
        file_sha256,
        row_number,
        period

    from source

)

select * from renamed
