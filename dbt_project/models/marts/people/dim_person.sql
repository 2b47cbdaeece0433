-- One row per linked person: the sources (agencies' record kinds) it appears in and how
-- many records it has.

with

bridge as (

    select * from {{ ref('bridge_person_record') }}

),

person_links as (

    select * from {{ source('linkage', 'person_links') }}

),

persons as (

    select
        bridge.person_key,
        {{ list_distinct_sorted('bridge.source') }} as agencies,
        count(*) as record_count,
        -- Identified by tokens, or by the force's person number, which every police
        -- record carries (records sharing one are linked: linkage/model.py).
        bool_or(
            person_links.has_tokens
            or person_links.source in ('police_people', 'custody')
        ) as is_identified

    from bridge
    inner join person_links
        on bridge.source = person_links.source
            and bridge.record_ref = person_links.record_ref
    group by bridge.person_key

)

select
    person_key,
    agencies,
    record_count,
    is_identified

from persons
