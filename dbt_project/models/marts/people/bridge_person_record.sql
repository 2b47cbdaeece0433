-- One row per current source person record and the person it was linked to. The linking
-- itself happens in Python (linkage/, Splink): dbt only publishes its result.

with

person_links as (

    select * from {{ source('linkage', 'person_links') }}

)

select
    source,
    record_ref,
    person_key,
    match_probability,
    linked_at

from person_links
