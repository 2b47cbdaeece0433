with

source as (

    select * from {{ source('opcc', 'icv_visits') }}

),

renamed as (

    select
        visit_ref,
        suite_code,
        arrived_at,
        admitted_at,
        detainees_in_cells,
        offered,
        not_offered_on_advice,
        unavailable,
        asleep_observed,
        agreed,
        refused,
        issues,
        file_name,
        file_sha256,
        row_number,
        period

    from source

)

select * from renamed
