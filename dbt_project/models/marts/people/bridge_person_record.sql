-- One row per current source person record and the person it was linked to. The linking
-- itself happens in Python (linkage/, Splink): dbt only publishes its result.
--
-- Built person by person (macros/people_chain.sql): a build copies only the records of
-- the persons the linkage linked again since the model last held them, not every record.
-- Under a contract, an incremental model must stop at a column its table lacks
-- (on_schema_change; `--full-refresh` rebuilds it): set here, in the file, where dbt
-- checks it.
{{
    config(
        materialized=crime_chain_materialized(),
        incremental_strategy='append',
        on_schema_change='fail',
        pre_hook="{{ delete_persons_linked_again(source('linkage', 'person_links'), is_incremental()) }}",
    )
}}

with

to_build as (

    {{ persons_to_build(source('linkage', 'person_links'), is_incremental()) }}

),

person_links as (

    select * from {{ person_rows_to_build(source('linkage', 'person_links'), is_incremental()) }}

)

select
    source,
    record_ref,
    person_key,
    match_probability,
    linked_at

from person_links
