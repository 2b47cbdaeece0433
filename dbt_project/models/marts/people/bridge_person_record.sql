-- One row per current source person record and the person it was linked to. The linking
-- itself happens in Python (linkage/, Splink): dbt only publishes its result.
--
-- A table built whole: built person by person (as dim_person is) it took as long at
-- scale 5 (2.4 s against 2.2 s in a new quarter), its two anti-joins over every record
-- costing what copying them does.

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
