-- One row per linked person: the sources (agencies' record kinds) it appears in and how
-- many records it has.

with

-- The linkage's own rows: bridge_person_record is these rows, one per record, without
-- has_tokens. Joining the two on the record doubled this model's work for that column.
person_links as (

    select * from {{ source('linkage', 'person_links') }}

),

persons as (

    select
        person_key,
        {{ list_distinct_sorted('source') }} as agencies,
        count(*) as record_count,
        -- Identified by tokens, or by the force's person number, which every police
        -- record carries (records sharing one are linked: linkage/model.py).
        bool_or(
            has_tokens
            or source in ('police_people', 'custody')
        ) as is_identified

    from person_links
    group by person_key

)

select
    person_key,
    agencies,
    record_count,
    is_identified

from persons
